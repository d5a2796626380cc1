"""Search on the real corpus index: known questions find their paragraphs; filters; CLI output."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from index import GuidanceIndex, SearchFilters
from settings import Settings


@pytest.fixture(scope="module")
def index(corpus_settings: Settings) -> GuidanceIndex:
    return GuidanceIndex.open(corpus_settings)


@pytest.mark.parametrize(
    ("question", "doc_id", "paragraph", "page", "k"),
    [
        ("Which children are eligible for Pupil Premium Plus funding?", "designated-teacher-2018", "39", 21, 5),
        ("Who manages pupil premium plus for looked-after children?", "designated-teacher-2018", "41", 22, 10),
        (
            "What should the designated teacher do with the personal education plan?",
            "designated-teacher-2018",
            None,
            16,
            5,
        ),
        ("What is the role of virtual school heads in health assessments?", "health-wellbeing-lac-2015", "67", 24, 5),
        ("What does a personal adviser do for care leavers?", "care-leavers-transition-2010", None, None, 5),
    ],
)
def test_known_questions_find_their_paragraph(
    index: GuidanceIndex, question: str, doc_id: str, paragraph: str | None, page: int | None, k: int
) -> None:
    hits = index.search(question, k=k)
    assert any(
        hit.doc.doc_id == doc_id
        and (paragraph is None or paragraph in hit.passage.paragraphs)
        and (page is None or page in hit.passage.pages)
        for hit in hits
    ), [(h.doc.doc_id, h.passage.paragraphs, h.passage.pages) for h in hits]


def test_hits_carry_locators_and_fused_scores(index: GuidanceIndex) -> None:
    hits = index.search("pupil premium plus eligibility", k=5)
    assert [hit.rank for hit in hits] == [1, 2, 3, 4, 5]
    assert hits == sorted(hits, key=lambda hit: -hit.score)
    top = hits[0]
    assert top.passage.section_path and top.passage.pages and top.doc.status == "statutory"
    assert top.dense_score is not None and top.keyword_score is not None


def test_filters_by_document_status_and_date(index: GuidanceIndex) -> None:
    only_kcsie = index.search("virtual school head", k=10, filters=SearchFilters(doc_ids=["kcsie-2025"]))
    assert only_kcsie and {hit.doc.doc_id for hit in only_kcsie} == {"kcsie-2025"}
    announcements = index.search("virtual school head role", k=10, filters=SearchFilters(statuses=["announcement"]))
    assert announcements and {hit.doc.status for hit in announcements} == {"announcement"}
    recent = index.search("virtual school head", k=20, filters=SearchFilters(published_from=date(2023, 1, 1)))
    assert recent and all(hit.doc.published and hit.doc.published >= date(2023, 1, 1) for hit in recent)
    assert index.search("virtual school head", filters=SearchFilters(doc_ids=["no-such-doc"])) == []


def test_catalogue(index: GuidanceIndex) -> None:
    ids = {doc.doc_id for doc in index.documents()}
    assert {"designated-teacher-2018", "kcsie-2025", "vsh-kinship-update-2023"} <= ids
    assert len(ids) == 9  # SOURCES.md and SHA256SUMS are corpus notes, not documents
    passages = index.passages("designated-teacher-2018")
    assert [p.order for p in passages] == sorted(p.order for p in passages)
    assert index.passage(passages[3].passage_id) == passages[3]
    assert index.manifest["dimension"] == 384 and index.manifest["passages"] == len(index)


def test_search_and_docs_cli(corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from settings import config as settings_module
    from vsh.cli import app

    monkeypatch.setattr(settings_module, "get_settings", lambda: corpus_settings)
    monkeypatch.setattr("index.cli.get_settings", lambda: corpus_settings)
    runner = CliRunner()
    result = runner.invoke(app, ["search", "Who is eligible for Pupil Premium Plus?", "--k", "5", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 5
    assert set(hits[0]) >= {"doc_id", "title", "status", "section", "paragraphs", "pages", "text", "score"}
    assert any("39" in hit["paragraphs"] for hit in hits)
    human = runner.invoke(app, ["search", "pupil premium plus"])
    assert human.exit_code == 0 and "Pupil Premium Plus (PP+)" in human.output
    listing = runner.invoke(app, ["docs", "--json"])
    assert listing.exit_code == 0 and len(json.loads(listing.output)) == 9
