"""Incremental ingest, atomic writes and clear errors, on small documents the tests write themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfWriter
from typer.testing import CliRunner

import index.store as store_module
from index import GuidanceIndex, IndexDamagedError, IndexMissingError, ingest_paths
from settings import Settings
from tests.fakes import count_embedding

GUIDANCE_MD = """# Local guidance on school moves

## Planning a move

1. The virtual school must be told before a looked-after child changes school.

2. The designated teacher should share the personal education plan with the new school.

## Transport

3. The local authority should arrange transport so that the child can stay at the same school.
"""

NOTES_TXT = """Attendance notes for social workers

Children with a social worker should be supported to attend school every day.
"""


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "moves.md").write_text(GUIDANCE_MD, encoding="utf-8")
    (folder / "notes.txt").write_text(NOTES_TXT, encoding="utf-8")
    (folder / "moves.md.meta.toml").write_text('status = "local"\ndoc_id = "local-moves"\n', encoding="utf-8")
    return folder


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_unchanged_reingest_does_no_work(library: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ingest_paths([library], settings)
    assert first.ok and {d.action for d in first.documents} == {"added"}
    assert {d.doc_id for d in first.documents} >= {"local-moves"}
    calls = count_embedding(monkeypatch)
    again = ingest_paths([library], settings)
    assert again.ok and {d.action for d in again.documents} == {"unchanged"}
    assert calls == [] and again.embedded_passages == 0 and again.version == ""


def test_changed_file_reembeds_only_its_new_text(
    library: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_paths([library], settings)
    before = GuidanceIndex.open(settings)
    notes_before = before.passages(next(d.doc_id for d in before.documents() if d.format == "text"))
    (library / "moves.md").write_text(GUIDANCE_MD + "\n## Records\n\n4. Records must move with the child.\n")
    calls = count_embedding(monkeypatch)
    report = ingest_paths([library], settings)
    actions = {d.doc_id: d.action for d in report.documents}
    assert actions["local-moves"] == "updated" and list(actions.values()).count("unchanged") == 1
    # one bulk call: the new passage, its one sentence ("Records: Records must move...") and its new heading
    assert calls == [3] and report.embedded_passages == 1 and report.embedded_units == 1
    assert report.reused_units >= 4
    after = GuidanceIndex.open(settings)
    assert any("Records must move" in p.text for p in after.passages("local-moves"))
    assert after.passages(notes_before[0].doc_id) == notes_before
    # the stored units are the assistant's units of every passage, reused ones included
    from assistant.units import passage_units

    passages = [p for d in after.documents() for p in after.passages(d.doc_id)]
    stored = after.units(passages)
    for passage in passages:
        assert stored[passage.passage_id].texts == [u for u, _ in passage_units(passage)]
    unchanged = before.units(notes_before)[notes_before[0].passage_id]
    assert (after.units(notes_before)[notes_before[0].passage_id].vectors == unchanged.vectors).all()
    assert set(after.heading_vectors(["Records", "Transport"])) == {"Records", "Transport"}


def test_removed_file_removes_its_passages(library: Path, settings: Settings) -> None:
    ingest_paths([library], settings)
    (library / "notes.txt").unlink()
    report = ingest_paths([library], settings)
    assert len(report.removed) == 1
    index = GuidanceIndex.open(settings)
    assert [d.doc_id for d in index.documents()] == ["local-moves"]
    assert all(p.doc_id == "local-moves" for p in index.passages("local-moves"))


def test_duplicates_and_bad_files_fail_without_losing_the_index(
    library: Path, settings: Settings, tmp_path: Path
) -> None:
    ingest_paths([library], settings)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "copy-of-moves.md").write_text(GUIDANCE_MD, encoding="utf-8")
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    (bad / "empty.txt").write_text("", encoding="utf-8")
    (bad / "fine.md").write_text("# Fine\n\n## Part\n\n1. Fine guidance text about exclusions.\n", encoding="utf-8")
    report = ingest_paths([bad, tmp_path / "missing.pdf"], settings)
    errors = {Path(f.path).name: f.error for f in report.failed}
    assert "duplicate of local-moves" in errors["copy-of-moves.md"]
    assert "corrupt" in errors["corrupt.pdf"] and "corrupt.pdf" in errors["corrupt.pdf"]
    assert "empty" in errors["empty.txt"]
    assert "no such file" in errors["missing.pdf"]
    assert not report.ok
    index = GuidanceIndex.open(settings)
    ids = {d.doc_id for d in index.documents()}
    assert "local-moves" in ids and len(ids) == 3  # the earlier two and fine.md


def test_crash_while_writing_keeps_the_previous_index(
    library: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_paths([library], settings)
    version = GuidanceIndex.open(settings).version
    (library / "moves.md").write_text(GUIDANCE_MD.replace("transport", "travel"), encoding="utf-8")

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_module.np, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        ingest_paths([library], settings)
    monkeypatch.undo()
    index = GuidanceIndex.open(settings)
    assert index.version == version and len(index.documents()) == 2
    assert not list((settings.data_dir / "index").glob(".tmp-*"))


def test_missing_and_damaged_index_say_how_to_rebuild(library: Path, settings: Settings) -> None:
    with pytest.raises(IndexMissingError, match="vsh ingest"):
        GuidanceIndex.open(settings)
    ingest_paths([library], settings)
    live = settings.data_dir / "index" / (settings.data_dir / "index" / "CURRENT").read_text().strip()
    (live / "passages.jsonl").write_text('{"broken": true}\n', encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="vsh ingest"):
        GuidanceIndex.open(settings)
    report = ingest_paths([library], settings)  # rebuilding from the files repairs it
    assert report.ok and any("damaged" in note for note in report.notes)
    assert len(GuidanceIndex.open(settings).documents()) == 2


@pytest.mark.parametrize("damaged", ["model.onnx", "tokenizer.json", "CURRENT"])
def test_a_damaged_onnx_export_or_index_pointer_says_how_to_rebuild(
    library: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, damaged: str
) -> None:
    from vsh.cli import app

    ingest_paths([library], settings)
    export = next((settings.data_dir / "onnx").iterdir())
    path = settings.data_dir / "index" / "CURRENT" if damaged == "CURRENT" else export / damaged
    path.unlink()  # a new file: the export may be hard-linked to another data directory's
    path.write_bytes(b"\xe5\x00 half-copied" if damaged == "CURRENT" else path.name.encode() * 10)
    with pytest.raises(IndexDamagedError, match="vsh ingest"):
        GuidanceIndex.open(settings)
    if damaged == "CURRENT":  # a server's reload check sees no new version (and keeps the index it has)
        assert store_module.current_version(settings.data_dir) == ""
    monkeypatch.setattr("index.cli.get_settings", lambda: settings)
    result = CliRunner().invoke(app, ["search", "school moves"])
    assert result.exit_code == 2 and "damaged" in result.output and "Traceback" not in result.output


def test_cli_reports_errors_and_exit_codes(
    library: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsh.cli import app

    monkeypatch.setattr("index.cli.get_settings", lambda: settings)
    runner = CliRunner()
    missing = runner.invoke(app, ["search", "school moves"])
    assert missing.exit_code == 2 and "vsh ingest" in missing.output and "Traceback" not in missing.output
    encrypted = tmp_path / "locked.pdf"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    with encrypted.open("wb") as handle:
        writer.write(handle)
    result = runner.invoke(app, ["ingest", "--quiet", str(library), str(encrypted)])
    assert result.exit_code == 1
    assert "locked.pdf" in result.output and "encrypted" in result.output
    assert "local-moves" in result.output
    ok = runner.invoke(app, ["search", "who arranges transport", "--json", "--k", "2"])
    hits = json.loads(ok.output)
    assert ok.exit_code == 0 and hits[0]["doc_id"] == "local-moves" and hits[0]["status"] == "local"
    assert hits[0]["paragraphs"] == ["3"] and hits[0]["section"] == "Transport"


def test_cli_error_lines_show_paths_with_brackets_as_they_are(
    library: Path, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsh.cli import app

    folder = tmp_path / "drafts[" / "]old"  # the path reads ".../drafts[/]old/...": a closing tag to Rich
    folder.mkdir(parents=True)
    (folder / "KCSIE [draft].pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    (library / "brackets.md").write_text(
        "# Records [/draft]\n\n## Archive [/old]\n\n1. The virtual school keeps records of every exclusion.\n"
    )
    monkeypatch.setattr("index.cli.get_settings", lambda: settings)
    result = CliRunner().invoke(app, ["ingest", "--quiet", str(library), str(folder)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert "drafts[/]old/KCSIE[draft].pdf:thePDFiscorrupt" in "".join(result.output.split())  # lines wrap
    found = CliRunner().invoke(app, ["search", "records of every exclusion", "--k", "1"])
    assert found.exit_code == 0 and "Archive [/old]" in found.output, found.output
    listed = CliRunner().invoke(app, ["docs"])
    assert listed.exit_code == 0 and "Records [/draft]" in listed.output, listed.output


@pytest.mark.parametrize("question", ["", "   \n\t", "school moves " * 200])
def test_vsh_ask_refuses_an_empty_or_over_long_question_as_the_api_does(
    library: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    from settings import get_settings
    from vsh.cli import app

    ingest_paths([library], settings)
    monkeypatch.setenv("VSH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["ask", question])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    expected = "is too long" if question.strip() else "The question is empty"
    assert expected in result.output and "closest sections" not in result.output


def test_an_unwritable_data_directory_is_one_error_line_not_a_traceback(
    library: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsh.cli import app

    settings.data_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.data_dir.write_text("VSH_DATA_DIR names a file\n")  # as root, a read-only folder is still writable
    monkeypatch.setattr("index.cli.get_settings", lambda: settings)
    result = CliRunner().invoke(app, ["ingest", "--quiet", str(library)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    text = " ".join(result.output.split())
    assert f"could not write the index in {settings.data_dir}" in text and "Not a directory" in text
    assert "torch" not in text and settings.data_dir.read_text() == "VSH_DATA_DIR names a file\n"
