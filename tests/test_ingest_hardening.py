"""Ingest against careless input (issue 12): symbolic link loops named on the command line, empty files of
different types, very large text files, and plain-text files whose first paragraph is text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from index import GuidanceIndex, ingest_paths
from index.build import expand_paths
from ingest import IngestError, parse_file
from settings import Settings

ONE_PARAGRAPH = (
    "The virtual school head must make sure that every looked-after child has an up-to-date personal education "
    "plan, reviewed each term with the designated teacher and the social worker.\n"
)


def test_a_symlink_loop_named_on_the_command_line_is_reported_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings import get_settings
    from vsh.cli import app

    os.symlink(tmp_path / "loop-b", tmp_path / "loop-a")
    os.symlink(tmp_path / "loop-a", tmp_path / "loop-b")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    good = tmp_path / "plan.txt"
    good.write_text(ONE_PARAGRAPH, encoding="utf-8")

    files, failed, _ = expand_paths([tmp_path / "loop-a", tmp_path / "dangling.md", good])
    assert files == [good]
    reasons = {Path(f.path).name: f.error for f in failed}
    assert "symbolic link loop" in reasons["loop-a"]
    assert "broken symbolic link" in reasons["dangling.md"]

    monkeypatch.setenv("VSH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["ingest", "-q", str(tmp_path / "loop-a"), str(good)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "symbolic link loop" in result.output
    assert "added" in result.output  # the other file went in


def test_empty_files_are_reported_as_empty_not_as_duplicates(tmp_path: Path) -> None:
    for name in ("empty.pdf", "empty.txt", "empty.md"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "blank.html").write_text("   \n\n", encoding="utf-8")
    report = ingest_paths(sorted(tmp_path.iterdir()), Settings(data_dir=tmp_path / "data"))
    errors = {Path(f.path).name: f.error for f in report.failed}
    assert set(errors) == {"empty.pdf", "empty.txt", "empty.md", "blank.html"}
    for error in errors.values():
        assert "empty" in error and "duplicate" not in error, error


def test_a_very_large_text_file_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(("The designated teacher promotes the education of looked-after children. " * 20 + "\n\n") * 50)
    with pytest.raises(IngestError) as caught:
        parse_file(big, max_chars=10_000)
    assert "VSH_INGEST_MAX_CHARS" in str(caught.value) and "10,000" in str(caught.value)
    report = ingest_paths([big], Settings(data_dir=tmp_path / "data", ingest_max_chars=10_000))
    assert [Path(f.path).name for f in report.failed] == ["big.txt"] and report.embedded_passages == 0
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * 50_001)
    with pytest.raises(IngestError, match="too much text"):
        parse_file(huge, max_chars=10_000)  # refused before it is even decoded
    assert parse_file(big, max_chars=0).passages  # 0 = no limit


def test_a_one_paragraph_text_file_is_ingested_and_its_text_indexed(tmp_path: Path) -> None:
    path = tmp_path / "pep.txt"
    path.write_text(ONE_PARAGRAPH, encoding="utf-8")
    doc = parse_file(path)
    assert doc.meta.title.startswith("The virtual school head must make sure")
    assert "personal education plan" in " ".join(p.text for p in doc.passages)

    two = tmp_path / "two.txt"
    two.write_text(ONE_PARAGRAPH + "\nA second paragraph about the pupil premium plus grant.\n", encoding="utf-8")
    text = " ".join(p.text for p in parse_file(two).passages)
    assert "every looked-after child" in text and "pupil premium plus" in text

    settings = Settings(data_dir=tmp_path / "data")
    report = ingest_paths([path], settings)
    assert not report.failed, report.failed
    hits = GuidanceIndex.open(settings).search("personal education plan reviewed each term", k=1)
    assert hits and "reviewed each term" in hits[0].passage.text


def test_a_title_line_stays_the_title(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Attendance notes for social workers\n\n" + ONE_PARAGRAPH, encoding="utf-8")
    doc = parse_file(path)
    assert doc.meta.title == "Attendance notes for social workers"
    assert all("Attendance notes" not in p.text for p in doc.passages)


POLICY_MD = (
    "# Our virtual school policy\n\n## Personal education plans\n\n4. The PEP must be reviewed each term – “on time”.\n"
)


@pytest.mark.parametrize(
    ("name", "bom", "codec"),
    [
        ("notepad-unicode.txt", b"\xff\xfe", "utf-16-le"),  # Notepad's "Unicode", with Windows line ends
        ("notepad-unicode.md", b"\xff\xfe", "utf-16-le"),
        ("big-endian.md", b"\xfe\xff", "utf-16-be"),
        ("utf8-bom.md", b"\xef\xbb\xbf", "utf-8"),
    ],
    ids=["utf-16-le-txt", "utf-16-le-md", "utf-16-be-md", "utf-8-bom-md"],
)
def test_a_utf16_or_utf8_bom_text_file_is_decoded_and_ingested(
    tmp_path: Path, name: str, bom: bytes, codec: str
) -> None:
    path = tmp_path / name
    text = POLICY_MD if name.endswith(".md") else ONE_PARAGRAPH
    path.write_bytes(bom + text.replace("\n", "\r\n").encode(codec))
    doc = parse_file(path)
    passages = " ".join(p.text for p in doc.passages)
    assert "\x00" not in passages and "\ufeff" not in passages and "\r" not in passages
    if name.endswith(".md"):
        assert doc.meta.title == "Our virtual school policy"
        assert "4. The PEP must be reviewed each term – “on time”." in passages
    else:
        assert "every looked-after child has an up-to-date personal education plan" in passages
    report = ingest_paths([path], Settings(data_dir=tmp_path / "data"))
    assert not report.failed, report.failed


@pytest.mark.parametrize("bom", [b"", b"\xff\xfe", b"\xfe\xff"], ids=["no-bom", "utf-16-le-bom", "utf-16-be-bom"])
def test_a_binary_file_is_still_refused_even_after_a_utf16_bom(tmp_path: Path, bom: bytes) -> None:
    import random

    path = tmp_path / "photo.txt"
    path.write_bytes(bom + random.Random(7).randbytes(4000) + b"\x00\x00")
    with pytest.raises(IngestError) as caught:
        parse_file(path)
    assert str(caught.value) == f"{path}: looks like a binary file, not text"
