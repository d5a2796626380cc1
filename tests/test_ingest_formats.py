"""HTML, markdown and text parsing, metadata detection and bad input, on files the tests write."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ingest import IngestError, parse_file
from tests.conftest import ANNOUNCEMENTS

GOVUK_HTML = """<!doctype html><html><head><title>Promoting the education of children - GOV.UK</title>
<meta name="govuk:first-published-at" content="2021-06-16T10:00:00+01:00"></head>
<body><header>GOV.UK navigation</header><nav>Menu</nav>
<main><h1>Promoting the education of children with a social worker and children in kinship care arrangements</h1>
<div class="govspeak">
<p>Non-statutory guidance for local authorities.</p>
<h2 id="cohort">The cohort</h2>
<p>1. This guidance covers children with a social worker and children in kinship care.</p>
<h3 id="kinship-care">Kinship care</h3>
<p>2. From September 2024 the role includes children in kinship care arrangements.</p>
<p>The virtual school head should:</p>
<ul><li>offer advice to education settings</li><li>promote attendance</li></ul>
<h2 id="funding">Funding</h2>
<p>3. Local authorities receive a grant to support the role.</p>
</div></main><footer>Crown copyright</footer><script>var x = 1;</script></body></html>
"""


def test_govuk_html_sections_paragraphs_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "vsh-extension.html"
    path.write_text(GOVUK_HTML, encoding="utf-8")
    doc = parse_file(path)
    assert doc.meta.title.startswith("Promoting the education of children with a social worker")
    assert doc.meta.status == "non-statutory" and doc.meta.format == "html"
    assert doc.meta.published is not None and doc.meta.published.isoformat() == "2021-06-16"
    by_para = {p.paragraphs[0]: p for p in doc.passages if p.paragraphs}
    assert by_para["2"].section_path == ["The cohort", "Kinship care"]
    assert by_para["2"].section_anchor == "kinship-care" or by_para["2"].section_path[-1] == "Kinship care"
    assert "• offer advice to education settings" in by_para["2"].text
    assert by_para["3"].section_path == ["Funding"]
    text = " ".join(p.text for p in doc.passages)
    assert "navigation" not in text and "Crown copyright" not in text and "var x" not in text


def test_markdown_headings_and_numbered_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "local-policy.md"
    path.write_text(
        "# Our virtual school policy\n\nStatutory guidance applies; this is local policy.\n\n"
        "## Personal education plans\n\n4. The PEP **must** be reviewed each term.\n\n"
        "### Timing\n\n5. Reviews happen before the care plan review.\n",
        encoding="utf-8",
    )
    (tmp_path / "local-policy.md.meta.toml").write_text('status = "local"\n', encoding="utf-8")
    doc = parse_file(path)
    assert doc.meta.title == "Our virtual school policy" and doc.meta.status == "local"
    by_para = {p.paragraphs[0]: p for p in doc.passages if p.paragraphs}
    assert by_para["4"].section_path == ["Personal education plans"]
    assert by_para["4"].text == "4. The PEP must be reviewed each term."
    assert by_para["5"].section_path == ["Personal education plans", "Timing"]


def test_plain_text_with_unknown_status_is_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Meeting notes\n\nSome thoughts about school places for children.\n", encoding="utf-8")
    doc = parse_file(path)
    assert doc.meta.status == "unknown"
    assert any("status could not be determined" in warning for warning in doc.warnings)


def test_announcements_use_the_manifest(corpus: Path) -> None:
    doc = parse_file(ANNOUNCEMENTS / "2023-12_vsh-role-extension-kinship-update.txt")
    assert doc.meta.doc_id == "vsh-kinship-update-2023" and doc.meta.status == "announcement"
    assert doc.meta.published is not None and doc.meta.published.isoformat() == "2023-12-15"
    text = " ".join(p.text for p in doc.passages)
    assert "From September 2024" in text and "Write a Comment" not in text


def _encrypted_pdf(path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    with path.open("wb") as handle:
        writer.write(handle)


def _blank_pdf(path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    with path.open("wb") as handle:
        writer.write(handle)


FONT = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}


def _text_pdf(
    path: Path, user_password: str | None = None, algorithm: str = "AES-256", *, compress: bool = False
) -> None:
    """A real PDF with a few lines of text; with a `user_password`, AES-encrypted as Acrobat writes them
    (`user_password` may be empty: anyone may open it, only printing or copying is restricted)."""
    writer = PdfWriter()
    page = writer.add_blank_page(400, 300)
    lines = [
        "The virtual school head must promote the educational attainment of looked-after children.",
        "The designated teacher should work with the virtual school head on the personal education plan.",
        "Governing bodies should make sure that the designated teacher has the training the role needs.",
        "Carers should be told how the school will use pupil premium plus for the child in their care.",
    ]
    text = " ".join(f"BT /F1 10 Tf 20 {200 - 20 * i} Td ({line}) Tj ET" for i, line in enumerate(lines))
    content = DecodedStreamObject()
    content.set_data(text.encode())
    page[NameObject("/Contents")] = writer._add_object(content)
    font = DictionaryObject({NameObject(k): NameObject(v) for k, v in FONT.items()})
    fonts = DictionaryObject({NameObject("/F1"): font})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    if compress:
        page.compress_content_streams()
    if user_password is not None:
        writer.encrypt(user_password, owner_password="owner", algorithm=algorithm)
    with path.open("wb") as handle:
        writer.write(handle)


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_an_aes_encrypted_pdf_anyone_may_open_is_read(tmp_path: Path, algorithm: str) -> None:
    path = tmp_path / "open.pdf"
    _text_pdf(path, "", algorithm)
    doc = parse_file(path)
    assert "educational attainment of looked-after children" in " ".join(p.text for p in doc.passages)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("locked.pdf", _encrypted_pdf, "encrypted"),
        ("aes256-locked.pdf", lambda p: _text_pdf(p, "secret"), "encrypted"),
        ("scan.pdf", _blank_pdf, "no extractable text"),
        ("corrupt.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n%%garbage" * 20), "corrupt"),
        ("fake.pdf", lambda p: p.write_bytes(b"hello, not a pdf"), "not a PDF"),
        ("empty.md", lambda p: p.write_bytes(b""), "empty"),
        ("report.docx", lambda p: p.write_bytes(b"PK\x03\x04"), "unsupported file type"),
        ("binary.txt", lambda p: p.write_bytes(b"\x00\x01\x02" * 10), "binary"),
    ],
)
def test_bad_input_gets_one_line_error_naming_the_file(tmp_path: Path, name: str, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    make(path)
    with pytest.raises(IngestError) as caught:
        parse_file(path)
    assert message in str(caught.value)
    assert name in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "compressed"])
def test_a_pdf_corrupted_anywhere_gets_one_readable_error_line(tmp_path: Path, compress: bool) -> None:
    """Flip each byte of a small valid PDF in turn: every file pypdf cannot read is refused with one line of
    plain text naming it, the reason kept only when it is text (never the raw bytes pypdf quotes)."""
    good = tmp_path / "good.pdf"
    _text_pdf(good, compress=compress)
    raw = good.read_bytes()
    assert "educational attainment" in " ".join(p.text for p in parse_file(good).passages)
    path = tmp_path / "flipped.pdf"
    errors: set[str] = set()
    for at in range(len(raw)):
        path.write_bytes(raw[:at] + b"\xff" + raw[at + 1 :])
        try:
            parse_file(path)
        except IngestError as exc:
            errors.add(str(exc))
    assert f"{path}: the PDF is corrupt or unreadable" in errors  # pypdf's reason quoted raw bytes: left out
    assert f"{path}: the PDF is corrupt or unreadable (startxref not found)" in errors  # a plain reason is kept
    for error in errors:
        assert error.startswith(f"{path}: ") and error.isprintable() and error.isascii(), error
        assert "\\x" not in error and "b'" not in error and len(error) <= len(str(path)) + 170, error


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        parse_file(tmp_path / "missing.pdf")
    with pytest.raises(IngestError, match="folder"):
        parse_file(tmp_path)
