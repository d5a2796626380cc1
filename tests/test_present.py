"""`bots.present`: each part of an answer once, whatever the channel."""

from __future__ import annotations

from assistant.models import Answer, ClosestSection
from bots.present import absolute_url, answer_view, bulleted, dated_title, outside_link

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
