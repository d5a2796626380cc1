"""`evals/datasets/everyday*.jsonl`: questions in everyday words, checked against the real
corpus index.

Every gold place must be a place the index holds (a passage of that document on that page or with that numbered
paragraph, as `vsh eval run` matches it) and every key fact must be in the text of the row's gold places, so the
figures the set gives measure the assistant, not typos in the set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.metrics import Located, fact_coverage, matches_gold
from evals.questions import load_questions
from index.store import read_snapshot
from settings import REPO_ROOT, Settings

SETS = [
    REPO_ROOT / "evals" / "datasets" / name
    for name in (
        "everyday.jsonl",
        "everyday-held.jsonl",
        "everyday-fresh.jsonl",
        "everyday-ninth.jsonl",
        "everyday-eleventh.jsonl",
        "everyday-twelfth.jsonl",
        "everyday-fourteenth.jsonl",
        "everyday-fifteenth.jsonl",
    )
]


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_the_set_is_well_formed(path: Path) -> None:
    questions = load_questions(path)
    assert len(questions) >= 90 and len({q.id for q in questions}) == len(questions)
    unanswerable = [q for q in questions if not q.answerable]
    assert len(unanswerable) >= 25 and all(not q.gold and not q.key_facts for q in unanswerable)
    assert all(q.gold and q.key_facts for q in questions if q.answerable)


@pytest.fixture(scope="module")
def passages(corpus_settings: Settings) -> list[tuple[Located, str]]:
    snapshot, _ = read_snapshot(Path(corpus_settings.data_dir))
    return [(Located(p.doc_id, tuple(p.paragraphs), tuple(p.pages)), p.text) for p in snapshot.passages]


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_every_gold_place_is_in_the_index_and_holds_the_key_facts(
    path: Path, passages: list[tuple[Located, str]]
) -> None:
    problems = []
    for question in load_questions(path):
        gold_text = []
        for gold in question.gold:
            found = [text for place, text in passages if matches_gold(place, gold)]
            if not found:
                problems.append(f"{question.id}: no passage at {gold}")
            gold_text += found
        if question.answerable and fact_coverage(" ".join(gold_text), question.key_facts) < 1.0:
            problems.append(f"{question.id}: a key fact is not in its gold places {question.key_facts}")
    assert not problems, "\n".join(problems)
