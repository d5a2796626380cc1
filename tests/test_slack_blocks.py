"""Block Kit builders: pure functions, no Slack needed."""

from __future__ import annotations

import html
import json

from assistant.models import Answer, Citation, ClosestSection
from bots.slack import blocks
from bots.slack.text import clean_text, conversation_id
from textkit import normalise


def citation(n: int = 1, **kw: object) -> Citation:
    data: dict[str, object] = {
        "number": n,
        "passage_id": f"designated-teacher-2018:{n:05d}",
        "doc_id": "designated-teacher-2018",
        "title": "The designated teacher for looked-after and previously looked-after children",
        "status": "statutory",
        "status_label": "Statutory guidance: 'must' is a legal duty.",
        "published": "February 2018",
        "section": "Roles and responsibilities > Pupil Premium Plus (PP+)",
        "paragraphs": ["39", "40"],
        "pages": [21],
        "quote": "The VSH manages PP+ for looked-after children.",
        "url": f"/sources/designated-teacher-2018?passage=designated-teacher-2018:{n:05d}#p-39",
    }
    data.update(kw)
    return Citation.model_validate(data)


def answer(**kw: object) -> Answer:
    data: dict[str, object] = {
        "question": "Who manages PP+?",
        "text": "The VSH manages PP+ for looked-after children [1]. Schools & <others> get it too.",
        "citations": [citation()],
        "evidence": "strong",
    }
    data.update(kw)
    return Answer.model_validate(data)


def all_text(msg: dict[str, object]) -> str:
    return json.dumps(msg["blocks"], ensure_ascii=False)


def test_answer_is_escaped_cited_linked_and_has_feedback_buttons() -> None:
    msg = blocks.answer_message(answer(), transcript_id="t123", base_url="https://vsh.example/")
    text = all_text(msg)
    assert "Schools &amp; &lt;others&gt; get it too" in text
    assert "*[1]* <https://vsh.example/sources/designated-teacher-2018?passage=" in text
    assert "#p-39|The designated teacher" in text
    assert "Pupil Premium Plus (PP+), paras 39-40, p.21" in text
    assert "_Statutory guidance_" in text
    assert "(February 2018)" in text
    assert blocks.DISCLAIMER in text
    actions = [b for b in msg["blocks"] if b["type"] == "context_actions"]  # type: ignore[union-attr,index]
    assert len(actions) == 1 and actions[0]["block_id"] == blocks.FEEDBACK_BLOCK
    [buttons] = actions[0]["elements"]
    assert buttons["type"] == "feedback_buttons" and buttons["action_id"] == blocks.ACTION_FEEDBACK
    assert blocks.read_feedback_value(blocks.ACTION_FEEDBACK, buttons["positive_button"]["value"]) == ("t123", True)
    assert blocks.read_feedback_value(blocks.ACTION_FEEDBACK, buttons["negative_button"]["value"]) == ("t123", False)
    assert isinstance(msg["text"], str) and "The VSH manages PP+" in msg["text"]
    assert "https://vsh.example/sources/designated-teacher-2018" in msg["text"]


def test_without_public_base_url_the_locator_is_shown_without_a_link() -> None:
    text = all_text(blocks.answer_message(answer(), transcript_id="t1", base_url=""))
    assert "/sources/" not in text and "<" not in text.replace("&lt;", "")
    assert "*[1]* The designated teacher for looked-after" in text


def test_no_transcript_means_no_buttons() -> None:
    msg = blocks.answer_message(answer(), transcript_id=None)
    assert not [b for b in msg["blocks"] if b["type"] in ("actions", "context_actions")]  # type: ignore[index]


def test_safeguarding_first_and_personal_data_reminder() -> None:
    msg = blocks.answer_message(
        answer(safeguarding_notice="If a child is in immediate danger, call 999.", redactions=["name", "email"]),
        transcript_id="t",
    )
    first, second = msg["blocks"][0], msg["blocks"][1]  # type: ignore[index]
    assert "Safeguarding" in first["text"]["text"] and "999" in first["text"]["text"]
    assert ":lock:" in second["text"]["text"] and "name, email" in second["text"]["text"]
    assert "identifying details" in second["text"]["text"]
    assert str(msg["text"]).startswith("Safeguarding:")


def test_decline_shows_the_closest_sections() -> None:
    closest = ClosestSection(
        doc_id="vsh-2024",
        title="Promoting the education of children with a social worker",
        section="Introduction > Scope",
        paragraphs=["4"],
        pages=[6],
        url="/sources/vsh-2024#p-4",
    )
    msg = blocks.answer_message(
        answer(
            declined=True,
            text="I could not find this in the guidance I hold.",
            citations=[],
            closest_sections=[closest],
        ),
        transcript_id="t",
        base_url="https://vsh.example",
    )
    text = all_text(msg)
    assert "closest sections" in text
    assert "<https://vsh.example/sources/vsh-2024#p-4|Promoting the education" in text
    assert "Scope, para 4, p.6" in text


def test_slack_limits_on_long_answers_and_many_citations() -> None:
    long_text = " ".join(["The Virtual School Head must promote the educational achievement of children."] * 200)
    many = [citation(i, title="T" * 200) for i in range(1, 120)]
    msg = blocks.answer_message(answer(text=long_text, citations=many), transcript_id="t")
    assert len(msg["blocks"]) <= blocks.MAX_BLOCKS  # type: ignore[arg-type]
    for b in msg["blocks"]:  # type: ignore[union-attr]
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= blocks.MAX_SECTION_CHARS
    assert msg["blocks"][-1]["type"] == "context_actions"  # type: ignore[index]
    assert len(str(msg["text"])) <= 4000


def test_split_text_keeps_every_word() -> None:
    text = "word " * 2000
    chunks = blocks.split_text(text, 300)
    assert all(len(c) <= 300 for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_modal_placeholder_and_apology() -> None:
    modal = blocks.feedback_modal("tid9")
    assert modal["private_metadata"] == "tid9" and modal["callback_id"] == blocks.FEEDBACK_MODAL_CALLBACK
    assert blocks.feedback_modal("tid9", 42)["private_metadata"] == "tid9:42"
    assert modal["blocks"][1]["block_id"] == blocks.COMMENT_BLOCK and modal["blocks"][1]["optional"] is True
    assert blocks.placeholder_message()["text"] == "Looking that up in the guidance…"
    err = blocks.error_message("the index is missing.")
    assert err["text"] == (
        "Sorry — I couldn't answer that just now: the index is missing. Please try again or use the web chat."
    )


def test_clean_text_and_conversation_id() -> None:
    raw = "<@U123> Does <!here> <mailto:a@b.org|a@b.org> &amp; <https://x.example|this> apply in <#C1|vsh>?"
    assert clean_text(raw) == "Does a@b.org & this apply in #vsh?"
    assert conversation_id("T1", "C1", "17.1") == "slack:T1:C1:17.1"


def test_socket_mode_without_tokens_says_which_are_missing(tmp_path: object) -> None:
    import pytest
    from pydantic import SecretStr

    from bots.slack.socket import SlackNotConfigured, run_socket_mode
    from settings import Settings

    with pytest.raises(SlackNotConfigured, match="VSH_SLACK_APP_TOKEN") as info:
        run_socket_mode(Settings(slack_bot_token=SecretStr("xoxb-1"), slack_app_token=SecretStr("")))
    assert "VSH_SLACK_BOT_TOKEN" not in str(info.value)


def test_related_sections_are_links_after_the_sources_and_the_legend_is_not_repeated() -> None:
    related = ClosestSection(
        doc_id="kcsie-2025",
        title="Keeping children safe in education (2025)",
        section="Virtual School Heads",
        paragraphs=["194"],
        pages=[53],
        url="/sources/kcsie-2025?passage=kcsie-2025:00206#p-194",
    )
    legend = "How to read this: in statutory guidance 'must' is a legal duty."
    msg = blocks.answer_message(
        answer(text=f"The VSH manages PP+ [1].\n\n{legend}", related_sections=[related], legend=legend),
        transcript_id="t1",
        base_url="https://vsh.example",
    )
    text = all_text(msg)
    assert text.index("*Sources*") < text.index("*Related sections*")
    assert "<https://vsh.example/sources/kcsie-2025?passage=kcsie-2025:00206#p-194|Keeping children safe" in text
    assert text.count("How to read this:") == 1


def test_dates_appear_once_and_cleanly() -> None:
    cmd = citation(1, title="Children missing education (Aug 2024)", published="August 2024")
    kcsie = citation(2, title="Keeping children safe in education", published="July 2025 (in force September 2025)")
    text = all_text(blocks.answer_message(answer(citations=[cmd, kcsie]), transcript_id="t", base_url=""))
    assert "Children missing education (Aug 2024)," in text and "August 2024" not in text
    assert "Keeping children safe in education (July 2025, in force September 2025)," in text
    assert "((" not in text and "))" not in text


def test_lists_are_slack_bullets_and_the_safeguarding_notice_and_legend_appear_once() -> None:
    notice = "If a child is in immediate danger, call 999."
    legend = "How to read this: in statutory guidance 'must' is a legal duty."
    text = (
        f"{notice}\n\nDesignated teacher guidance (statutory guidance), PP+, para 41:\nThe VSH manages PP+ [1]."
        f"\n\nAlso in the guidance:\n- Guidance, para 42: Schools get it too [1].\n\n{legend}"
    )
    msg = blocks.answer_message(
        answer(text=text, safeguarding_notice=notice, legend=legend), transcript_id="t", base_url=""
    )
    body = all_text(msg)
    assert body.count("immediate danger") == 1 and body.count("How to read this") == 1
    assert "\\n• Guidance, para 42: Schools get it too [1]." in body and "\\n- " not in body
    assert str(msg["text"]).count("immediate danger") == 1
    first = msg["blocks"][0]  # type: ignore[index]
    assert first["type"] == "section" and ":rotating_light: *Safeguarding:*" in first["text"]["text"]


def test_a_decline_lists_its_closest_sections_once_as_links() -> None:
    closest = ClosestSection(
        doc_id="kcsie-2025", title="KCSIE (2025)", section="Part one", paragraphs=["4"], url="/sources/kcsie-2025#p-4"
    )
    text = "I could not find this in the guidance I hold.\n\nThe closest sections I found:\n- KCSIE (2025), Part one, para 4"
    msg = blocks.answer_message(
        answer(text=text, declined=True, citations=[], closest_sections=[closest]),
        transcript_id="t",
        base_url="https://v.example",
    )
    body = all_text(msg)
    assert body.count("KCSIE (2025)") == 1 and "<https://v.example/sources/kcsie-2025#p-4|KCSIE (2025)>" in body


def test_continue_in_the_web_chat_only_with_a_public_base_url() -> None:
    assert "Continue in the web chat" not in all_text(blocks.answer_message(answer(), transcript_id="t"))
    text = all_text(blocks.answer_message(answer(), transcript_id="t", base_url="https://vsh.example"))
    assert "<https://vsh.example/|Continue in the web chat>" in text


def test_feedback_acknowledgement_replaces_the_buttons() -> None:
    msg = blocks.answer_message(answer(), transcript_id="t1", base_url="")
    acked = blocks.feedback_acknowledged(msg["blocks"], "U0HUMAN01", False)  # type: ignore[arg-type]
    assert not [b for b in acked if b["type"] == "context_actions"]
    assert acked[:-1] == msg["blocks"][:-1]  # type: ignore[index]
    assert "<@U0HUMAN01> marked this answer *not helpful*" in acked[-1]["elements"][0]["text"]
    assert acked[-1]["block_id"] != blocks.FEEDBACK_BLOCK


LISTED = (
    "Virtual schools may be able to: • provide information on specialist services; • help identify resources to "
    "support specific activities & <events>; • co-ordinate support that may be required beyond that which is "
    "already provided by educational services; and • provide training for designated teachers on aspects of "
    "social care."
)
UNDER = "    "  # an item of a list quoted by an "Also in the guidance" point, under the point's bullet


def body_text(msg: dict[str, object]) -> str:
    """The answer's section blocks before the sources, as one mrkdwn text."""
    out = []
    for b in msg["blocks"]:  # type: ignore[attr-defined]
        if b["type"] == "divider":
            break
        if b["type"] == "section":
            out.append(b["text"]["text"])
    return "\n".join(out)


def test_a_quoted_list_is_its_lead_in_then_one_item_a_line_with_the_citation_last() -> None:
    text = (
        "Designated teacher guidance (Feb 2018) (statutory guidance), Virtual schools, p.49:\n"
        f"{LISTED} [1]\n\nAlso in the guidance:\n- Guidance, para 42: Schools get it too [1].\n"
        f"- Designated teacher guidance (Feb 2018), Virtual schools, p.49: {LISTED} [2]"
    )
    msg = blocks.answer_message(answer(text=text, citations=[citation(1), citation(2)]), transcript_id="t")
    lines = body_text(msg).split("\n")
    lead = lines.index("Virtual schools may be able to:")
    assert lines[lead + 1 : lead + 5] == [
        "• provide information on specialist services;",
        "• help identify resources to support specific activities &amp; &lt;events&gt;;",  # escaped as before
        "• co-ordinate support that may be required beyond that which is already provided by educational services; and",
        "• provide training for designated teachers on aspects of social care. [1]",  # the citation after the last
    ]
    point = lines.index(
        "• Designated teacher guidance (Feb 2018), Virtual schools, p.49: Virtual schools may be able to:"
    )
    assert lines[point - 1] == "• Guidance, para 42: Schools get it too [1]."
    items = lines[point + 1 :]
    assert len(items) == 4 and all(line.startswith(UNDER + "• ") for line in items)  # under its point
    assert items[-1].endswith("social care. [2]")
    # nothing but where lines break changed: the quote is verbatim (once unescaped)
    shown = (
        html.unescape(body_text(msg))
        .replace("\n• Guidance", "\n- Guidance")
        .replace("\n• Designated", "\n- Designated")
    )
    assert normalise(shown) == normalise(text)
    assert "may be able to:\n• provide information" in str(msg["text"])  # the notification text too


def test_a_long_quoted_list_splits_between_items_within_slacks_limits() -> None:
    items = [
        f"• item {n:03d} of the list, " + "with words enough to make a long line of guidance text " * 3 + ";"
        for n in range(1, 121)
    ]
    quoted = "The local authority should consider: " + " ".join(items)
    text = f"Lead source, para 1:\nThe VSH must act [1].\n\nAlso in the guidance:\n- Guidance, para 9: {quoted} [2]"
    msg = blocks.answer_message(answer(text=text, citations=[citation(1), citation(2)]), transcript_id="t")
    assert len(msg["blocks"]) <= blocks.MAX_BLOCKS  # type: ignore[arg-type]
    sections = [b["text"]["text"] for b in msg["blocks"] if b["type"] == "section"]  # type: ignore[union-attr]
    assert all(len(s) <= blocks.MAX_SECTION_CHARS for s in sections)
    body = [s for s in sections if "• item" in s]
    assert len(body) > 1  # more than one section's worth
    for s in body[1:]:  # a section that goes on with the list starts with a whole item, under its point
        assert s.startswith(UNDER + "• item "), s[:40]
    shown = "\n".join(body).split("\n")
    listed = [line for line in shown if line.startswith(UNDER + "• item ")]
    assert [line.strip() for line in listed] == [*items[:-1], items[-1] + " [2]"]  # each whole, once, in order


def test_an_answer_too_long_for_slack_is_shortened_and_keeps_its_sources_and_legend() -> None:
    legend = "How to read this: in statutory guidance 'must' is a legal duty."
    items = " ".join(f"• item {n:04d} " + "of a very long quoted list of guidance; " * 14 for n in range(1, 400))
    text = f"Lead source, para 1:\nThe local authority should consider: {items} [1]\n\n{legend}"
    msg = blocks.answer_message(answer(text=text, legend=legend), transcript_id="t")
    kinds = [b["type"] for b in msg["blocks"]]  # type: ignore[union-attr]
    assert len(kinds) == blocks.MAX_BLOCKS and kinds[-1] == "context_actions"
    text_out = all_text(msg)
    assert "*Sources*" in text_out and "*[1]*" in text_out  # what [1] refers to is still there
    assert text_out.count("How to read this") == 1
    cut = kinds.index("divider") - 1
    assert msg["blocks"][cut]["elements"][0]["text"] == blocks.SHORTENED  # type: ignore[index]
    for b in msg["blocks"][:cut]:  # type: ignore[index]
        assert b["type"] == "section" and len(b["text"]["text"]) <= blocks.MAX_SECTION_CHARS
        assert b["text"]["text"].split("\n")[-1].rstrip().endswith(";")  # ends with a whole item


def test_formatting_marks_in_a_quote_show_as_written_not_as_bold_or_italics() -> None:
    quote = (
        "someone who is not a close relative* of the child looks after the child for 28 days or more** "
        "(see _Annex A_, ~2 pages~ and `code`; increasing_care_leavers.pdf)"
    )
    msg = blocks.answer_message(answer(text=f"{quote} [1]."), transcript_id="t")
    shown = body_text(msg)
    assert not any(mark in shown for mark in "*~`"), shown
    assert "relative\u2217 of the child" in shown and "or more\u2217\u2217 (see" in shown
    assert "\u02cdAnnex A\u02cd" in shown and "\u223c2 pages\u223c" in shown and "\u02cbcode\u02cb" in shown
    assert "increasing_care_leavers.pdf" in shown  # an underscore inside a word cannot start italics
    assert "*Sources*" in all_text(msg)  # the bot's own formatting is untouched
    heading = citation(section="Definitions > Kinship care*", quote="x")
    assert "Kinship care\u2217" in all_text(blocks.answer_message(answer(citations=[heading]), transcript_id="t"))


def test_the_evidence_note_follows_the_answer_and_a_decline_has_none() -> None:
    msg = blocks.answer_message(answer(evidence="weak"), transcript_id="t1")
    contexts = [b for b in msg["blocks"] if b["type"] == "context"]  # type: ignore[index]
    [note] = [b for b in contexts if "Evidence: weak." in json.dumps(b)]
    order = [json.dumps(b) for b in msg["blocks"]]  # type: ignore[union-attr]
    assert order.index(json.dumps(note)) < next(i for i, b in enumerate(order) if "*Sources*" in b)
    assert "Evidence: weak." in str(msg["text"])
    declined = answer(declined=True, citations=[], evidence="none", text="I could not find this in the guidance.")
    assert "Evidence:" not in all_text(blocks.answer_message(declined, transcript_id="t2"))


def test_the_answering_sentence_is_bold_where_the_lead_does_not_start_with_it() -> None:
    lead = "The VSH is an officer of the local authority. The VSH manages PP+ for looked-after children."
    focused = answer(
        text=f"Designated teacher guidance (statutory guidance), PP+, para 39:\n{lead} [1]",
        points=[{"text": lead, "citations": [1], "focus": "The VSH manages PP+ for looked-after children."}],
    )
    shown = all_text(blocks.answer_message(focused, transcript_id=None))
    assert "authority. *The VSH manages PP+ for looked-after children.* [1]" in shown
    starting = answer(points=[{"text": "The VSH manages PP+.", "focus": "The VSH manages PP+."}])
    assert "*The VSH" not in all_text(blocks.answer_message(starting, transcript_id=None))  # first: no mark
