"""`bots.present`: each part of an answer once, whatever the channel."""

from __future__ import annotations

from assistant.models import Answer, AnswerPoint, ClosestSection
from bots.present import (
    absolute_url,
    answer_view,
    bulleted,
    dated_title,
    evidence_note,
    lay_out,
    mark,
    marked_focus,
    marked_runs,
    outside_link,
    quoted_list,
)
from textkit import normalise

NOTICE = "If a child is in immediate danger, call 999."
LEGEND = "How to read this: in statutory guidance 'must' is a legal duty."


def test_the_notice_and_the_legend_are_split_off_the_text() -> None:
    text = f"{NOTICE}\n\nSource, para 4:\nThe VSH must act [1].\n\nAlso in the guidance:\n- B: more [2]\n\n{LEGEND}"
    view = answer_view(Answer(question="q", text=text, safeguarding_notice=NOTICE, legend=LEGEND))
    assert view.notice == NOTICE and view.legend == LEGEND
    assert view.body == "Source, para 4:\nThe VSH must act [1].\n\nAlso in the guidance:\n- B: more [2]"


def test_a_decline_keeps_its_reason_and_drops_the_list_shown_as_links() -> None:
    closest = [
        ClosestSection(doc_id="a", title="A", section="S", url="/sources/a"),
        ClosestSection(doc_id="b", title="B", section="T", url="/sources/b"),
    ]
    text = "I could not find this. Reason.\n\nThe closest sections I found:\n- A, S\n- B, T"
    view = answer_view(Answer(question="q", text=text, declined=True, closest_sections=closest))
    assert view.body == "I could not find this. Reason."
    # a text whose tail is not that list is left whole
    other = answer_view(Answer(question="q", text="Nothing found.", declined=True, closest_sections=closest))
    assert other.body == "Nothing found."


def test_dates_once_links_and_bullets() -> None:
    assert (
        dated_title("Children missing education (Aug 2024)", "August 2024") == "Children missing education (Aug 2024)"
    )
    assert dated_title("KCSIE", "July 2025 (in force September 2025)") == "KCSIE (July 2025, in force September 2025)"
    assert dated_title("Guidance", "") == "Guidance"
    assert absolute_url("https://v.example/", "/sources/a#p-1") == "https://v.example/sources/a#p-1"
    assert absolute_url("", "/sources/a") == "" and absolute_url("", "https://x.example") == "https://x.example"
    assert outside_link("", "/sources/a", "https://www.gov.uk/p") == "https://www.gov.uk/p"
    assert outside_link("https://v.example", "/sources/a", "https://www.gov.uk/p") == "https://v.example/sources/a"
    assert bulleted("Also:\n- one\n- two") == "Also:\n• one\n• two"


# quoted from the corpus: the designated teacher guidance, "Virtual schools" (p.49), as an answer point
VIRTUAL_SCHOOLS = (
    "Virtual schools may be able to: • provide information on specialist services; • help identify resources to "
    "support specific activities; • co-ordinate support that may be required beyond that which is already provided "
    "by educational services; and • provide training for designated teachers on aspects of social care. [3]"
)
# the National Framework glossary (p.62): two lettered items after a sentence whose own letters were lost
PRIVATE_FOSTERING = (
    "A private fostering arrangement in which someone who is not a close relative* of the child looks after the "
    "child for 28 days or more** (as per section 66(1)(a) and (b) of the Children Act 1989)*** c) Where a ‘lives "
    "with’ child arrangements order**** has been granted in respect of the child (see glossary in annex [X]). "
    "d) Where a special guardianship order has been granted appointing a friend or family member as the child’s "
    "special guardian. [1]"
)


def test_a_quoted_list_is_its_lead_in_then_its_items_with_their_markers() -> None:
    lead, items = quoted_list(VIRTUAL_SCHOOLS)
    assert lead == "Virtual schools may be able to:"
    assert items == [
        "• provide information on specialist services;",
        "• help identify resources to support specific activities;",
        "• co-ordinate support that may be required beyond that which is already provided by educational services; and",
        "• provide training for designated teachers on aspects of social care. [3]",  # the citation stays last
    ]
    assert " ".join([lead, *items]) == VIRTUAL_SCHOOLS  # nothing dropped, nothing added

    lead, items = quoted_list(PRIVATE_FOSTERING)
    assert lead.endswith("of the Children Act 1989)***") and "(b) of the Children Act" in lead
    assert [i[:8] for i in items] == ["c) Where", "d) Where"] and items[-1].endswith("special guardian. [1]")
    assert " ".join([lead, *items]) == PRIVATE_FOSTERING

    text = "The plan must: (a) say this; (b) say that; and (c) the other. [2]"
    assert quoted_list(text) == ("The plan must:", ["(a) say this;", "(b) say that; and", "(c) the other. [2]"])
    assert quoted_list("Steps: i. one; ii. two; iii. three [4]")[1] == ["i. one;", "ii. two;", "iii. three [4]"]
    assert quoted_list("Items: (h) eight; (i) nine.")[1] == ["(h) eight;", "(i) nine."]  # (i) after (h) is a letter
    assert quoted_list("• first • second [1]") == ("", ["• first", "• second [1]"])


def test_letters_in_a_sentence_are_not_a_list() -> None:
    for text in (
        "Paragraphs (a) and (b) apply to looked-after children. [1]",
        "See section 22(3)(a) of the Act, and (b) below. [1]",
        "The duty in (c) applies. [2]",
        "No list here at all [1]",
    ):
        assert quoted_list(text) == (text, [])


def test_lay_out_puts_each_item_on_its_own_line_and_changes_nothing_else() -> None:
    body = (
        "Designated teacher guidance (Feb 2018) (statutory guidance), Virtual schools, p.49:\n"
        f"{VIRTUAL_SCHOOLS}\n\nAlso in the guidance:\n- Guidance, para 42: Schools get it too [1].\n"
        f"- Designated teacher guidance (Feb 2018), Virtual schools, p.49: {VIRTUAL_SCHOOLS}"
    )
    out = lay_out(body, indent="    ").split("\n")
    assert out[:7] == [
        "Designated teacher guidance (Feb 2018) (statutory guidance), Virtual schools, p.49:",
        "Virtual schools may be able to:",
        "• provide information on specialist services;",
        "• help identify resources to support specific activities;",
        "• co-ordinate support that may be required beyond that which is already provided by educational services; and",
        "• provide training for designated teachers on aspects of social care. [3]",
        "",
    ]
    assert out[7:10] == [
        "Also in the guidance:",
        "- Guidance, para 42: Schools get it too [1].",
        "- Designated teacher guidance (Feb 2018), Virtual schools, p.49: Virtual schools may be able to:",
    ]
    assert out[10].startswith("    • provide information") and out[-1].startswith("    • provide training")
    assert len(out) == 14 and out[-1].endswith("social care. [3]")
    assert normalise(" ".join(out)) == normalise(body)  # the quote is verbatim but for where lines break
    assert lay_out("Source, para 4:\nThe VSH must act [1].") == "Source, para 4:\nThe VSH must act [1]."


def test_the_evidence_note_says_how_well_the_guidance_answers_and_nothing_for_a_decline() -> None:
    def with_evidence(level: str, declined: bool = False) -> Answer:
        return Answer.model_validate({"question": "Q?", "text": "A. [1]", "evidence": level, "declined": declined})

    notes = {level: evidence_note(with_evidence(level)) for level in ("strong", "moderate", "weak")}
    assert all(note.startswith(f"Evidence: {level}.") for level, note in notes.items())
    assert "may not answer this directly" in notes["weak"] and "related sections" in notes["weak"]
    assert evidence_note(with_evidence("weak", declined=True)) == ""
    assert evidence_note(with_evidence("none")) == ""


def test_the_answering_sentence_is_marked_only_where_a_quote_does_not_start_with_it() -> None:
    lead = "The VSH is an officer of the local authority. The VSH manages pupil premium plus."
    answer = Answer(
        question="Who manages PP+?",
        text=f"Source:\n{lead} [1]\n\nAlso in the guidance:\n- Other: Schools spend it. [2]",
        points=[
            AnswerPoint(text=lead, citations=[1], focus="The VSH manages pupil premium plus."),
            AnswerPoint(text="Schools spend it.", citations=[2], focus="Schools spend it."),  # starts with it
            AnswerPoint(text="A generated point.", citations=[2]),  # no focus: nothing to mark
        ],
    )
    assert marked_focus(answer) == ["The VSH manages pupil premium plus."]
    bold = mark(answer.text, "The VSH manages pupil premium plus.", lambda run: f"*{run}*")
    assert "authority. *The VSH manages pupil premium plus.* [1]" in bold
    assert bold.replace("*", "") == answer.text  # only the marks added
    wrapped = "The VSH is an officer of the local authority. The VSH\n  manages pupil premium plus. [1]"
    assert mark(wrapped, "The VSH manages pupil premium plus.", lambda run: "<" + run + ">") == wrapped  # one line
    across = mark(wrapped, "The VSH manages pupil premium plus.", lambda run: "<" + run + ">", across_lines=True)
    assert across == "The VSH is an officer of the local authority. <The VSH\n  manages pupil premium plus.> [1]"
    assert mark(wrapped, "Not in the text.", lambda run: "<" + run + ">") == wrapped


def test_marked_runs_cut_the_text_where_the_answering_sentence_is() -> None:
    lead = "The VSH is an officer of the local authority. The VSH manages pupil premium plus."
    answer = Answer(
        question="Who manages PP+?",
        text=f"Source:\n{lead} [1]",
        points=[AnswerPoint(text=lead, citations=[1], focus="The VSH manages pupil premium plus.")],
    )
    runs = marked_runs(answer)
    assert runs == [
        ("Source:\nThe VSH is an officer of the local authority. ", False),
        ("The VSH manages pupil premium plus.", True),
        (" [1]", False),
    ]
    assert "".join(text for text, _ in runs) == answer.text
    plain = answer.model_copy(update={"points": [AnswerPoint(text=lead, citations=[1], focus=lead)]})
    assert marked_runs(plain) == [(plain.text, False)]  # the quote starts with it: nothing marked
