"""Sentence units stored at ingest, and the torch-free question embedding, on the real corpus index.

- The units the snapshot holds are exactly those the assistant's rules give (texts, paragraphs), and their
  vectors and the heading vectors are sentence-transformers' vectors of the same texts.
- The ONNX export reproduces sentence-transformers' question vectors (cosine >= 0.9999 on both development
  sets) and the same search rankings.
- `vsh ask` answers without importing torch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.units import UnitCache, passage_units
from index import GuidanceIndex
from index.embedder import get_embedder
from index.onnx_embedder import OnnxEmbedder, onnx_root
from settings import REPO_ROOT, Settings

DEV_SETS = [
    REPO_ROOT / "evals" / "datasets" / "dev.jsonl",
    REPO_ROOT.parent / "shared" / "evals" / "real-questions-dev.jsonl",
]


def _questions() -> list[str]:
    questions: list[str] = []
    for path in DEV_SETS:
        assert path.is_file(), f"development set missing: {path}"
        questions += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    return questions


@pytest.fixture(scope="module")
def index(corpus_settings: Settings) -> GuidanceIndex:
    return GuidanceIndex.open(corpus_settings)


def test_stored_units_are_the_assistants_units(index: GuidanceIndex) -> None:
    passages = [p for doc in index.documents() for p in index.passages(doc.doc_id)]
    stored = index.units(passages)
    assert len(stored) == len(passages) > 1000
    for passage in passages:
        expected = passage_units(passage)
        units = stored[passage.passage_id]
        assert units.texts == [u for u, _ in expected] and units.paragraphs == [n for _, n in expected]
        assert units.vectors.shape == (len(expected), 384)
    # vectors: what the assistant embedded before they were stored (every 40th passage: one bulk call)
    sample = passages[::40]
    reference = get_embedder(index.snapshot.model)
    embedded = UnitCache(reference.encode).get(sample)
    for passage in sample:
        cosine = np.sum(embedded[passage.passage_id].vectors * stored[passage.passage_id].vectors, axis=1)
        assert cosine.min() > 0.99999
    headings = sorted({p.section_path[-1] for p in sample if p.section_path})
    stored_headings = index.heading_vectors(headings)
    assert set(stored_headings) == set(headings)
    fresh = reference.encode(headings)
    assert min(float(stored_headings[h] @ v) for h, v in zip(headings, fresh, strict=True)) > 0.99999


def test_onnx_question_vectors_and_rankings_match_sentence_transformers(
    index: GuidanceIndex, corpus_settings: Settings
) -> None:
    questions = _questions()
    assert len(questions) >= 100
    onnx = OnnxEmbedder(onnx_root(corpus_settings.data_dir) / index.snapshot.onnx)
    reference = get_embedder(index.snapshot.model)
    ours = np.vstack([onnx.encode([q]) for q in questions])  # one at a time, as questions arrive
    theirs = reference.encode(questions)
    cosine = np.sum(ours * theirs, axis=1)
    assert cosine.min() >= 0.9999, f"lowest cosine {cosine.min():.6f}"
    batched = onnx.encode(questions)  # padded batches give the same vectors
    assert np.sum(batched * theirs, axis=1).min() >= 0.9999
    for question, a, b in zip(questions, ours, theirs, strict=True):
        ranked_a = [h.passage.passage_id for h in index.search_vector(question, a, k=10)]
        ranked_b = [h.passage.passage_id for h in index.search_vector(question, b, k=10)]
        assert ranked_a == ranked_b, question


def test_vsh_ask_answers_without_importing_torch(corpus_settings: Settings) -> None:
    probe = (
        "import sys\n"
        "from vsh.cli import app\n"
        "sys.argv = ['vsh', 'ask', 'Who is responsible for managing Pupil Premium Plus?']\n"
        "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    env = {**os.environ, "VSH_DATA_DIR": str(corpus_settings.data_dir), "VSH_DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Sources:" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "HEAVY=", done.stdout[-500:]


def test_a_missing_onnx_export_is_a_clear_error_and_ingest_makes_it_again(tmp_path: Path) -> None:
    from index import IndexDamagedError, ingest_paths

    library = tmp_path / "library"
    library.mkdir()
    (library / "moves.md").write_text(
        "# Local guidance\n\n## Moves\n\n1. The virtual school must be told before a child changes school.\n",
        encoding="utf-8",
    )
    settings = Settings(data_dir=tmp_path / "data")
    assert ingest_paths([library], settings).ok
    name = GuidanceIndex.open(settings).snapshot.onnx
    import shutil

    shutil.rmtree(onnx_root(settings.data_dir) / name)
    with pytest.raises(IndexDamagedError, match="ONNX export"):
        GuidanceIndex.open(settings)
    again = ingest_paths([library], settings)
    assert again.ok and again.version == ""  # nothing re-embedded, no new snapshot
    assert GuidanceIndex.open(settings).embed(["a question"]).shape == (1, 384)
