"""Deterministic test doubles of the stage below the channels: a fake embedder and a fake retriever.

`FakeRetriever` holds a small invented guidance library (written for the tests, not taken from the corpus)
and searches it with `FakeEmbedder`'s hashed bag-of-words vectors. It has what the assistant and the
channels use of `index.GuidanceIndex` (search, search_vector, embed, documents, document, passages,
passage, version), so
`fake_assistant(settings)` is the real `Assistant` pipeline without the embedding model or a corpus index:
channel, storage and evaluation tests start in milliseconds. What only the real corpus can show stays in the
tests marked `corpus`. `count_embedding` is a spy on ingest's (real) embedder: how many texts each call embedded.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from index.models import SearchFilters, SearchHit
from ingest.models import DocumentMeta, Passage
from settings import Settings

__all__ = [
    "FakeEmbedder",
    "FakeRetriever",
    "count_embedding",
    "fake_assistant",
    "write_question_set",
    "FAKE_DOCUMENTS",
    "FAKE_PASSAGES",
    "FAKE_QUESTIONS",
]

DIMENSION = 256
_WORD = re.compile(r"[a-z0-9£+]+")


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


class FakeEmbedder:
    """Unit vectors of hashed, lightly stemmed words: texts sharing words are similar; same text, same vector."""

    dimension = DIMENSION

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                slot = int(hashlib.blake2b(_stem(word).encode(), digest_size=4).hexdigest(), 16) % DIMENSION
                vectors[row, slot] += 1.0
            norm = float(np.linalg.norm(vectors[row]))
            if norm:
                vectors[row] /= norm
        return vectors


def _doc(doc_id: str, title: str, short: str, status: str, published: date, label: str) -> DocumentMeta:
    return DocumentMeta(
        doc_id=doc_id,
        title=title,
        short_title=short,
        publisher="Department for Education (test double)",
        published=published,
        published_label=label,
        status=status,  # type: ignore[arg-type]
        source_url=f"https://guidance.example/{doc_id}",
        sha256=hashlib.sha256(doc_id.encode()).hexdigest(),
        path=f"/fake/{doc_id}.md",
        format="markdown",
        pages=4,
    )


FAKE_DOCUMENTS = [
    _doc(
        "fake-vsh-guidance",
        "Educating children in care: the Virtual School Head (test library)",
        "Virtual School Head test guidance (2024)",
        "statutory",
        date(2024, 2, 1),
        "February 2024",
    ),
    _doc(
        "fake-teacher-guidance",
        "The designated teacher in schools (test library)",
        "Designated teacher test guidance (2023)",
        "statutory",
        date(2023, 9, 1),
        "September 2023",
    ),
    _doc(
        "fake-announcement",
        "Virtual schools take on new responsibilities (test library)",
        "Test announcement (2025)",
        "announcement",
        date(2025, 1, 10),
        "January 2025",
    ),
]

_TEXTS: list[tuple[str, list[str], list[str], list[int], str]] = [
    # (doc_id, section path, paragraphs, pages, text)
    (
        "fake-vsh-guidance",
        ["Introduction", "Who the Virtual School Head is responsible for"],
        ["1"],
        [1],
        "1. The Virtual School Head is responsible for the education of looked-after children and previously "
        "looked-after children. The Virtual School Head must promote their educational attainment and progress.",
    ),
    (
        "fake-vsh-guidance",
        ["Introduction", "Who the Virtual School Head is responsible for"],
        ["2"],
        [1],
        "2. Previously looked-after children are children who left care through adoption, a special "
        "guardianship order or a child arrangements order. The Virtual School Head should give advice to "
        "their parents and schools.",
    ),
    (
        "fake-vsh-guidance",
        ["Funding", "Pupil Premium Plus"],
        ["10"],
        [2],
        "10. Pupil Premium Plus is extra funding for the education of looked-after children. The Virtual School "
        "Head manages the Pupil Premium Plus funding and decides with the school how it is spent.",
    ),
    (
        "fake-vsh-guidance",
        ["Funding", "Pupil Premium Plus"],
        ["11"],
        [2],
        "11. Schools must account for how they spend Pupil Premium Plus funding on the education of the "
        "children it is for.",
    ),
    (
        "fake-vsh-guidance",
        ["Personal education plans"],
        ["20"],
        [3],
        "20. Every looked-after child must have a personal education plan. The plan should record the "
        "child's targets, the support the school gives and how progress is reviewed.",
    ),
    (
        "fake-teacher-guidance",
        ["The role of the designated teacher"],
        ["5"],
        [1],
        "5. The governing body must appoint a designated teacher for looked-after and previously "
        "looked-after children. The designated teacher promotes the educational achievement of these pupils.",
    ),
    (
        "fake-teacher-guidance",
        ["The role of the designated teacher"],
        ["6"],
        [2],
        "6. The designated teacher should work with the Virtual School Head to agree how the school uses "
        "Pupil Premium Plus funding to support each child.",
    ),
    (
        "fake-announcement",
        ["News"],
        [],
        [1],
        "From September 2024 the role of Virtual School Heads was extended to include children in kinship care. "
        "Councils receive extra funding for this extension of the virtual school role.",
    ),
]


def _passages() -> list[Passage]:
    passages: list[Passage] = []
    order: dict[str, int] = {}
    for doc_id, path, paragraphs, pages, text in _TEXTS:
        n = order.get(doc_id, 0)
        order[doc_id] = n + 1
        passages.append(
            Passage(
                passage_id=f"{doc_id}:{n:05d}",
                doc_id=doc_id,
                order=n,
                section_path=path,
                section_anchor=re.sub(r"[^a-z0-9]+", "-", path[-1].lower()).strip("-"),
                paragraphs=paragraphs,
                pages=pages,
                text=text,
            )
        )
    return passages


FAKE_PASSAGES = _passages()


class FakeRetriever:
    """An in-memory index of `FAKE_PASSAGES`, ranked by `FakeEmbedder` similarity. Deterministic."""

    version = "fake-1"

    def __init__(self, documents: list[DocumentMeta] | None = None, passages: list[Passage] | None = None) -> None:
        self._documents = {d.doc_id: d for d in (documents or FAKE_DOCUMENTS)}
        self._passages = list(passages or FAKE_PASSAGES)
        self.embedder = FakeEmbedder()
        self._vectors = self.embedder.encode([f"{p.heading}\n{p.text}" for p in self._passages])
        self.manifest = {"dimension": DIMENSION, "passages": len(self._passages), "model": "fake"}

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode(list(texts))

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[SearchHit]:
        return self._ranked(query, self.embed([query])[0], k, filters)

    second: dict[str, float] | None = None
    """Second-view similarities by passage id (None: the fake has no second view, like `VSH_SECOND_VIEW=none`)."""

    def second_similarities(self, query: str, passage_ids: list[str]) -> np.ndarray | None:
        if self.second is None:
            return None
        return np.asarray([self.second.get(pid, 0.0) for pid in passage_ids], dtype=np.float32)

    def search_vector(self, query: str, vector: np.ndarray, k: int = 5) -> list[SearchHit]:
        """Like `search` with the question already embedded (what the assistant's retrieve stage calls)."""
        return self._ranked(query, vector, k, None)

    def _ranked(self, query: str, vector: np.ndarray, k: int, filters: SearchFilters | None) -> list[SearchHit]:
        scores = self._vectors @ vector
        words = {_stem(w) for w in _WORD.findall(query.lower())}
        hits: list[SearchHit] = []
        for row in np.argsort(-scores, kind="stable"):
            passage = self._passages[int(row)]
            doc = self._documents[passage.doc_id]
            if filters and filters.doc_ids and doc.doc_id not in filters.doc_ids:
                continue
            if filters and filters.statuses and doc.status not in filters.statuses:
                continue
            score = float(scores[row])
            shared = len(words & {_stem(w) for w in _WORD.findall(passage.text.lower())})
            hits.append(
                SearchHit(
                    passage=passage,
                    doc=doc,
                    score=score,
                    dense_score=score,
                    keyword_score=float(shared),
                    rank=len(hits) + 1,
                )
            )
            if len(hits) == k:
                break
        return hits

    def documents(self) -> list[DocumentMeta]:
        return sorted(self._documents.values(), key=lambda d: d.title.lower())

    def document(self, doc_id: str) -> DocumentMeta | None:
        return self._documents.get(doc_id)

    def passages(self, doc_id: str) -> list[Passage]:
        return [p for p in self._passages if p.doc_id == doc_id]

    def passage(self, passage_id: str) -> Passage | None:
        return next((p for p in self._passages if p.passage_id == passage_id), None)

    def __len__(self) -> int:
        return len(self._passages)


def fake_assistant(settings: Settings) -> Assistant:
    """The real Assistant over `FakeRetriever` (no model, no corpus index)."""
    return Assistant(settings, index=FakeRetriever())


def _q(qid: str, topic: str, question: str, gold: list[dict[str, object]], facts: list[str]) -> dict[str, object]:
    return {
        "id": qid,
        "question": question,
        "topic": topic,
        "answerable": bool(gold),
        "gold": gold,
        "key_facts": facts,
        "notes": "test double question over the fake library",
    }


FAKE_QUESTIONS = [
    _q(
        "fq-01",
        "scope",
        "Which children is the Virtual School Head responsible for?",
        [{"doc_id": "fake-vsh-guidance", "paragraphs": ["1"], "pages": [1]}],
        ["looked-after children"],
    ),
    _q(
        "fq-02",
        "scope",
        "Who counts as a previously looked-after child?",
        [{"doc_id": "fake-vsh-guidance", "paragraphs": ["2"], "pages": [1]}],
        ["special guardianship order"],
    ),
    _q(
        "fq-03",
        "duties",
        "What must the governing body appoint for looked-after children?",
        [{"doc_id": "fake-teacher-guidance", "paragraphs": ["5"], "pages": [1]}],
        ["designated teacher"],
    ),
    _q(
        "fq-04",
        "duties",
        "What should a personal education plan record?",
        [{"doc_id": "fake-vsh-guidance", "paragraphs": ["20"], "pages": [3]}],
        ["targets"],
    ),
    _q(
        "fq-05",
        "pupil_premium_plus",
        "Who manages Pupil Premium Plus funding for looked-after children?",
        [{"doc_id": "fake-vsh-guidance", "paragraphs": ["10"], "pages": [2]}],
        ["Virtual School Head manages"],
    ),
    _q(
        "fq-06",
        "pupil_premium_plus",
        "How should a school use Pupil Premium Plus funding?",
        [{"doc_id": "fake-teacher-guidance", "paragraphs": ["6"], "pages": [2]}],
        ["support each child"],
    ),
    _q("fq-07", "out_of_scope", "What is the best recipe for a chocolate cake?", [], []),
    _q("fq-08", "out_of_scope", "How do I renew my passport?", [], []),
]


def write_question_set(path: Path, ids: list[str] | None = None) -> Path:
    """Write `FAKE_QUESTIONS` (or those with `ids`, in that order) as a JSON Lines question set."""
    chosen = FAKE_QUESTIONS if ids is None else [next(q for q in FAKE_QUESTIONS if q["id"] == i) for i in ids]
    path.write_text("".join(json.dumps(q) + "\n" for q in chosen), encoding="utf-8")
    return path


def count_embedding(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Wrap ingest's embedder (`index.build.get_embedder`) so each `encode` call records how many texts it
    embedded; returns that list (the real model still embeds)."""
    import index.build as build_module  # here: the fakes need no ingest machinery otherwise

    calls: list[int] = []
    original = build_module.get_embedder

    def counting(model: str = "", threads: int = 1):  # type: ignore[no-untyped-def]
        embedder = original(model, threads)

        class Counting:
            dimension = embedder.dimension

            def encode(self, texts: list[str], batch_size: int = 32, threads: int | None = None):  # type: ignore[no-untyped-def]
                calls.append(len(texts))
                return embedder.encode(texts, batch_size, threads)

        return Counting()

    monkeypatch.setattr(build_module, "get_embedder", counting)
    return calls
