"""The second view (`index.second_view`): passage vectors stored at ingest and reused, questions compared at
answer time, off by setting, and a damaged file said plainly. Real models on small documents."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index import GuidanceIndex, IndexDamagedError, ingest_paths
from index.second_view import SECOND_VIEW_MODEL, second_view
from index.store import SECOND_VECTORS, index_root
from ingest.models import Passage
from settings import Settings

GUIDANCE_MD = """# Local guidance on school moves

## Planning a move

1. The virtual school must be told before a looked-after child changes school.

2. The designated teacher should share the personal education plan with the new school.

## Transport

3. The local authority should arrange transport so that the child can stay at the same school.
"""


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "moves.md").write_text(GUIDANCE_MD, encoding="utf-8")
    return folder


def _passages(index: GuidanceIndex) -> list[Passage]:
    return [p for d in index.documents() for p in index.passages(d.doc_id)]


def _live_folder(settings: Settings) -> Path:
    root = index_root(Path(settings.data_dir))
    return root / (root / "CURRENT").read_text(encoding="utf-8").strip()


def test_the_model_embeds_questions_and_passages_as_unit_vectors() -> None:
    model = second_view()
    passages = model.passages(["Transport: the local authority should arrange transport to school.", "Records."])
    question = model.query("who pays for the taxi to school?")
    assert passages.shape == (2, model.dimension) and question.shape == (model.dimension,)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert passages[0] @ question > passages[1] @ question
    assert model.passages([]).shape == (0, model.dimension)


def test_vectors_are_stored_at_ingest_and_reused_while_the_text_is_unchanged(library: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = ingest_paths([library], settings)
    index = GuidanceIndex.open(settings)
    passages = _passages(index)
    assert first.embedded_second == len(passages) > 0
    assert index.snapshot.second_model == SECOND_VIEW_MODEL
    assert index.snapshot.second_vectors is not None and index.snapshot.second_vectors.shape[0] == len(passages)
    before = dict(zip((p.passage_id for p in passages), index.snapshot.second_vectors, strict=True))

    (library / "moves.md").write_text(GUIDANCE_MD + "\n## Records\n\n4. Records must move with the child.\n")
    again = ingest_paths([library], settings)
    assert again.embedded_second == 1  # only the new passage
    after = GuidanceIndex.open(settings)
    rows = {p.passage_id: i for i, p in enumerate(after.snapshot.passages)}
    assert after.snapshot.second_vectors is not None
    kept = [pid for pid in before if pid in rows and after.passage(pid) == index.passage(pid)]
    assert len(kept) == len(before)  # the old passages are all still there, unchanged
    for pid in kept:
        assert np.array_equal(after.snapshot.second_vectors[rows[pid]], before[pid])

    ids = [p.passage_id for p in _passages(after)]
    similarities = after.second_similarities("Who arranges the bus to school?", ids)
    assert similarities is not None and similarities.shape == (len(ids),)
    assert "transport" in _passages(after)[int(np.argmax(similarities))].text.lower()


def test_turned_off_nothing_is_computed_and_an_index_without_it_gains_it_at_the_next_ingest(
    library: Path, tmp_path: Path
) -> None:
    off = Settings(data_dir=tmp_path / "data", second_view="none")
    report = ingest_paths([library], off)
    assert report.embedded_second == 0
    assert not (_live_folder(off) / SECOND_VECTORS).exists()
    index = GuidanceIndex.open(off)
    assert index.snapshot.second_model == "" and index.second_similarities("transport", ["x"]) is None
    assert ingest_paths([library], off).version == ""  # unchanged, and still off: nothing to do

    on = Settings(data_dir=tmp_path / "data")
    gained = ingest_paths([library], on)
    assert gained.version and gained.embedded_passages == 0  # the index's own vectors are reused
    assert gained.embedded_second == len(_passages(index))
    assert any("second-view" in note for note in gained.notes)
    assert GuidanceIndex.open(on).snapshot.second_model == SECOND_VIEW_MODEL
    # an index that has it, opened with it turned off, does not use it
    assert GuidanceIndex.open(off).second_similarities("transport", [p.passage_id for p in _passages(index)]) is None
    assert ingest_paths([library], on).version == ""  # unchanged re-ingest does no work


def test_damaged_second_view_vectors_say_how_to_rebuild(library: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    ingest_paths([library], settings)
    folder = _live_folder(settings)
    np.save(folder / SECOND_VECTORS, np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(IndexDamagedError, match=r"second_vectors\.npy"):
        GuidanceIndex.open(settings)
    # rows that do not match the passages, with a checksum that does, are refused too
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    manifest["checksums"][SECOND_VECTORS] = hashlib.sha256((folder / SECOND_VECTORS).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="second-view vectors"):
        GuidanceIndex.open(settings)
    # ingest rebuilds a damaged index from the files given
    report = ingest_paths([library], settings)
    assert report.ok and report.version
    assert GuidanceIndex.open(settings).snapshot.second_model == SECOND_VIEW_MODEL
