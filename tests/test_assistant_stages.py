"""Each answer stage alone, over the deterministic fake retriever (no model, no corpus index)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fakes import FAKE_DOCUMENTS, FAKE_PASSAGES, FakeRetriever, fake_assistant

import assistant.core as core_module
from assistant import Assistant
from assistant.compose import LEGEND_PARTS, legend, point_source
from assistant.conversation import Conversation
from assistant.decline import NOTHING_CLOSE_REASON, evidence_level, fact_finder
from assistant.models import Citation
from assistant.question import analyse
from assistant.rerank import FEATURES, corroborated, load_further_ranker, load_ranker
from assistant.retrieve import Candidate, retrieve, widened_query
from assistant.select import FURTHER_RELEVANCE, MAX_FURTHER, Selection, select
from assistant.spans import FURTHER_CONTEXT_CHARS
from assistant.units import UnitCache, paragraph_spans, passage_units
from index.models import SearchHit
from ingest.models import Passage
from settings import Settings

LIST_DOC = FAKE_DOCUMENTS[1].model_copy(update={"doc_id": "fake-lists"})


def _passage(order: int, text: str, paragraphs: list[str]) -> Passage:
    return Passage(
        passage_id=f"fake-lists:{order:05d}",
        doc_id="fake-lists",
        order=order,
        section_path=["Supporting the child"],
        paragraphs=paragraphs,
        pages=[order + 1],
        text=text,
    )


def _unnumbered(order: int, text: str, *section_path: str) -> Passage:
    """A passage of text without numbered paragraphs, in the section named."""
    return _passage(order, text, []).model_copy(update={"section_path": list(section_path)})


LISTS = [
    _passage(
        0,
        "7. Schools decide how best to support each child. The designated teacher should make sure that "
        "the school considers:",
        ["7"],
    ),
    _passage(
        1,
        "• whether the tutoring offered meets the needs in the personal education plan;\n"
        "• whether the child has a quiet place to do homework.\n"
        "8. Governing bodies should review the support every year.",
        ["7", "8"],
    ),
]


@pytest.fixture
def lists() -> FakeRetriever:
    return FakeRetriever(documents=[LIST_DOC], passages=LISTS)


def test_paragraph_spans_split_a_passage_at_its_numbered_paragraphs() -> None:
    spans = paragraph_spans(LISTS[1])
    assert [n for n, _ in spans] == ["7", "8"]
    assert spans[0][1].startswith("• whether the tutoring") and spans[1][1].startswith("8. Governing")
    units = passage_units(LISTS[1])
    assert ("Governing bodies should review the support every year.", "8") in units


def _selection(
    retriever: FakeRetriever,
    question: str,
    relevance: dict[int, float],
    fact: bool = False,
    further: dict[int, float] | None = None,
) -> Selection:
    """The select stage over the retriever's candidates, each given the relevance of its passage's order (with
    `fact`, told the kind of fact the question asks for, as the assistant tells it) and its further-points
    score (`further`, else its relevance, as without a second view)."""
    read = analyse(question)
    vector = retriever.embed([read.text])[0]
    candidates = retrieve(retriever, read.text, vector)
    for c in candidates:
        c.relevance = relevance[c.passage.order]
        c.further = (further or relevance)[c.passage.order]
    candidates.sort(key=lambda c: -c.relevance)
    gives = fact_finder(read) if fact else None
    selection = select(candidates, UnitCache(retriever.embed).get, read, vector, retriever, gives_fact=gives)
    assert selection is not None
    return selection


def test_a_list_item_is_never_quoted_without_its_lead_in(lists: FakeRetriever, fake_settings: Settings) -> None:
    question = "Does the tutoring offered meet the needs in the personal education plan?"
    selection = _selection(lists, question, {0: 0.5, 1: 1.0})
    lead = selection.lead
    assert lead.passage.order == 1 and "tutoring" in lead.focus
    assert lead.text.startswith("The designated teacher should make sure that the school considers:")
    assert [p.order for p in lead.passages] == [0, 1] and lead.paragraphs == ["7"]
    for point in selection.points:
        assert point.text[0].isupper()


def test_a_lead_on_a_sentence_item_is_shown_after_the_lead_in_of_its_list() -> None:
    passages = [
        _passage(
            0,
            "Kinship care is any of the following. e) Where a child is looked after and each of the following "
            "apply: i. The child is cared for by a relative, and ii. The relative is approved as a foster carer "
            "after a full assessment.",
            [],
        )
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    lead = _selection(retriever, "Is the relative approved as a foster carer after a full assessment?", {0: 1.0}).lead
    assert "approved as a foster carer" in lead.focus
    assert lead.text.startswith("Where a child is looked after and each of the following apply: i. The child")
    assert lead.text.endswith("after a full assessment.")


def test_a_pointer_to_a_lost_link_is_never_quoted() -> None:
    passages = [
        _passage(
            0,
            "12. The virtual school head champions children with a social worker. Read the new guidance on the "
            "virtual school head here.",
            ["12"],
        )
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    lead = _selection(retriever, "Where can I read the new guidance on the virtual school head?", {0: 1.0}).lead
    assert lead.text == "The virtual school head champions children with a social worker."


def test_the_fact_asked_for_is_looked_for_further_down_than_other_points() -> None:
    passages = [
        _passage(
            0, "21. The local authority pays the higher education bursary in instalments or as a lump sum.", ["21"]
        ),
        _passage(1, "22. Care leavers in higher education keep a personal adviser.", ["22"]),
        _passage(2, "23. The higher education bursary is £2,000.", ["23"]),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    question = "How much is the higher education bursary, and can it be paid in instalments?"

    # the amount's passage is a third as likely as the lead's: too weak for a further point, not for the fact
    def cited(relevance: dict[int, float], fact: bool) -> list[list[str]]:
        return [p.paragraphs for p in _selection(retriever, question, relevance, fact).points]

    # the amount's passage is a third as likely as the lead's: too weak for a further point, not for the fact
    assert cited({0: 0.6, 1: 0.5, 2: 0.2}, fact=True) == [["21"], ["22"], ["23"]]
    assert cited({0: 0.6, 1: 0.5, 2: 0.2}, fact=False) == [["21"], ["22"]]
    assert ["23"] not in cited({0: 0.6, 1: 0.5, 2: 0.1}, fact=True)


def test_a_heading_line_or_a_question_heading_is_not_what_answers() -> None:
    passages = [
        _passage(
            0,
            "39. The carer keeps the health record and brings it to each review. Who carries out the health "
            "assessment?",
            ["39"],
        ),
        _passage(1, "Health assessments and plans\n40. A registered nurse carries out the health assessment.", ["40"]),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    selection = _selection(retriever, "Who carries out the health assessment?", {0: 1.0, 1: 0.9})
    assert selection.lead.text == "The carer keeps the health record and brings it to each review."  # no question
    [further] = selection.further
    assert further.text == "A registered nurse carries out the health assessment."  # not "... and plans 40."
    assert further.paragraphs == ["40"]


def test_a_lead_stops_before_the_next_glossary_entry_and_an_unbookmarked_heading() -> None:
    passages = [
        _unnumbered(
            0,
            "Child in need plan – A child in need plan sets out the support a family gets from children's services. "
            "Child protection - The activity undertaken to protect children who are suffering significant harm.",
            "Glossary",
        ),
        _unnumbered(
            1,
            "Dual registration is when a pupil attends a second school for a time, such as a hospital school. "
            "2. Ground B - The pupil has not continued at the school Relevant regulation 9(1)(b)",
            "Glossary",
        ),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    lead = _selection(retriever, "What does a child in need plan set out?", {0: 1.0, 1: 0.1}).lead
    assert (
        lead.text
        == "Child in need plan – A child in need plan sets out the support a family gets from children's services."
    )
    lead = _selection(retriever, "What is dual registration of a pupil at a second school?", {0: 0.1, 1: 1.0}).lead
    assert (
        lead.text == "Dual registration is when a pupil attends a second school for a time, such as a hospital school."
    )


def test_a_lead_carried_into_the_next_passage_leaves_out_nothing_between() -> None:
    passages = [
        _unnumbered(
            0,
            "Cyber crimes include:\n• hacking into a school network to change grades\n• denial of service attacks. "
            "These flood a website with traffic from many places, and,",
            "Cybercrime",
        ),
        _unnumbered(
            1, "• making malware to commit further offences. Children may stray into cyber crime.", "Cybercrime"
        ),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    lead = _selection(retriever, "What are denial of service attacks on a school?", {0: 1.0, 1: 0.1}).lead
    quoted = " ".join(" ".join(p.text.split()) for p in lead.passages)
    assert lead.text in quoted, lead.text  # verbatim: the unit ending "and," is kept before the run-on item
    assert lead.text.endswith("to commit further offences.")


RUNS_ON = [
    _passage(
        0,
        "12. The school should review the support each term. The designated teacher should tell the carers how "
        "the child is getting on. The school should also consider:",
        ["12"],
    ),
    _passage(1, "• whether the child needs extra tuition; and", ["12"]),
    _passage(2, "13. Carers should be told how the support is reviewed.", ["13"]),
]


def test_no_point_ends_on_a_lead_in_or_a_list_item_that_runs_on(fake_settings: Settings) -> None:
    retriever = FakeRetriever(documents=[LIST_DOC], passages=RUNS_ON)
    selection = _selection(retriever, "How often should the school review the support?", {0: 1.0, 1: 0.9, 2: 0.8})
    assert selection.lead.text.endswith("how the child is getting on.")
    for point in selection.points:
        assert not point.text.rstrip().endswith((":", "; and", ";"))
    assert all(p.passage.order != 1 for p in selection.further)


def test_a_lead_whose_list_runs_into_the_next_passage_is_quoted_to_the_item_that_closes_it() -> None:
    passages = [
        _passage(0, "14. The designated teacher should make sure that: • the carers know who to call;", ["14"]),
        _passage(1, "• the child's tutor sees the plan. 15. Governors should review it every year.", ["14", "15"]),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    lead = _selection(retriever, "What should the designated teacher make sure of?", {0: 1.0, 1: 0.1}).lead
    assert lead.text.endswith("the child's tutor sees the plan.") and "Governors" not in lead.text
    assert [p.order for p in lead.passages] == [0, 1] and lead.paragraphs == ["14"]


def test_a_lead_on_an_item_of_a_list_that_runs_on_is_quoted_to_the_item_that_closes_it() -> None:
    # a paragraph short enough to quote whole, its list too long to be one unit with the lead-in
    kinds = ["supported lodgings with former carers", "foyers", "trainer flats", "hostels", "bedsits", "flats", "homes"]
    kinds += ["shared houses", "lodgings"]
    items = "".join(f"• {kind}, where young people can practise living on their own with support;\n" for kind in kinds)
    passages = [
        _passage(0, f"20. Care leavers need a range of homes. These might include:\n{items}", ["20"]),
        _passage(1, "• living with birth families. 21. Councils should review the range every year.", ["20", "21"]),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    lead = _selection(retriever, "Are supported lodgings with former carers an option?", {0: 1.0, 1: 0.1}).lead
    assert "supported lodgings" in lead.text and lead.text.endswith("living with birth families.")
    assert [p.order for p in lead.passages] == [0, 1] and "Councils" not in lead.text


def test_a_list_in_text_without_numbered_paragraphs_is_quoted_to_its_closing_item_in_the_same_section() -> None:
    passages = [
        _unnumbered(
            0,
            "For the purposes of this guidance: • a carer is one who looks after the child; and",
            "Main points",
            "Terms",
        ),
        _unnumbered(1, "• a tutor is one who teaches the child at home.", "Main points", "Terms"),
        _unnumbered(2, "Governors should review the terms every year.", "Main points", "Governors"),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    lead = _selection(retriever, "Who is a carer for the purposes of this guidance?", {0: 1.0, 1: 0.1, 2: 0.05}).lead
    assert lead.text.endswith("teaches the child at home.") and [p.order for p in lead.passages] == [0, 1]
    # the next passage of another section does not carry the list on, and a list left open is not the lead
    other = [
        passages[0],
        _unnumbered(1, "• a tutor is one who teaches the child at home.", "Main points", "Governors"),
        passages[2],
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=other)
    selection = _selection(retriever, "Who is a carer?", {0: 1.0, 1: 0.5, 2: 0.4})
    assert [p.order for p in selection.lead.passages] == [2]
    assert all(not point.text.endswith("; and") for point in selection.points)


def test_the_assistant_answers_with_at_most_three_citations_and_one_legend(fake_settings: Settings) -> None:
    answer = fake_assistant(fake_settings).ask("Who manages Pupil Premium Plus funding for looked-after children?")
    assert not answer.declined
    assert 1 <= len(answer.citations) <= 3 and len(answer.points) <= 3
    assert answer.citations[0].paragraphs == ["10"]
    assert answer.text.count("How to read this:") == 1 and answer.legend in answer.text
    assert answer.points[0].focus in answer.points[0].text
    for c in answer.citations:
        assert c.status_label not in answer.text
        assert c.url == f"/sources/{c.doc_id}?passage={c.passage_id}#p-{c.paragraphs[0]}"


def test_a_question_the_library_cannot_answer_is_declined(fake_settings: Settings) -> None:
    answer = fake_assistant(fake_settings).ask("What is on the school lunch menu next term?")
    assert answer.declined and answer.citations == [] and answer.closest_sections


def test_thanks_in_a_conversation_is_welcomed_not_read_as_a_follow_up(fake_settings: Settings) -> None:
    assistant, conversation = fake_assistant(fake_settings), Conversation()
    assistant.ask("Who manages Pupil Premium Plus funding for looked-after children?", conversation)
    thanks = assistant.ask("thanks, that was really helpful!", conversation)
    assert thanks.declined and thanks.citations == [] and thanks.text.startswith("You're welcome.")
    assert conversation.turns[-1].resolved_question == "thanks, that was really helpful!"
    follow = assistant.ask("and does that apply to previously looked-after children?", conversation)
    assert "Pupil Premium Plus" in conversation.turns[-1].resolved_question  # a real follow-up still is one
    assert not follow.declined


def _cited(status: str, title: str = "D", section: str = "") -> Citation:
    return Citation(
        number=1,
        passage_id="d:1",
        doc_id="d",
        title=title,
        status=status,
        status_label="",
        section=section,
        quote="q",
        url="/",
    )  # type: ignore[arg-type]


def test_legend_names_only_the_kinds_of_document_cited() -> None:
    statutory_only = legend([_cited("statutory")])
    assert LEGEND_PARTS["statutory"] in statutory_only and LEGEND_PARTS["announcement"] not in statutory_only
    both = legend([_cited("statutory"), _cited("announcement"), _cited("statutory")])
    assert both.count(LEGEND_PARTS["statutory"]) == 1 and LEGEND_PARTS["announcement"] in both
    assert legend([]) == ""


def test_a_lead_names_its_source_with_the_status_after_the_whole_title() -> None:
    cited = _cited("announcement", "GOV.UK: VSH role extension, kinship update (15 Dec 2023)", "Details")
    assert point_source(cited) == (
        "GOV.UK: VSH role extension, kinship update (15 Dec 2023) (announcement, not guidance), Details"
    )


def test_keyword_search_reads_the_widened_question() -> None:
    assert "previously looked-after" in widened_query("Is my adopted son covered?")
    assert widened_query("What is a PEP?") == "What is a PEP?"


def test_the_shipped_ranker_reads_the_features_the_code_computes(fake_settings: Settings) -> None:
    ranker = load_ranker()
    assert set(ranker.features) <= set(FEATURES)
    assert (
        0
        <= ranker.thresholds["decline_below"]
        <= ranker.thresholds["moderate_from"]
        <= ranker.thresholds["strong_from"]
        <= 1
    )
    assistant = Assistant(fake_settings, index=FakeRetriever())
    read = analyse("Who manages Pupil Premium Plus?")
    vector = assistant.index.embed([read.text])[0]
    candidates, rows = assistant.features(read, vector)
    assert rows.shape == (len(candidates), len(FEATURES)) and np.isfinite(rows).all()
    probabilities = ranker.probabilities(rows)
    assert ((probabilities > 0) & (probabilities < 1)).all()
    ranked = assistant.rank(read, vector)
    assert [c.relevance for c in ranked] == sorted((c.relevance for c in ranked), reverse=True)


def test_answer_type_feature_marks_passages_giving_the_kind_of_fact_asked(fake_settings: Settings) -> None:
    passages = [
        p.model_copy(update={"text": p.text + " It is £2,570 per pupil."}) if p.text.startswith("10. ") else p
        for p in FAKE_PASSAGES
    ]
    assistant = Assistant(fake_settings, index=FakeRetriever(passages=passages))
    read = analyse("How much Pupil Premium Plus does a school get?")
    vector = assistant.index.embed([read.text])[0]
    candidates, rows = assistant.features(read, vector)
    gives = {
        c.passage.text[:3]: bool(flag)
        for c, flag in zip(candidates, rows[:, FEATURES.index("gives_asked")], strict=True)
    }
    assert gives["10."] and sum(gives.values()) == 1
    other = analyse("Who manages Pupil Premium Plus?")
    _, rows = assistant.features(other, assistant.index.embed([other.text])[0])
    assert not rows[:, FEATURES.index("gives_asked")].any()


def test_a_stale_ranker_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ranker.json"
    path.write_text('{"features": ["gone"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0}')
    load_ranker.cache_clear()
    try:
        with pytest.raises(ValueError, match="retrain it"):
            load_ranker(str(path))
    finally:
        load_ranker.cache_clear()


def test_a_short_lead_paragraph_is_quoted_with_the_next_paragraph_of_its_passage() -> None:
    """A short numbered paragraph often states a rule the next one explains: both are quoted and cited."""
    passages = [
        _passage(
            0,
            "77. Where a looked-after child is at risk of exclusion, the designated teacher should contact the "
            "virtual school head as soon as possible.\n78. The designated teacher and the virtual school head "
            "should consider what additional support, such as one-to-one therapeutic work, needs to be put in "
            "place.\n79. " + "Schools should keep records of every exclusion and the reasons given for it. " * 8,
            ["77", "78", "79"],
        )
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    lead = _selection(
        retriever, "Who should the school contact when a child in care is at risk of exclusion?", {0: 1.0}
    ).lead
    assert lead.text.startswith("Where a looked-after child is at risk of exclusion")
    assert lead.text.endswith("needs to be put in place.")  # para 78 too, not the long para 79
    assert "as soon as possible. 78. The designated teacher" in lead.text  # where the second paragraph begins
    assert lead.paragraphs == ["77", "78"]


def test_a_further_point_quotes_its_short_paragraph_whole() -> None:
    passages = [
        _passage(0, "40. Looked-after children are eligible for pupil premium plus funding.", ["40"]),
        _passage(
            1,
            "41. For looked-after children, pupil premium plus is managed by the virtual school head. The virtual "
            "school head and schools should work together to agree how it is spent. Every personal education plan "
            "should say how the child benefits from the funding.",
            ["41"],
        ),
        _passage(
            2,
            "42. Governors ask the headteacher for a summary of the school's spending in the autumn term. "
            "Schools should report how the pupil premium plus funding was spent each year. "
            "The report is shared with the virtual school head. "
            + "Leaders review attendance, behaviour, progress and wellbeing data "
            + "with teachers, support staff, governors and the virtual school head " * 4
            + "at every termly meeting.",
            ["42"],
        ),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    question = "Does the personal education plan say how the child benefits from the pupil premium plus funding?"
    further = _selection(retriever, question, {0: 1.0, 1: 0.9, 2: 0.8}).further
    by_paragraph = {p.paragraphs[0]: p.text for p in further}
    assert by_paragraph["41"].startswith("For looked-after children, pupil premium plus is managed")  # whole paragraph
    assert by_paragraph["41"].endswith("how the child benefits from the funding.")
    # a long paragraph gives its sentence with the whole sentences around it that fit, not the paragraph
    assert "Schools should report how the pupil premium plus funding was spent each year." in by_paragraph["42"]
    assert by_paragraph["42"].startswith("Governors ask the headteacher")
    assert by_paragraph["42"].endswith(".") and len(by_paragraph["42"]) <= FURTHER_CONTEXT_CHARS
    assert by_paragraph["42"].endswith("shared with the virtual school head.")  # the long one after does not fit


def test_a_lead_from_a_long_paragraph_takes_the_sentences_before_its_answer_that_fit() -> None:
    """Text without numbered paragraphs: the lead quotes on from the answering sentence, then back over whole
    sentences before it while they fit, and says which sentence answers (`focus`); never back over a heading."""
    text = (
        "The virtual school head is an officer of the local authority. "
        "They lead a team that works with schools across the authority. "
        "The virtual school head must monitor the attendance of every looked-after child each week. "
        "Attendance records are shared with social workers."
    )
    retriever = FakeRetriever(documents=[LIST_DOC], passages=[_unnumbered(0, text, "Virtual school heads")])
    lead = _selection(retriever, "Must the virtual school head monitor weekly attendance?", {0: 1.0}).lead
    assert lead.focus == "The virtual school head must monitor the attendance of every looked-after child each week."
    assert lead.text == text  # the context before it fits, and the sentence after it
    with_heading = text.replace("They lead a team", "What does the virtual school team do?\nThey lead a team")
    retriever = FakeRetriever(documents=[LIST_DOC], passages=[_unnumbered(0, with_heading, "Virtual school heads")])
    lead = _selection(retriever, "Must the virtual school head monitor weekly attendance?", {0: 1.0}).lead
    assert lead.text.startswith("They lead a team")  # not back over a question standing as a heading


def test_further_points_follow_the_further_order_above_the_relevance_floor() -> None:
    passages = [
        _passage(0, "40. Looked-after children are eligible for pupil premium plus funding.", ["40"]),
        _passage(1, "41. The virtual school head manages pupil premium plus for looked-after children.", ["41"]),
        _passage(2, "42. Schools should agree with the virtual school head how the funding is spent.", ["42"]),
        _passage(3, "43. Pupil premium plus can pay for a wide range of educational support.", ["43"]),
    ]
    retriever = FakeRetriever(documents=[LIST_DOC], passages=passages)
    question = "Who decides how pupil premium plus funding is spent?"
    relevance = {0: 1.0, 1: 0.9, 2: 0.8, 3: 0.3}
    plain = _selection(retriever, question, relevance).further
    assert [p.paragraphs for p in plain] == [["41"], ["42"]]  # without a second view: the relevance order
    # the further-points order decides which come first; a passage under the relevance floor (0.45 of the
    # lead's) is never a further point, however the further-points model scores it
    ordered = _selection(retriever, question, relevance, further={0: 0.9, 1: 0.1, 2: 0.8, 3: 0.95}).further
    assert [p.paragraphs for p in ordered] == [["42"], ["41"]]


def _second_view_queries(retriever: FakeRetriever, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions the retriever's second view is asked about from now on (a spy, in order)."""
    asked: list[str] = []
    original = retriever.second_similarities

    def counting(query: str, passage_ids: list[str]) -> np.ndarray | None:
        asked.append(query)
        return original(query, passage_ids)

    monkeypatch.setattr(retriever, "second_similarities", counting)
    return asked


def test_the_second_view_orders_further_points_and_only_them(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    further = load_further_ranker()
    assert "second_view_rank" in further.features and set(further.features) <= set(FEATURES)
    assert "second_view_rank" not in load_ranker().features  # the lead is the reranker's alone
    retriever = FakeRetriever()
    assistant = Assistant(fake_settings, index=retriever)
    read = analyse("Who manages Pupil Premium Plus?")
    vector = retriever.embed([read.text])[0]
    without = assistant.rank(read, vector)
    assert all(c.second is None and c.further == c.relevance for c in without)
    _, rows = assistant.features(read, vector)
    assert not rows[:, FEATURES.index("second_view_rank")].any()

    # a second view that puts the reranker's last candidate first: its rank is a feature
    last = without[-1].passage.passage_id
    retriever.second = {c.passage.passage_id: 0.1 * i for i, c in enumerate(without)}
    candidates, rows = assistant.features(read, vector)
    ranks = dict(
        zip((c.passage.passage_id for c in candidates), rows[:, FEATURES.index("second_view_rank")], strict=True)
    )
    assert ranks[last] == 0.0 and all(r > 0 for pid, r in ranks.items() if pid != last)

    # answering reads it only when more candidates pass the further-point floor than there are further points
    asked = _second_view_queries(retriever, monkeypatch)
    passing = sum(c.relevance >= without[0].relevance * FURTHER_RELEVANCE for c in without[1:])
    assert passing <= MAX_FURTHER  # this question: every passing candidate is tried, so no second view
    assert assistant.rank(read, vector) and asked == []
    monkeypatch.setattr(core_module, "FURTHER_RELEVANCE", 0.0)  # every candidate passes
    ranked = assistant.rank(read, vector)
    assert asked == [read.text] and all(c.second is not None for c in ranked)
    assert [c.passage.passage_id for c in ranked] == [c.passage.passage_id for c in without]  # same lead, order
    assert [c.relevance for c in ranked] == [c.relevance for c in without]
    assert {c.passage.passage_id: c.further for c in ranked} != {c.passage.passage_id: c.relevance for c in ranked}
    # a ranker given (or set, to measure it) orders further points alone
    alone = Assistant(fake_settings, index=retriever, ranker=load_ranker()).rank(read, vector)
    assert all(c.further == c.relevance for c in alone) and len(asked) == 1


def test_a_question_neither_model_comes_close_to_is_declined(
    fake_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "Who manages Pupil Premium Plus?"
    retriever = FakeRetriever()
    asked = _second_view_queries(retriever, monkeypatch)
    best_dense = max(c.hit.dense_score or 0.0 for c in retrieve(retriever, question, retriever.embed([question])[0]))
    above = fake_settings.model_copy(update={"nothing_close_dense": best_dense + 0.01, "nothing_close_second": 0.5})

    # the index's model finds nothing close but there is no second view: one model alone never declines
    assert not Assistant(above, index=retriever).ask(question).declined
    # both find nothing close: declined, pointing at the closest sections
    retriever.second = {p.passage_id: 0.4 for p in FAKE_PASSAGES}
    declined = Assistant(above, index=retriever).ask(question)
    assert declined.declined and declined.decline_reason == NOTHING_CLOSE_REASON
    assert declined.citations == [] and declined.closest_sections
    # the second view finds one passage close: answered
    retriever.second[FAKE_PASSAGES[-1].passage_id] = 0.6
    assert not Assistant(above, index=retriever).ask(question).declined
    # the index's model finds one close: answered, and the second view never asked
    asked.clear()
    retriever.second = {p.passage_id: 0.4 for p in FAKE_PASSAGES}
    below = above.model_copy(update={"nothing_close_dense": best_dense - 0.01})
    answer = Assistant(below, index=retriever).ask(question)
    assert not answer.declined and asked == []
    # turned off
    assert not Assistant(above.model_copy(update={"nothing_close_dense": 0.0}), index=retriever).ask(question).declined
    # a worry about a child is always signposted and given the guidance, never declined for want of a close passage
    worried = Assistant(above, index=retriever).ask(f"A child has told me their dad hits them. {question}")
    assert worried.safeguarding_notice and worried.decline_reason != NOTHING_CLOSE_REASON


def test_a_web_page_time_stamp_is_not_quoted_and_the_quote_stays_verbatim() -> None:
    text = (
        "December 15 11:11 2023 Details Virtual school heads are strategic leaders for children with a social "
        "worker. From September 2024 the role also covers children in kinship care."
    )
    retriever = FakeRetriever(documents=[LIST_DOC], passages=[_unnumbered(0, text, "Department For Education")])
    selection = _selection(retriever, "Who do virtual school heads lead for?", {0: 0.9})
    lead = selection.lead
    assert lead.text.startswith("Virtual school heads are strategic leaders") and lead.text in text
    assert "11:11" not in lead.focus and "Details" not in lead.focus


def _candidate(order: int, rank: int, dense: float | None, relevance: float) -> Candidate:
    hit = SearchHit(passage=LISTS[order % len(LISTS)], doc=LIST_DOC, score=1.0 / (rank + 1), dense_score=dense)
    return Candidate(hit=hit, rank=rank, relevance=relevance)


def test_a_lead_is_corroborated_when_first_by_fused_order_or_by_similarity_alone() -> None:
    fused_first = [_candidate(0, 0, 0.40, 0.7), _candidate(1, 1, 0.60, 0.5)]
    assert corroborated(fused_first)
    nearest = [_candidate(0, 3, 0.60, 0.7), _candidate(1, 0, 0.55, 0.5), _candidate(0, 1, None, 0.2)]
    assert corroborated(nearest)
    neither = [_candidate(0, 2, 0.50, 0.7), _candidate(1, 0, 0.40, 0.5), _candidate(0, 1, 0.55, 0.4)]
    assert not corroborated(neither)
    assert not corroborated([])


def test_strong_evidence_needs_a_corroborated_lead() -> None:
    thresholds = {"decline_below": 0.05, "moderate_from": 0.2, "strong_from": 0.5}
    assert evidence_level(0.8, thresholds) == "strong"
    assert evidence_level(0.8, thresholds, corroborated=False) == "moderate"
    assert evidence_level(0.3, thresholds, corroborated=True) == "moderate"
    assert evidence_level(0.1, thresholds, corroborated=True) == "weak"
