"""Fast checks without an index: units, question types, follow-ups, decline rules, the CLI's missing-index
message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.decline import (
    asked_kind,
    asks_nothing,
    fact_finder,
    gives_fact,
    missing_fact,
    needed_fact,
    nothing_close,
    rule_decline,
    shows_sections,
)
from assistant.followup import is_follow_up, resolve_follow_up
from assistant.question import analyse
from assistant.quotable import without_time_stamp
from assistant.redaction import redact
from bots.cli import ask
from settings import Settings, get_settings
from textkit import clean_unit, is_list_item, normalise, split_units

PASSAGE = """39. Looked-after children and children adopted from care, on a special guardianship
or child arrangements order are eligible for PP+ funding.11  This is additional
funding provided, e.g. to help improve attainment.
44. The designated teacher should:
• for looked-after children, liaise with the VSH;
• help raise awareness of the PP+; and
• encourage parents.
45. The PP+ can be used widely. It is important (see Section 3.2)."""


def test_units_are_verbatim_and_keep_lists_with_their_lead_in() -> None:
    units = [clean_unit(u) for u in split_units(PASSAGE)]
    flat = normalise(PASSAGE)
    assert all(u in flat for u in units)
    assert units[0].startswith("Looked-after children") and units[0].endswith("PP+ funding.")
    assert any(u.startswith("The designated teacher should: • for looked-after") for u in units)
    assert "The PP+ can be used widely." in units


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("Does the virtual school cover a child on a child in need plan?", "scope"),
        ("Is a child on a special guardianship order previously looked-after?", "scope"),
        ("Must the governing body appoint a designated teacher?", "duties"),
        ("What changed for kinship care?", "kinship"),
        ("Who is eligible for Pupil Premium Plus?", "funding"),
        ("What was the £16 million for?", "funding"),
        ("Can I use pupil premium+ to pay for a tutor?", "funding"),
        ("Is my grandson covered now he lives with us on an SGO?", "scope"),
        ("She has bruises on her arms, what should I do?", "safeguarding"),
        ("What is a personal education plan?", "general"),
    ],
)
def test_question_types(question: str, qtype: str) -> None:
    assert analyse(redact(question).text).question_type == qtype


@pytest.mark.parametrize(
    ("question", "evidence", "rule"),
    [
        (
            "We're in Wales and our adopted daughter did not get a school place.",
            "England and Wales",
            "asker_in_other_nation",
        ),
        ("my pupil was adopted from care in Wales, is she previously looked after?", "England and Wales", ""),
        ("my pupil was adopted from care in Wales, is she previously looked after?", "England only", "other_nation"),
        ("Gypsy, Roma and Irish Traveller children missing education", "Traveller children", ""),
        ("What are the rules for looked-after children in Scottish schools?", "England", "other_nation"),
        ("Can I get legal aid to apply to court for my grandchild?", "care proceedings", "court"),
        ("I'm a care leaver. Am I exempt from council tax?", "exempt from prescription charges", "personal_claim"),
        ("Can I request an EHC needs assessment myself?", "Align the EHC plan's review with the PEP", "personal_claim"),
        ("Can I request an EHC needs assessment myself?", "Parents may ask for an EHC needs assessment", ""),
        ("Can we ask for a PEP meeting before the review?", "The PEP meeting is held before the review", ""),
        ("Should I move Jamie to a new school or keep him where he is?", "moves", "individual_judgement"),
        ("Should [name] be moved to a new school? He is in year 5", "moved", "individual_judgement"),
        ("[name] is on a reduced timetable. Is she ready to go back full time?", "full time", "individual_judgement"),
        ("Should they stay in touch with the VSH after adoption?", "stay in touch", ""),
        ("How many children are in kinship care right now?", "kinship", "current_figures"),
        ("What is on the school lunch menu?", "menu", "unrelated"),
        ("Who's the virtual school head for Leeds? I need to send a PP+ request", "virtual school head", "local"),
        ("Who do I contact at Leeds virtual school?? the PEP has not happened", "virtual school head", "local"),
        ("Who is the designated nurse in Bristol?", "designated nurse for looked-after children", "local"),
        ("Is there a kinship carers' support group in Norfolk?", "kinship carers", "local"),
        ("Is there a duty to tell the VSH in England?", "England", ""),
        ("Which children are eligible for Pupil Premium Plus?", "looked-after children", ""),
        ("Who is responsible for the PEP in Year 10?", "the social worker", ""),
        ("Our LA has a new ePEP system; where do I log in?", "electronic PEP", "local"),
        ("What's the deadline on our council's PEP form?", "PEP", "local"),
        ("Can you recommend a good phonics scheme?", "phonics", "individual_judgement"),
        ("He wants to leave college for a job. Is that a good idea?", "college", "individual_judgement"),
        ("Would he be better off in alternative provision?", "alternative provision", "individual_judgement"),
        ("What's the fostering allowance for a 14 year old at the moment?", "allowance", "current_amount"),
        ("I haven't got a login for the ePEP yet. Who sets it up?", "electronic PEP", "local"),
        ("A London council placed him with us in Norfolk. Which CCG pays?", "the responsible commissioner", ""),
        ("Do designated teachers get a TLR or extra pay for the role?", "designated teacher", "unrelated"),
        ("How do I top up dinner money for my foster child?", "foster", "unrelated"),
        ("She wants to drop triple science. Is that the right choice?", "options", "individual_judgement"),
        ("Should we move her to a school nearer home?", "school moves", "individual_judgement"),
        ("Are care leavers exempt from council tax?", "exempt from prescription charges", "personal_claim"),
        ("What's the out of hours number for children's social care?", "social care", "unrelated"),
        ("How do I set up an out of office reply?", "office", "unrelated"),
        ("Can you help me write a leaving card for our VSH?", "VSH", "unrelated"),
        ("Any recommendations for a tutor for Year 11?", "tuition", "individual_judgement"),
        ("Do you think the court will let him go home?", "court", "individual_judgement"),
        ("What's the minimum fostering allowance this year?", "allowance", "current_amount"),
        ("Do Welsh schools have to have a designated teacher?", "England and Wales", "asker_in_other_nation"),
        ("My school in Newport (Wales) has a looked-after pupil.", "England and Wales", "asker_in_other_nation"),
        ("He was adopted from a Welsh council. Does he get PP+?", "English or Welsh local authority", ""),
        ("We're a Welsh council. What does the ALN Code say about IDPs?", "Wales", "asker_in_other_nation"),
        ("The PP+ won't buy him a laptop, the council refused. Can we complain?", "complaints", ""),
        ("Are care leavers entitled to a personal adviser?", "a personal adviser until 25", ""),
        # "entitled to any ..." asks whether she qualifies at all, which the guidance answers by saying who does
        ("She was on an SGO after foster care. Is she entitled to any leaving care help?", "qualifying", ""),
        ("Is she entitled to a kinship allowance?", "kinship carers", "personal_claim"),
        ("What's the phone number and email for our virtual school?", "contact the virtual school", "unrelated"),
        ("Who are the contact details for the VSH in Kent?", "VSH", "unrelated"),
        ("Should the school's DSL have my contact details as her personal adviser?", "personal adviser", ""),
        ("How much is pupil premium plus per child this year?", "£2,570 per pupil", "current_amount"),
        ("How much PP+ does a school get for 2025-26?", "£2,570 for 2024-25", "this_years_amount"),
        ("How much PP+ does a school get for 2025-26?", "£2,630 for 2025-26", ""),
        ("Should we remove him from the school roll while he is in custody?", "custody", ""),
        ("Will my universal credit go down if the council pays me an allowance?", "allowance", "other_rules"),
        ("Can I claim guardian's allowance as a special guardian?", "special guardianship", "other_rules"),
        ("Do care leavers get housing benefit?", "care leavers may claim housing benefit", ""),
        ("His universal credit won't be paid for weeks. Must the leaving care team cover it?", "grants", ""),
        ("Which attendance code do we use for a PEP meeting in the school day?", "attendance", "other_rules"),
        ("Do looked-after children get extra time in their GCSEs?", "looked-after children", "other_rules"),
        ("Is there a maximum caseload for a personal adviser?", "personal adviser", "other_rules"),
        ("How often are health assessments? I have two children on my caseload", "health assessment", ""),
        ("Is there a national PEP template every virtual school has to use?", "What a PEP should contain", "forms"),
        ("Is there a national PEP template every virtual school has to use?", "a PEP template is provided", ""),
        ("Which court form do I need to apply for an SGO?", "special guardianship order", "forms"),
        ("Can I sign my foster son's school trip forms?", "carers can sign consent for trips", ""),
        ("Is there a form of support for kinship carers?", "support for kinship carers", ""),
    ],
)
def test_decline_rules_need_more_than_a_surface_word(question: str, evidence: str, rule: str) -> None:
    assert rule_decline(redact(question).text, [evidence])[0] == rule


def test_small_talk_is_answered_by_its_reason_alone_other_declines_list_sections() -> None:
    assert rule_decline("hiya, thanks for your help earlier!", [""])[0] == "small_talk"
    assert not shows_sections("small_talk") and not shows_sections("thanks")
    assert shows_sections("local") and shows_sections("unrelated") and shows_sections("")


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        ("thanks, that was really helpful!", "thanks"),
        ("That's really useful, thank you", "thanks"),
        ("ok got it, cheers", "thanks"),
        ("that makes sense", "thanks"),
        ("Many thanks for the help", "thanks"),
        ("thanks - does that apply to kinship carers too?", ""),
        ("Is that helpful for children on an SGO?", ""),
        ("it helps to know who pays for the tutor", ""),
    ],
)
def test_thanks_alone_is_welcomed_a_question_after_it_is_answered(message: str, rule: str) -> None:
    assert rule_decline(redact(message).text, [""])[0] == rule
    assert asks_nothing(redact(message).text) == bool(rule)


def test_another_nation_may_be_named_by_any_of_the_best_three_passages_other_things_by_the_lead() -> None:
    welsh = "He is looked after by a Welsh council but placed with carers in England. Is he in my remit?"
    passages = ["The designated teacher role covers looked-after children.", "Virtual school heads ...", "x"]
    assert rule_decline(welsh, passages)[0] == "other_nation"
    assert rule_decline(welsh, [*passages[:2], "children looked after by Welsh local authorities"])[0] == ""
    assert rule_decline(welsh, [*passages, "children looked after by Welsh local authorities"])[0] == "other_nation"
    council_tax = "Are care leavers exempt from council tax?"
    assert rule_decline(council_tax, ["Care leavers get a personal adviser.", "council tax exemption"])[0]


def test_a_share_or_a_count_asked_for_needs_a_figure_about_it() -> None:
    share = analyse("What percentage of looked-after children get grade 4 in English and maths at GCSE?")
    vague = "Looked-after children do less well in English and maths at GCSE than their peers."
    assert missing_fact(share, [vague]) == "a figure (a count or a percentage)"
    assert not missing_fact(share, ["In 2019, 18% of looked-after children got grade 4 in English and maths at GCSE."])
    hours = analyse("How many hours of one-to-one tuition can a looked-after child have?")
    assert missing_fact(hours, ["One-to-one tuition can help a looked-after child catch up."])
    assert not missing_fact(hours, ["A looked-after child can have 10 hours of one-to-one tuition a term."])
    days = analyse("How many days does the school have to tell the local authority?")
    assert missing_fact(days, ["The school must tell the local authority."]) == "a timescale"
    assert asked_kind(hours) is None  # a reason to decline, not a ranking hint: the reranker never saw it
    least = analyse("Is there a minimum amount of training for the designated safeguarding lead?")
    assert not missing_fact(least, ["This training should be updated at least every two years."])


def test_a_fact_must_be_given_about_what_was_asked() -> None:
    question = analyse("How much was announced to extend the virtual school head role to kinship children?")
    other = "£16 million to extend the role of Virtual School Heads to children with a social worker."
    assert missing_fact(question, [other]) == "an amount for the children it asks about"
    assert not missing_fact(question, ["£3 million to extend the virtual school head role to kinship children."])
    timescale = analyse("What are the statutory timescales for completing an EHC needs assessment?")
    assert not gives_fact(timescale, "Pupils in Year 9 (aged 13-14) have a transition review of their plan.")


def test_asked_how_to_challenge_a_refusal_the_answer_must_name_a_way() -> None:
    refused = analyse("I've been told my application as a foster carer was not approved. What can I do?")
    assert missing_fact(refused, ["Foster carers are approved by the fostering panel."]) == (
        "a way to challenge the decision"
    )
    assert not missing_fact(
        refused, ["A foster carer who was not approved may ask for a review of the application by the panel."]
    )
    assert not missing_fact(analyse("What should we do when a pupil has not returned after the holidays?"), ["x"])
    appeal = analyse("My application to be a kinship carer was turned down. Can I appeal?")
    assert missing_fact(appeal, ["Kinship carers are assessed by the local authority."])
    # a school's refusal for a child asks what the guidance says (the VSH manages PP+), not for an appeal route
    school = analyse("The school refused to spend pupil premium plus on my foster child's tutoring. What can I do?")
    assert not missing_fact(school, ["PP+ funding is managed by the Virtual School Head (VSH)."])


def test_a_table_row_gives_an_amount_about_what_the_text_before_it_names() -> None:
    question = analyse("How much pupil premium plus is paid for a looked-after child?")
    intro = "Pupil premium plus is allocated for each looked-after child. The amounts are shown in the table."
    row = "• Group of children: Looked-after children; Amount per pupil: £2,570"
    assert missing_fact(question, [f"{intro} {row}"]) == ""
    assert missing_fact(question, [row]) == "an amount of money"  # the row alone does not say what it is
    # a sentence (not a list item) is read on its own
    prose = f"{intro.split('. ')[0]}. Schools receive £300 for each pupil on roll."
    assert missing_fact(question, [prose]) == "an amount of money"


def test_display_units_drop_footnote_numbers() -> None:
    assert clean_unit("12. Councils should pay at least £2,000 for this allowance. 1") == (
        "Councils should pay at least £2,000 for this allowance."
    )
    assert clean_unit("The PEP must be reviewed.3") == "The PEP must be reviewed."
    assert clean_unit("Children aged 16 or 17.") == "Children aged 16 or 17."


def test_display_units_drop_a_list_marker_left_at_their_end() -> None:
    assert clean_unit("Paid workers remain in regulated activity even if supervised. iii.") == (
        "Paid workers remain in regulated activity even if supervised."
    )
    assert clean_unit("The plan is reviewed every term. •") == "The plan is reviewed every term."
    assert clean_unit("Options are set out in paragraph (iv).") == "Options are set out in paragraph (iv)."


def test_how_often_asks_for_a_frequency() -> None:
    question = analyse("How often should a PEP be reviewed?")
    assert needed_fact(question) is not None
    assert gives_fact(question, "The PEP should be reviewed every term, before each review of the care plan.")
    assert gives_fact(question, "Subsequent PEP reviews take place at not more than six monthly intervals.")
    assert not gives_fact(question, "The PEP is reviewed through a meeting with the social worker.")
    assert missing_fact(question, ["The PEP is a record of the child's education."]) == "a frequency"


def test_a_why_question_asks_for_a_reason_not_the_fact_its_words_name() -> None:
    why = analyse("Why does the virtual school keep the PP+ rather than giving us the full amount per child?")
    assert needed_fact(why) is None and fact_finder(why) is None
    assert not missing_fact(why, ["PP+ for looked-after children is managed by the virtual school head."])
    both = analyse("Why is the PP+ held back? And how much per child is it?")  # the second clause asks an amount
    assert missing_fact(both, ["PP+ is managed by the virtual school head."]) == "an amount of money"
    assert needed_fact(analyse("How much PP+ does a school get per child?")) is not None


def test_a_time_or_frequency_is_read_under_its_section_headings() -> None:
    question = analyse("New PA - how often do I legally have to go and see a care leaver at their flat?")
    sentence = "Subsequently they must see them at no less than 2 monthly intervals."
    section = "Role of personal advisers > Functions > (f) To keep informed about care leavers' progress"
    assert missing_fact(question, [sentence]) == "a frequency"  # the sentence alone does not say whose visits
    assert missing_fact(question, [sentence], [section]) == ""
    finder = fact_finder(question)
    assert finder is not None and finder(sentence, section) and not finder(sentence, "Funding > Grants")
    assert fact_finder(analyse("Who is the personal adviser?")) is None
    # an amount must be about the question in its own sentence, whatever its section
    amount = analyse("How much is the setting up home allowance for a care leaver?")
    assert missing_fact(amount, ["It is at least £2,000."], ["Care leavers > Setting up home allowance"])


def test_asked_kind_is_a_wider_hint_than_the_facts_that_decline() -> None:
    when = analyse("When did virtual school heads take on duties for previously looked-after children?")
    assert needed_fact(when) is None
    kind = asked_kind(when)
    assert kind is not None and kind.search("Since 2014 all local authorities") and not kind.search("Since then")
    assert asked_kind(analyse("When should the designated teacher contact the VSH?")) is None
    assert asked_kind(analyse("How long does a school keep a child on roll?")) is not None


def test_lettered_and_roman_list_items_are_units_of_their_own() -> None:
    text = "Arrangements include: a) a close relative; b) a friend approved as a foster carer. iii. Another case here."
    assert split_units(text, max_list_chars=20) == [
        "Arrangements include:",
        "a) a close relative;",
        "b) a friend approved as a foster carer.",
        "iii. Another case here.",
    ]
    assert [is_list_item(u) for u in split_units(text, max_list_chars=20)] == [False, True, True, True]
    assert is_list_item("(iv) the child's carer") and not is_list_item("(The child's carer) agrees.")


def test_duty_questions_are_recognised() -> None:
    assert analyse("Must the governing body appoint a designated teacher?").asks_duty
    assert analyse("Is it a duty for the LA to appoint a VSH?").asks_duty
    assert not analyse("What should a good PEP contain?").asks_duty


def test_follow_ups_are_rewritten_with_the_previous_question() -> None:
    prev = "Who manages PP+ for looked-after children?"
    assert is_follow_up("and for previously looked-after children?")
    assert is_follow_up("What about kinship care?")
    assert is_follow_up("Does that apply to them too?")
    assert not is_follow_up("Who is eligible for Pupil Premium Plus funding in a school?")
    assert resolve_follow_up("and for previously looked-after children?", prev) == (
        "Who manages PP+ for previously looked-after children?"
    )
    assert "kinship care" in resolve_follow_up("what about kinship care?", "Who is eligible for PP+?")
    assert resolve_follow_up("does that apply to them too?", prev).startswith(prev)


def test_cli_missing_index_exits_2_with_rebuild_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSH_DATA_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(ask)
    try:
        result = CliRunner().invoke(app, ["Who is eligible for PP+?"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "vsh ingest" in result.output


def test_cli_json_is_the_answer_schema(corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSH_DATA_DIR", str(corpus_settings.data_dir))
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(ask)
    try:
        result = CliRunner().invoke(app, ["Who is eligible for Pupil Premium Plus?", "--json"])
        human = CliRunner().invoke(app, ["Who is eligible for Pupil Premium Plus?"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["citations"] and data["question_type"] == "funding"
    assert human.exit_code == 0
    assert "Designated teacher guidance (Feb 2018)" in human.output and "(statutory guidance)" in human.output
    assert human.output.count("How to read this:") == 1 and "Related sections:" in human.output


def test_a_fact_is_about_the_part_of_the_question_that_asks_for_it() -> None:
    two_part = analyse(
        "how much is the HE bursary for care leavers and does the LA have to pay it in one go? "
        "mine starts uni in september"
    )
    assert gives_fact(two_part, "The relevant amount of the higher education bursary is £2,000.")
    assert missing_fact(two_part, ["The relevant amount of the higher education bursary is £2,000."]) == ""
    # the asking part says only "it": the whole question decides what the fact is about
    pronoun = analyse(
        "Should we wait for the new school to ask for the child protection file, and how quickly should it be sent?"
    )
    assert gives_fact(pronoun, "The child protection file should be transferred to the new school within 5 days.")
    assert not gives_fact(pronoun, "Pathway plans are reviewed within 5 days of a move.")


def test_a_long_question_needs_three_of_its_words_in_the_sentence_giving_the_fact() -> None:
    long = analyse(
        "how often does a pathway plan have to be reviewed once a young person has left care? is 6 monthly the max?"
    )
    assert gives_fact(long, "Pathway plans must be reviewed at intervals of not more than six months.")
    assert not gives_fact(long, "Plans are reviewed at intervals set by the school.")


def test_the_words_a_fact_must_be_about_are_read_through_the_vocabulary() -> None:
    everyday = analyse("how much is the uni bursary for care leavers and is it a one off or every year")
    assert gives_fact(everyday, "The relevant amount is £2,000 (the higher education bursary).")


def test_how_many_days_asks_for_a_time_limit_and_what_is_the_rate_for_an_amount() -> None:
    days = analyse("My foster son was excluded. How many days do we have to ask for a review?")
    assert missing_fact(days, ["Carers can ask for a review of the exclusion."]) == "a timescale"
    assert not missing_fact(days, ["Carers can ask for a review of the exclusion within 15 school days."])
    limit = analyse("Is there a max number of days a school can suspend a looked-after child for?")
    assert missing_fact(limit, ["Suspensions of looked-after children should be a last resort."]) == "a timescale"
    got = analyse("Governors upheld the exclusion. How long have we got to ask for a review?")
    assert missing_fact(got, ["Parents can ask for a review of the exclusion."]) == "a timescale"
    cut_off = analyse("What's the cut off for PP+ requests this term?")
    assert missing_fact(cut_off, ["Schools request PP+ from the virtual school head."]) == "a deadline"
    early = analyse("What's the early years pupil premium rate per hour?")
    assert missing_fact(early, ["Early years settings receive the early years pupil premium."]) == "an amount of money"
    rate = analyse("What's the £ amount of the tariff for an initial health assessment?")
    assert missing_fact(rate, ["A national tariff applies to initial health assessments."]) == "an amount of money"


def test_a_deadline_is_a_date_or_a_time_limit() -> None:
    deadline = analyse("What's the deadline for sending the PEP to the new school?")
    assert gives_fact(deadline, "The PEP should be sent to the new school within ten school days.")
    assert gives_fact(deadline, "The PEP must reach the new school by 1 September.")
    assert missing_fact(deadline, ["The PEP should be sent to the new school."]) == "a deadline"


def test_only_a_web_page_time_stamp_is_taken_off_a_quote() -> None:
    assert (
        without_time_stamp("December 15 11:11 2023 Details Virtual school heads lead.") == "Virtual school heads lead."
    )
    assert without_time_stamp("Sep 3, 09:30, 2024 Summary The role changed.") == "The role changed."
    for kept in ("December 2023 was when the role changed.", "Details of the role are in Annex A."):
        assert without_time_stamp(kept) == kept


def test_nothing_close_needs_both_models_to_find_nothing_near() -> None:
    floors = {"dense_below": 0.45, "second_below": 0.845}

    def never() -> list[float | None]:
        raise AssertionError("the second view is asked only when the index's model finds nothing close")

    assert nothing_close([0.30, 0.41], lambda: [0.80, 0.84], **floors)
    assert not nothing_close([0.30, 0.46], never, **floors)  # the index's model finds one close
    assert not nothing_close([0.30, 0.41], lambda: [0.80, 0.85], **floors)  # the second view finds one close
    assert not nothing_close([0.30, 0.41], lambda: [None, None], **floors)  # no second view: one model never declines
    assert not nothing_close([0.30, 0.41], never, dense_below=0.0, second_below=0.845)  # turned off
    assert not nothing_close([], never, **floors)
