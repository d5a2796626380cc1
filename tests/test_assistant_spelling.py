"""Misspelt words of a question are corrected to words of the guidance held, and nothing else is touched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import fake_assistant

from assistant.spelling import Speller
from settings import Settings

GUIDANCE = [
    "The designated teacher should liaise with the virtual school head about previously looked-after children.",
    "A special guardianship order gives parental responsibility. Carers receive the health plan.",
    "Accommodation must be suitable for care leavers.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(GUIDANCE)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("does the desginated teacher have to be qualified", "does the designated teacher have to be qualified"),
        ("my nephew is on a special guardianshp order", "my nephew is on a special guardianship order"),
        ("previosly looked after girl", "previously looked after girl"),
        ("Desginated teachers", "Designated teachers"),  # a sentence's first word keeps its capital
        ("shoud i recieve a copy of her health plan", "shoud i receive a copy of her health plan"),
    ],
)
def test_misspelt_guidance_words_are_corrected(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "do we realy have to",  # under six letters: "ready" or "really"?
        "she moved to Kettering and the warehouse job",  # a place inside a sentence; an English word
        "theyre saying the school shouldnt take him",  # contractions typed without their apostrophe
        "the guardianshp's file and [name]'s carer",  # apostrophes and placeholders
        "SGOs and PEPs for yr2 and Y10",  # acronyms and words with digits
    ],
)
def test_words_that_are_not_misspellings_are_left_alone(speller: Speller, text: str) -> None:
    assert speller.correct(text) == text


def test_the_assistant_reads_the_corrected_question_and_shows_the_one_asked(fake_settings: Settings) -> None:
    assistant = fake_assistant(fake_settings)
    typed = "Who manages the pupil premium plus for previosly looked-after children?"
    assert "previously" in assistant._spelled(typed)
    assert assistant.ask(typed).question == typed
    off = fake_assistant(fake_settings.model_copy(update={"spelling": False}))
    assert off._spelled(typed) == typed


def test_the_guidance_is_read_only_when_a_word_is_unknown() -> None:
    def never() -> Iterator[str]:
        raise AssertionError("read the guidance for a question with no unknown word")
        yield ""

    lazy = Speller(never())
    assert lazy.correct("Who manages the pupil premium plus for looked-after children?").startswith("Who manages")
