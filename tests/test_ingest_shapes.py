"""Guidance in the shapes users bring it: a GOV.UK page as published today and as saved from a browser,
markdown and plain text with numbered headings. Small original texts written by the tests."""

from __future__ import annotations

from pathlib import Path

from ingest import parse_file

# Today's GOV.UK page markup: the body is `gem-c-govspeak govuk-govspeak` (no inner `.govspeak`), inside a
# <main> that also holds the page header, the published dates and the related links.
GOVUK_PAGE = """<!DOCTYPE html>
<!-- saved from url=(0075)https://www.gov.uk/guidance/virtual-school-heads-advice-on-exclusions -->
<html lang="en"><head><title>Virtual school heads: advice on exclusions - GOV.UK</title>
<link rel="canonical" href="https://www.gov.uk/guidance/virtual-school-heads-advice-on-exclusions"></head>
<body><div id="global-cookie-message" class="gem-c-cookie-banner" hidden>
<h2 class="govuk-cookie-banner__heading">Cookies on GOV.UK</h2><p>We use some essential cookies.</p></div>
<main role="main" id="content">
<h1 class="gem-c-heading__text">Virtual school heads: advice on exclusions</h1>
<p class="publication-header__last-changed">Updated 10 September 2024</p>
<nav class="gem-c-contents-list" aria-label="Contents"><h2>Contents</h2>
<ol><li><a href="#before-an-exclusion">Before an exclusion</a></li></ol></nav>
<div class="gem-c-govspeak govuk-govspeak" data-module="govspeak">
<p>This guidance is non-statutory.</p>
<h2 id="before-an-exclusion">Before an exclusion</h2>
<p>1. A headteacher considering excluding a looked-after child should first contact the virtual school head.</p>
</div>
<div class="gem-c-print-link"><button>Print this page</button></div>
<div class="gem-c-related-navigation"><h2>Related content</h2><ul><li><a href="/x">School exclusion</a></li></ul></div>
<div class="gem-c-published-dates"><p>Published 2 May 2023</p></div>
</main><footer><p>Crown copyright</p></footer></body></html>
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_govuk_page_is_read_from_its_govspeak_body_only(tmp_path: Path) -> None:
    doc = parse_file(_write(tmp_path, "exclusions.html", GOVUK_PAGE))
    text = "\n".join(p.text for p in doc.passages)
    assert "This guidance is non-statutory." in text and "1. A headteacher" in text
    for chrome in ("Updated 10 September", "Related content", "School exclusion", "Published 2 May", "Print this"):
        assert chrome not in text
    assert [p.section_path for p in doc.passages if p.paragraphs == ["1"]] == [["Before an exclusion"]]


def test_a_page_saved_from_the_browser_links_to_its_govuk_address(tmp_path: Path) -> None:
    url = "https://www.gov.uk/guidance/virtual-school-heads-advice-on-exclusions"
    doc = parse_file(_write(tmp_path, "Virtual school heads_ advice on exclusions - GOV.UK.html", GOVUK_PAGE))
    assert doc.meta.source_url == url
    cited = next(p for p in doc.passages if p.paragraphs == ["1"])
    assert doc.meta.source_link(cited.section_anchor) == f"{url}#before-an-exclusion"
    saved_only = GOVUK_PAGE.replace(f'<link rel="canonical" href="{url}">', "")
    assert parse_file(_write(tmp_path, "saved.html", saved_only)).meta.source_url == url


def test_a_govuk_table_keeps_its_rows_and_headings(tmp_path: Path) -> None:
    page = """<html><body><main><h1>Pupil premium plus</h1><div class="govuk-govspeak">
<h2 id="rates">Rates</h2><p>8. The grant for 2024 to 2025 is paid at these rates.</p>
<table><caption>Rates per pupil</caption>
<thead><tr><th scope="col">Group of children</th><th scope="col">Amount per pupil</th></tr></thead>
<tbody><tr><td>Looked-after children</td><td>£2,570</td></tr>
<tr><td>Children who left care through adoption</td><td><ul><li>£2,570</li></ul></td></tr></tbody></table>
</div></main></body></html>"""
    doc = parse_file(_write(tmp_path, "rates.html", page))
    text = "\n".join(p.text for p in doc.passages)
    assert "Rates per pupil\n• Group of children: Looked-after children; Amount per pupil: £2,570\n" in text
    assert "• Group of children: Children who left care through adoption; Amount per pupil: £2,570" in text
    assert text.count("£2,570") == 2


def test_html_dates_and_figures_at_a_paragraph_start_are_not_paragraph_numbers(tmp_path: Path) -> None:
    page = """<html><body><div class="govuk-govspeak"><h2 id="dates">Dates</h2>
<p>4. The duty applies to every local authority.</p>
<p>1 September 2024 is the date the extended role begins.</p>
<p>1.5 million pupils had a social worker at some point in the last six years.</p>
<p>4.2 Local authorities should publish their virtual school offer.</p></div></body></html>"""
    doc = parse_file(_write(tmp_path, "dates.html", page))
    assert [p.paragraphs for p in doc.passages] == [["4", "4.2"]]


PROTOCOL_TXT = """Virtual school protocol for children with a social worker

Non-statutory guidance for schools in the county.

1. Introduction

1.1 Purpose

1. This protocol explains how the virtual school supports children who have a social worker.

1.2 Who this protocol is for

2. This protocol is for headteachers, designated teachers and social workers.

2. Responsibilities

2.1 The virtual school head should answer a request for advice within 5 working days.

2.2 Designated teachers should tell the virtual school when attendance falls below 90 per cent.
"""


def test_plain_text_numbered_headings_make_the_section_path(tmp_path: Path) -> None:
    doc = parse_file(_write(tmp_path, "protocol.txt", PROTOCOL_TXT))
    by_para = {p.paragraphs[0]: p for p in doc.passages if len(p.paragraphs) == 1}
    assert by_para["1"].section_path == ["1. Introduction", "1.1 Purpose"]
    assert by_para["1"].text.startswith("1. This protocol explains")
    assert by_para["2"].section_path == ["1. Introduction", "1.2 Who this protocol is for"]
    responsibilities = [p for p in doc.passages if p.section_path == ["2. Responsibilities"]]
    assert [p.paragraphs for p in responsibilities] == [["2.1", "2.2"]]
    assert "Introduction" not in " ".join(p.text for p in doc.passages)


GUIDE_MD = """# Attendance support for children in kinship care

## Contents

1. [Introduction](#introduction)
2. [Advice for schools](#advice-for-schools)

## Introduction

1. This guidance sets out how virtual school heads promote good attendance for children in kinship care.

## Advice for schools

2. Schools should take these steps when attendance falls:
1. talk to the child
2. meet the kinship carer

3. When absence persists the school should also:

   1. ask the virtual school for advice
   2. record the advice given[^1]

| Attendance | Action by the school |
|---|---|
| Below 90% | Meet the carer |

[^1]: In the child's education record.
"""


def test_markdown_contents_lists_tables_and_footnotes(tmp_path: Path) -> None:
    doc = parse_file(_write(tmp_path, "attendance.md", GUIDE_MD))
    assert all(p.section_path != ["Contents"] for p in doc.passages)
    cited = [number for p in doc.passages if p.section_path == ["Advice for schools"] for number in p.paragraphs]
    assert cited == ["2", "3"]
    text = "\n".join(p.text for p in doc.passages)
    assert "when attendance falls:\n• talk to the child\n• meet the kinship carer" in text
    assert "• ask the virtual school for advice\n• record the advice given\n" in text
    assert "• Attendance: Below 90%; Action by the school: Meet the carer" in text
    assert "[^1]" not in text
    assert [p.text for p in doc.passages if p.section_path == ["Footnotes"]] == [
        "Footnote 1 In the child's education record."
    ]


def test_an_updated_govuk_page_is_cited_with_its_update_date(tmp_path: Path) -> None:
    page = """<html><head><meta name="govuk:first-published-at" content="2022-03-01T09:30:00+00:00">
<meta name="govuk:public-updated-at" content="2024-09-10T14:12:03+01:00"></head><body><main><h1>Virtual schools</h1>
<div class="govuk-govspeak"><p>1. This statutory guidance replaces the version of March 2022.</p></div></main></body></html>"""
    meta = parse_file(_write(tmp_path, "virtual-schools.html", page)).meta
    assert meta.published is not None and meta.published.isoformat() == "2022-03-01"
    assert meta.published_label == "1 March 2022, updated 10 September 2024"


def _text_pdf(path: Path, pages: list[list[str]]) -> None:
    """A PDF without bookmarks: each page's lines in Helvetica, top down."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = DictionaryObject({NameObject(k): NameObject(v) for k, v in [("/Type", "/Font"), ("/Subtype", "/Type1")]})
    font[NameObject("/BaseFont")] = NameObject("/Helvetica")
    for lines in pages:
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        shown = " ".join(f"({line}) Tj T*" for line in lines)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 11 Tf 14 TL 56 800 Td {shown} ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    with path.open("wb") as handle:
        writer.write(handle)


def test_a_pdf_cover_title_stops_before_its_kind_and_publisher(tmp_path: Path) -> None:
    body = "1. Admission authorities must give looked-after children the highest priority in their criteria."
    path = tmp_path / "admissions.pdf"
    cover = ["Looked-after children and school admissions", "Non-statutory advice for virtual school heads"]
    _text_pdf(path, [[*cover, "Department for Education", "November 2024"], ["Summary", body, body, body]])
    doc = parse_file(path)
    assert doc.meta.title == "Looked-after children and school admissions"
    assert doc.meta.status == "non-statutory"
