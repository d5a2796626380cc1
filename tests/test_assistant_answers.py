"""Answers on the real corpus index (`corpus_settings`): citations, wording, shape, declines, safeguarding,
follow-ups."""

from __future__ import annotations

import re

import pytest

from assistant import Answer, Assistant, Conversation
from assistant.core import DECLINE_OPENING
from assistant.safeguarding import SAFEGUARDING_NOTICE
from settings import Settings


@pytest.fixture(scope="module")
def assistant(corpus_settings: Settings) -> Assistant:
    return Assistant(corpus_settings)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _without_footnote_marks(text: str) -> str:
    """Text without footnote reference numbers after a sentence ("(EHC plans).13 It is"): answers leave them out."""
    return _norm(re.sub(r"(?:(?<=[.!?:;])|^)\s?\d{1,2}(?=\s|$)", "", text.strip()))


def _cites(answer: Answer, doc_id: str, paragraph: str | None = None) -> bool:
    return any(c.doc_id == doc_id and (paragraph is None or paragraph in c.paragraphs) for c in answer.citations)


def _assert_grounded(answer: Answer) -> None:
    """Every point is verbatim text from a passage it cites; every citation shows its status; the answer has
    the shape users read: at most three citations, whole sentences, the must/should legend once."""
    assert answer.points
    assert 1 <= len(answer.citations) <= 3
    for point in answer.points:
        first = point.text[0]
        assert first.isupper() or first.isdigit() or first in "‘'“\"(£", f"fragment: {point.text!r}"
        assert point.focus and _norm(point.focus) in _norm(point.text)
    assert answer.legend and answer.text.count(answer.legend) == 1
    assert not any(c.status_label in answer.text for c in answer.citations)
    by_number = {c.number: c for c in answer.citations}
    for point in answer.points:
        assert point.citations, point
        quotes = [_without_footnote_marks(by_number[n].quote) for n in point.citations]
        assert any(_without_footnote_marks(point.text) in q for q in quotes), point.text
        for n in point.citations:
            assert f"[{n}]" in answer.text
    for c in answer.citations:
        assert c.status and c.status_label
        assert c.url.startswith(f"/sources/{c.doc_id}?passage={c.passage_id}#")


def test_pp_plus_eligibility_cites_para_39(assistant: Assistant) -> None:
    answer = assistant.ask("Who is eligible for Pupil Premium Plus?")
    assert not answer.declined
    assert answer.question_type == "funding"
    assert _cites(answer, "designated-teacher-2018", "39")
    _assert_grounded(answer)


def test_pp_plus_management_cites_para_41(assistant: Assistant) -> None:
    answer = assistant.ask("Who manages PP+ for looked-after children?")
    assert not answer.declined
    assert _cites(answer, "designated-teacher-2018", "41")
    _assert_grounded(answer)


def test_child_in_need_question_leads_with_the_social_worker_extension(assistant: Assistant) -> None:
    answer = assistant.ask("Does the virtual school cover a child on a child in need plan?")
    assert not answer.declined
    lead = answer.points[0].text
    assert "children with a social worker" in lead and re.search(r"\b[Ee]xten(?:ded|ding|d)\b", lead)
    _assert_grounded(answer)


@pytest.mark.parametrize(
    "question",
    ["Who decides how Pupil Premium Plus is spent?", "Does the virtual school cover a child on a child in need plan?"],
)
def test_answers_lead_with_a_whole_sentence(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert not answer.declined and answer.points[0].text[0].isupper()  # not a bullet item cut from its lead-in


def test_kinship_extension_is_answered_with_its_date(assistant: Assistant) -> None:
    answer = assistant.ask("What changed for virtual schools in September 2024?")
    assert not answer.declined
    assert "kinship" in answer.points[0].text and "September 2024" in answer.points[0].text
    _assert_grounded(answer)


@pytest.mark.parametrize(
    "question",
    [
        "my pupil was adopted from care in Wales, do they count as previously looked after?",
        "Gypsy, Roma and Irish Traveller children missing education: what should the local authority do?",
        "Is the extended role statutory?",
        "Is there a minimum amount of training for the designated safeguarding lead?",
    ],
)
def test_a_place_name_or_plain_wording_does_not_decline(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert not answer.declined, answer.decline_reason
    _assert_grounded(answer)


def test_an_amount_for_other_children_is_not_an_answer(assistant: Assistant) -> None:
    answer = assistant.ask("How much money is going into extending the virtual school head role to kinship children?")
    assert answer.declined and "amount" in answer.decline_reason


def test_related_sections_are_links_without_quotes(assistant: Assistant) -> None:
    answer = assistant.ask("Who decides how Pupil Premium Plus is spent?")
    assert answer.related_sections and "Related sections:" not in answer.text  # links beside the text
    cited = {(c.doc_id, c.section) for c in answer.citations}
    for link in answer.related_sections:
        assert (link.doc_id, link.section) not in cited
        assert link.url.startswith(f"/sources/{link.doc_id}?passage=")


def test_duty_question_surfaces_must_wording(assistant: Assistant) -> None:
    answer = assistant.ask("Must the governing body appoint a designated teacher?")
    assert not answer.declined
    assert answer.question_type == "duties"
    assert any(re.search(r"\bmust\b", p.text) for p in answer.points)
    assert "'must' is a legal duty" in answer.text
    assert all(c.status == "statutory" for c in answer.citations if "must" in c.quote)
    _assert_grounded(answer)


def test_scope_question_is_answered_from_cohort_definitions(assistant: Assistant) -> None:
    answer = assistant.ask("Who counts as a previously looked-after child?")
    assert not answer.declined
    assert answer.question_type == "scope"
    assert any("special guardianship" in p.text.lower() for p in answer.points)
    _assert_grounded(answer)


@pytest.mark.parametrize(
    "question",
    [
        "What are the rules on designated teachers for looked-after children in Scottish schools?",
        "Should I move Jamie to another school?",
        "We're in Wales and our adopted daughter didn't get a place at the school we applied for. Why not?",
        "What is on the school lunch menu next term?",
        "What is the starting salary on the main pay scale for teachers?",
        "Can I sue the council over my son's placement? I need legal advice.",
        "Can I appeal the decision not to give my son a personal education plan?",
        "Please write a letter from me to the headteacher asking why my foster son was left out of the school trip.",
        "What percentage of looked-after children get grade 4 or above in English and maths at GCSE?",
        # nothing in the guidance comes close by either model (`assistant.decline.nothing_close`)
        "Which interactive whiteboard brand works best in a primary classroom?",
        "How do I set up a Google Classroom for my tutor group?",
    ],
)
def test_out_of_scope_questions_are_declined(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.declined
    assert answer.evidence in ("none", "weak")
    assert answer.text.startswith(DECLINE_OPENING)
    assert answer.decline_reason
    assert answer.citations == [] and answer.points == []
    assert 1 <= len(answer.closest_sections) <= 3
    assert all(s.url.startswith("/sources/") for s in answer.closest_sections)


@pytest.mark.parametrize(
    "message", ["hiya thanks for your help earlier, hope you're having a good day", "Good morning! What can you do?"]
)
def test_small_talk_is_told_what_the_assistant_answers_without_sections(assistant: Assistant, message: str) -> None:
    answer = assistant.ask(message)
    assert answer.declined and answer.citations == [] and answer.closest_sections == []
    assert answer.text.startswith("I answer questions about the Department for Education's guidance")
    assert DECLINE_OPENING not in answer.text


def test_thanks_after_an_answer_is_welcomed_without_sections(assistant: Assistant) -> None:
    answer = assistant.ask("thanks, that was really helpful!")
    assert answer.declined and answer.citations == [] and answer.closest_sections == []
    assert answer.text.startswith("You're welcome.")
    assert DECLINE_OPENING not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Thanks. Who decides how Pupil Premium Plus is spent?",
        "Hello, what can the virtual school do for adopted children?",
    ],
)
def test_a_greeting_before_a_question_is_answered(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert not answer.declined and answer.citations


def test_asked_how_to_complain_the_complaints_guidance_answers(assistant: Assistant) -> None:
    answer = assistant.ask("How can I complain about my local authority's leaving care service?")
    assert not answer.declined
    assert any(re.search(r"complain|representation", p.text, re.I) for p in answer.points)


def test_safeguarding_notice_comes_first(assistant: Assistant) -> None:
    answer = assistant.ask("She says her stepdad hits her and she has bruises. What do I do?")
    assert answer.question_type == "safeguarding"
    assert answer.safeguarding_notice == SAFEGUARDING_NOTICE
    assert answer.text.startswith(SAFEGUARDING_NOTICE)


def test_personal_data_is_redacted_before_use(assistant: Assistant) -> None:
    answer = assistant.ask("My pupil Jamie (DOB 03/04/2015, 07700 900123) is looked after. Who manages his PP+?")
    assert "Jamie" not in answer.question and "07700" not in answer.question
    assert {"name", "date", "phone"} <= set(answer.redactions)
    assert answer.personal_data_notice
    assert "Jamie" not in answer.model_dump_json()


def test_follow_up_resolves_against_previous_turn(assistant: Assistant) -> None:
    conversation = Conversation()
    first = assistant.ask("Who manages PP+ for looked-after children?", conversation)
    assert _cites(first, "designated-teacher-2018", "41")
    follow = assistant.ask("And for previously looked-after children?", conversation)
    assert not follow.declined
    assert _cites(follow, "designated-teacher-2018", "42")
    assert follow.conversation_id == conversation.id
    assert len(conversation.turns) == 2
    assert "previously looked-after" in conversation.turns[1].resolved_question
    assert "designated-teacher-2018" in conversation.turns[1].doc_ids


def test_answer_json_round_trips(assistant: Assistant) -> None:
    answer = assistant.ask("What should a good PEP contain?")
    assert Answer.model_validate_json(answer.model_dump_json()) == answer


def test_answers_about_every_section_of_the_corpus_quote_whole_closed_sentences(assistant: Assistant) -> None:
    """Asked about each section heading held, no answer quotes a fragment, ends on a lead-in or a list item that
    runs on, or leaves a list marker dangling, and no further point is a question (a checklist's): the shape
    rules hold on all the text, not only on the eval sets."""
    headings = {
        p.section_path[-1]
        for d in assistant.index.documents()
        for p in assistant.index.passages(d.doc_id)
        if p.section_path and len(p.section_path[-1]) < 80
    }
    assert len(headings) > 300
    problems = []
    for heading in sorted(headings):
        answer = assistant.ask(f"What does the guidance say about {heading.lower()}?")
        if answer.declined:
            continue
        _assert_grounded(answer)
        for number, point in enumerate(answer.points):
            if re.search(r"(?:[:;,]| and| or)$|\s(?:[a-h]\)|[ivx]{1,4}\.|•)$", point.text.rstrip()):
                problems.append((heading, point.text[-80:]))
            if number and point.focus.rstrip().endswith("?"):
                problems.append((heading, point.focus))
    assert not problems, problems
