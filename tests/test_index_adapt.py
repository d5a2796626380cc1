"""Adapting the embedding model: the pair-mining rules, and a tiny real training run whose model the index
records and embeds questions with."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.adapt import AdaptConfig, adapt_index, current_adapted_model, embedding_model, mine_pairs
from index.build import ingest_paths
from index.embedder import default_model_path, get_embedder
from index.errors import IndexDamagedError
from index.search import GuidanceIndex
from index.store import read_snapshot
from ingest.models import Passage
from settings import Settings


def _passage(order: int, path: list[str], text: str, doc_id: str = "policy") -> Passage:
    return Passage(passage_id=f"{doc_id}:{order:05d}", doc_id=doc_id, order=order, section_path=path, text=text)


PASSAGES = [
    _passage(
        0,
        ["Chapter 2: Planning school moves", "Timing"],
        "12. Moves should happen at the start of a term where possible. The carer and the school agree a date "
        "that keeps disruption to the pupil's learning low.",
    ),
    _passage(
        1,
        ["Chapter 2: Planning school moves", "Timing"],
        "A second passage of the same section says who signs the move off and how the records travel.",
    ),
    _passage(
        2,
        ["Chapter 2: Planning school moves", "Timing"],
        "A third passage of the same section is not paired with the heading again, to keep anchors varied.",
    ),
    _passage(
        3,
        ["Annex A: Glossary", "Learning mentor"],
        "A member of staff who meets the pupil each week to review progress and agree next steps together.",
    ),
    _passage(
        4,
        ["Roles"],
        "In this policy the term ‘key adult’ refers to the member of staff the pupil chooses to talk to first.",
    ),
    _passage(5, ["Roles"], "Footnote 3 Local records policy, published by the council in two thousand and twenty."),
    _passage(6, ["Roles"], "and the governors, who receive the report each term and question the leaders on it."),
    _passage(7, ["Contents"], "Too short to pair."),
]


def test_pairs_follow_the_generic_rules() -> None:
    pairs = mine_pairs(PASSAGES)
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for pair in pairs:
        by_kind.setdefault(pair.kind, []).append((pair.anchor, pair.passage_id))

    # heading -> passage: chapter numbering dropped, a short heading gets its parent, at most two per section
    assert ("Planning school moves: Timing", "policy:00000") in by_kind["heading"]
    assert ("Planning school moves: Timing", "policy:00001") in by_kind["heading"]
    assert all(pid != "policy:00002" for _, pid in by_kind["heading"])
    # glossary term -> definition, and a quoted term that a sentence defines -> its passage
    assert ("Learning mentor", "policy:00003") in by_kind["definition"]
    assert ("key adult", "policy:00004") in by_kind["definition"]
    # first sentence -> rest, with the paragraph number removed from both
    first = next(p for p in pairs if p.kind == "first_sentence" and p.passage_id == "policy:00000")
    assert first.anchor == "Moves should happen at the start of a term where possible."
    assert first.positive.startswith("The carer and the school agree a date")
    heading_pair = next(p for p in pairs if p.kind == "heading" and p.passage_id == "policy:00000")
    assert heading_pair.positive.startswith("Moves should happen")
    # footnotes, passages that begin mid-sentence (for first_sentence) and short texts are not used
    assert all(p.passage_id != "policy:00005" for p in pairs)
    assert all(not (p.kind == "first_sentence" and p.passage_id == "policy:00006") for p in pairs)
    assert all(p.passage_id != "policy:00007" for p in pairs)
    # each (anchor, positive) once; kinds can be chosen
    assert len({(p.anchor, p.positive) for p in pairs}) == len(pairs)
    assert {p.kind for p in mine_pairs(PASSAGES, kinds=("heading",))} == {"heading"}


def test_the_real_corpus_yields_every_kind_of_pair(corpus_settings: Settings) -> None:
    snapshot, _ = read_snapshot(corpus_settings.data_dir, with_vectors=False)
    pairs = mine_pairs(snapshot.passages)
    counts = {kind: sum(1 for p in pairs if p.kind == kind) for kind in ("heading", "definition", "first_sentence")}
    assert all(count >= 20 for count in counts.values()), counts
    words = {p.passage_id: set(re.findall(r"\w+", p.text)) for p in snapshot.passages}
    for pair in pairs:  # positives (and first-sentence anchors) are the passage's own words
        assert set(re.findall(r"\w+", pair.positive)) <= words[pair.passage_id], pair
        if pair.kind == "first_sentence":
            assert set(re.findall(r"\w+", pair.anchor)) <= words[pair.passage_id], pair


GUIDANCE_MD = """# Local guidance on school moves

## Planning school moves

### Timing

1. Moves should happen at the start of a term where possible. The carer and the school agree a date that
keeps disruption to the pupil's learning low.

2. The virtual school is told of every planned move at least ten school days before it happens, and it
checks that the new school has the pupil's education plan.

## Glossary

### Learning mentor

A member of staff who meets the pupil each week to review progress and agree next steps together with them.

### Key adult

In this guidance the term ‘key adult’ refers to the member of staff the pupil chooses to talk to first.
"""


@pytest.mark.model
def test_an_adapted_model_is_built_recorded_and_used_for_questions(tmp_path: Path) -> None:
    source = tmp_path / "moves.md"
    source.write_text(GUIDANCE_MD, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_paths=[source])
    assert not ingest_paths([source], settings).failed
    assert embedding_model(settings) == default_model_path()

    config = AdaptConfig(batch_size=2, max_pairs=4, seed=5)
    result = adapt_index(settings, config)
    assert result.trained and result.model_dir.parent == tmp_path / "data" / "models"
    assert result.model_dir.name.startswith("adapted-")
    assert current_adapted_model(settings.data_dir) == result.model_dir
    metadata = json.loads((result.model_dir / "adapt.json").read_text(encoding="utf-8"))
    assert metadata["config"]["seed"] == 5 and sum(metadata["pairs"].values()) == 4

    snapshot, manifest = read_snapshot(settings.data_dir)
    assert manifest["model"] == snapshot.model == str(result.model_dir)
    index = GuidanceIndex.open(settings)
    assert index.embedder.name == str(result.model_dir)
    question = "When should a school move happen?"
    adapted = get_embedder(str(result.model_dir)).encode([question])[0]
    base = get_embedder().encode([question])[0]
    assert np.allclose(index.embed([question])[0], adapted, atol=1e-6)
    assert not np.allclose(adapted, base, atol=1e-6)  # the training changed the model
    assert "1" in index.search(question, k=1)[0].passage.paragraphs

    # the same passages and config reuse the model; ingest keeps it only when the setting asks for it
    assert not adapt_index(settings, config).trained
    source.write_text(GUIDANCE_MD + "\n## Contacts\n\nThe virtual school office answers questions by email.\n")
    kept = settings.model_copy(update={"use_adapted_model": True})
    assert embedding_model(kept) == str(result.model_dir)
    assert ingest_paths([source], kept).embedded_passages == 1
    assert read_snapshot(settings.data_dir)[0].model == str(result.model_dir)
    source.write_text(GUIDANCE_MD)
    report = ingest_paths([source], settings)
    assert any("embedding model changed" in note for note in report.notes)
    assert read_snapshot(settings.data_dir)[0].model == default_model_path()

    # an index whose model folder is gone fails with a clear error
    adapt_index(settings, config)
    shutil.rmtree(result.model_dir)
    with pytest.raises(IndexDamagedError, match="is gone"):
        GuidanceIndex.open(settings)
