"""Safeguarding detection (`assistant.safeguarding.mentions_risk_to_child`): real phrasings of a worry, a
referral or harm must trigger it; ordinary questions about the guidance (safeguarding duties included) must not."""

from __future__ import annotations

import json

import pytest

from assistant.redaction import redact
from assistant.safeguarding import PATTERNS_FILE, mentions_risk_to_child, risk_patterns
from settings import REPO_ROOT

MUST_TRIGGER = [
    "how do I make a referral to social care for a child I'm worried about?",
    "I'm worried about a pupil in my class, what should I do?",
    "I have concerns about a child's safety at home",
    "A child has told me their dad hits them",
    "One of our looked-after children disclosed abuse to a teaching assistant",
    "What do I do if a pupil says she is being hurt at home?",
    "I think one of my students is being groomed online",
    "A year 9 girl has bruises on her arms again",
    "I'm concerned a child in my school is being neglected",
    "Who do I contact if I suspect a child is being sexually exploited?",
    "A boy in our care keeps going missing at night",
    "Our foster child ran away last night, who do I tell?",
    "I think a pupil might be involved in county lines",
    "student self-harming in the toilets, what now",
    "A child told me they are scared to go home",
    "How do I refer a child to the MASH?",
    "Should I call the police about a child who has gone missing from care?",
    "I'm worried a girl in year 8 is at risk of FGM",
    "A girl in year 11 may be forced into marriage over the summer",
    "A pupil talked about wanting to kill himself",
    "One of our children has unexplained injuries on his back",
    "We have a safeguarding concern about a looked-after child",
    "making a referral to children's social care about a pupil",
    "The child said her mum's boyfriend hurts her",
    "I’m worried about a child’s welfare after what he said today",
    "There is domestic abuse at home for one of my pupils",
    "Child protection concerns about a student - who do I tell?",
    "A young person in care says she wants to end her life",
    "I suspect a child is being radicalised",
    "A pupil has been physically assaulted by a relative",
    "A child in kinship care seems unsafe at home",
    "Who do I ring if a child is in immediate danger?",
    "I think a child in my class is being trafficked",
    "A previously looked-after boy brought a knife to school",
    "We are concerned for a pupil who doesn't want to go home at the end of the day",
    "Do I need consent from the parents before I make a referral?",
]

MUST_NOT_TRIGGER = [
    "Which children is the Virtual School Head responsible for?",
    "What must a Virtual School Head do for previously looked-after children?",
    "How should Pupil Premium Plus funding be managed?",
    "What changed for children in kinship care?",
    "What does the designated teacher have to do?",
    "One of our looked-after pupils is at risk of a suspension. As DT what should I be doing?",
    "What's the definition of a child missing education?",
    "What is the local authority's duty under section 436A for children missing education?",
    "What SDQ score is a cause for concern, and is the virtual school involved?",
    "Why does KCSIE treat absence from school as a safeguarding issue?",
    "What will the virtual school do if a looked-after child is at risk of exclusion?",
    "Can I request an EHC needs assessment myself, or does the school have to do it?",
    "Could an HLTA be one of our deputy designated safeguarding leads, once trained?",
    "How often should the designated safeguarding lead be trained?",
    "When a pupil leaves, should I wait for the new school to request their child protection file?",
    "Does the virtual school cover a child on a child in need plan?",
    "Is the VSH responsible for children on a child protection plan?",
    "Who writes the personal education plan and how often is it reviewed?",
    "Can PP+ be spent on a tutor?",
    "What training should the designated teacher have?",
    "Does the VSH role extend to children in kinship care arrangements?",
    "What is the role of the governing body for looked-after children?",
    "How does the virtual school support care leavers going to university?",
    "What should happen at a PEP meeting?",
    "When did the VSH role extension to children with a social worker start?",
    "How much is pupil premium plus per child this year?",
    "What are the duties of local authorities towards previously looked-after children?",
    "Should a school refer a looked-after child for an EHC needs assessment?",
    "What is the difference between statutory and non-statutory guidance?",
    "How should schools keep records of safeguarding training?",
    "What does Working Together say about information sharing between agencies?",
    "Who pays for the transport of a looked-after child to school?",
    "What does the health guidance say about strengths and difficulties questionnaires?",
]


def test_the_lists_are_long_enough() -> None:
    assert len(MUST_TRIGGER) >= 30 and len(MUST_NOT_TRIGGER) >= 30


@pytest.mark.parametrize("question", MUST_TRIGGER)
def test_worry_referral_and_harm_trigger(question: str) -> None:
    assert mentions_risk_to_child(question), question


@pytest.mark.parametrize("question", MUST_TRIGGER)
def test_they_trigger_after_redaction_too(question: str) -> None:
    """The assistant reads the question with personal data redacted ("a child I'm worried about" may read
    "a child [name] worried about")."""
    assert mentions_risk_to_child(redact(question).text), redact(question).text


@pytest.mark.parametrize("question", MUST_NOT_TRIGGER)
def test_ordinary_guidance_questions_do_not(question: str) -> None:
    assert not mentions_risk_to_child(question), question


def test_no_development_set_question_triggers() -> None:
    """The gated development set is unaffected by the patterns (its figures stay what the gate holds)."""
    rows = [json.loads(line) for line in (REPO_ROOT / "evals/datasets/dev.jsonl").read_text().splitlines() if line]
    assert [r["question"] for r in rows if mentions_risk_to_child(r["question"])] == []


def test_patterns_are_data() -> None:
    kinds = risk_patterns(PATTERNS_FILE)
    assert set(kinds) == {"worry", "referral", "harm"} and all(kinds.values())
