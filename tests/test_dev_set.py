"""The development evaluation set (evals/datasets/dev.jsonl) is well formed and its gold is true of the real corpus.

Every gold paragraph number must be printed as "N." at the start of a line on one of its gold pages, every key
fact must appear (case-insensitive, whitespace-normalised) in the text of the gold pages (or the whole file for
plain-text announcements), and every section must be exactly (up to whitespace) a heading of the PDF outline
(or, for a PDF without an outline, a heading in its printed contents pages).
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pypdf
import pytest

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO / "evals" / "datasets" / "dev.jsonl"
MANIFEST = REPO / "ingest" / "sources.toml"

FIELDS = {"id", "question", "audience", "topic", "answerable", "gold", "key_facts", "notes"}
GOLD_FIELDS = {"doc_id", "section", "paragraphs", "pages"}
AUDIENCES = {"social_worker", "teacher", "designated_teacher", "vsh"}
TOPIC_MINIMUMS = {
    "scope": 10,
    "duties": 10,
    "pep": 8,
    "pupil_premium_plus": 8,
    "kinship": 7,
    "care_leavers": 7,
    "children_missing_education": 6,
    "health": 4,
    "unanswerable": 10,
}
TOPICS = set(TOPIC_MINIMUMS) | {"safeguarding"}
MIN_QUESTIONS = 60
# Pages of a PDF without bookmarks that hold its printed contents list.
CONTENTS_PAGES = (1, 2, 3, 4, 5)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _squash(text: str) -> str:
    """Whitespace-normalised but case-preserving: section headings must match exactly."""
    return " ".join(text.split())


def _load_rows() -> list[dict[str, Any]]:
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _manifest() -> dict[str, str]:
    """doc_id -> file-name glob from the corpus manifest."""
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    return {source["doc_id"]: source["match"] for source in data["source"] if "match" in source}


ROWS = _load_rows()
ANSWERABLE = [row for row in ROWS if row.get("answerable") is True]


@pytest.fixture(scope="module")
def doc_files(corpus: Path) -> dict[str, Path]:
    files = [p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in {".pdf", ".txt"}]
    found: dict[str, Path] = {}
    for doc_id, pattern in _manifest().items():
        matches = [p for p in files if fnmatch.fnmatch(p.name.lower(), pattern.lower())]
        assert len(matches) == 1, f"{doc_id}: manifest glob {pattern!r} matched {matches} in {corpus}"
        found[doc_id] = matches[0]
    return found


@cache
def _reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(str(path))


@cache
def _page_text(path: Path, page: int) -> str:
    reader = _reader(path)
    assert 1 <= page <= len(reader.pages), f"{path.name}: page {page} out of range 1..{len(reader.pages)}"
    return reader.pages[page - 1].extract_text() or ""


@cache
def _file_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def _outline_titles(path: Path) -> frozenset[str]:
    titles: set[str] = set()

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.add(_squash(item.title))

    walk(_reader(path).outline)
    return frozenset(titles)


def _gold_text(gold: dict[str, Any], files: dict[str, Path]) -> str:
    path = files[gold["doc_id"]]
    if path.suffix.lower() == ".pdf":
        return "\n".join(_page_text(path, page) for page in gold["pages"])
    return _file_text(path)


# ---------------------------------------------------------------- structure


def test_every_line_is_a_json_object() -> None:
    for number, line in enumerate(DEV_SET.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"line {number} is blank"
        assert isinstance(json.loads(line), dict), f"line {number} is not a JSON object"


@pytest.mark.parametrize("row", ROWS, ids=[str(row.get("id")) for row in ROWS])
def test_row_fields_and_values(row: dict[str, Any]) -> None:
    assert set(row) == FIELDS, f"fields {sorted(set(row) ^ FIELDS)} missing or unexpected"
    assert isinstance(row["id"], str) and re.fullmatch(r"[a-z]+(?:-[a-z]+)*-\d{3}", row["id"])
    assert isinstance(row["question"], str) and len(row["question"].strip()) >= 10
    assert row["audience"] in AUDIENCES
    assert row["topic"] in TOPICS
    assert isinstance(row["answerable"], bool)
    assert isinstance(row["notes"], str)
    assert isinstance(row["gold"], list) and isinstance(row["key_facts"], list)
    if not row["answerable"]:
        assert row["topic"] == "unanswerable"
        assert row["gold"] == [] and row["key_facts"] == [], "unanswerable questions have no gold and no key facts"
        return
    assert row["topic"] != "unanswerable"
    assert row["gold"], "answerable questions need at least one gold location"
    assert 1 <= len(row["key_facts"]) <= 4
    for fact in row["key_facts"]:
        assert isinstance(fact, str) and fact.strip() and fact == fact.lower(), f"key fact {fact!r} must be lowercase"
    doc_ids = set(_manifest())
    for gold in row["gold"]:
        assert set(gold) == GOLD_FIELDS
        assert gold["doc_id"] in doc_ids, f"unknown doc_id {gold['doc_id']!r}"
        assert isinstance(gold["section"], str)
        assert all(isinstance(p, str) and re.fullmatch(r"\d+(?:\.\d+)?", p) for p in gold["paragraphs"])
        assert all(isinstance(p, int) and p >= 1 for p in gold["pages"])


def test_ids_are_unique() -> None:
    duplicates = [key for key, count in Counter(row["id"] for row in ROWS).items() if count > 1]
    assert not duplicates, duplicates


def test_size_and_topic_coverage() -> None:
    assert len(ROWS) >= MIN_QUESTIONS
    counts = Counter(row["topic"] for row in ROWS)
    short = {topic: (counts[topic], need) for topic, need in TOPIC_MINIMUMS.items() if counts[topic] < need}
    assert not short, f"topics below their minimum (have, need): {short}"
    assert {row["audience"] for row in ROWS} == AUDIENCES


# ---------------------------------------------------------------- gold against the real corpus


@pytest.mark.parametrize("row", ANSWERABLE, ids=[row["id"] for row in ANSWERABLE])
def test_gold_is_true_of_the_corpus(row: dict[str, Any], doc_files: dict[str, Path]) -> None:
    texts = []
    for gold in row["gold"]:
        path = doc_files[gold["doc_id"]]
        if path.suffix.lower() != ".pdf":
            assert gold["pages"] == [] and gold["paragraphs"] == [], "text files have no pages or paragraphs"
            texts.append(_file_text(path))
            continue
        assert gold["pages"], f"{gold['doc_id']}: PDF gold needs pages"
        assert gold["section"].strip(), f"{gold['doc_id']}: PDF gold needs a section heading"
        text = _gold_text(gold, doc_files)
        texts.append(text)
        for paragraph in gold["paragraphs"]:
            pattern = r"(?m)^\s*" + re.escape(paragraph) + r"\.(?:\s|$)"
            assert re.search(pattern, text), f"{gold['doc_id']}: paragraph {paragraph} not on pages {gold['pages']}"
        titles = _outline_titles(path)
        if titles:
            heading = _squash(gold["section"])
            assert heading in titles, f"{gold['doc_id']}: {gold['section']!r} is not an outline heading"
        else:
            contents = _squash(" ".join(_page_text(path, page) for page in CONTENTS_PAGES))
            assert _squash(gold["section"]) in contents, f"{gold['doc_id']}: {gold['section']!r} not in the contents"
    haystack = _norm("\n".join(texts))
    missing = [fact for fact in row["key_facts"] if _norm(fact) not in haystack]
    assert not missing, f"key facts not in the gold text: {missing}"
