"""The text toolkit: the domain vocabulary (everyday words to guidance terms), stopwords, sentences."""

from __future__ import annotations

import tomllib

import pytest

from index.keyword import tokenize
from textkit import STOPWORDS, content_words, raw_words, vocab_tokens, vocabulary
from textkit.vocabulary import VOCABULARY_PATH, Vocabulary, VocabularyError


@pytest.mark.parametrize(
    ("everyday", "guidance"),
    [
        ("PP+", "Pupil Premium Plus"),
        ("pupil premium+", "pupil premium plus"),
        ("VSH", "Virtual School Head"),
        ("the virtual school", "Virtual School Heads"),
        ("PEP", "personal education plan"),
        ("SGO", "special guardianship order"),
        ("kinship carers", "family and friends carer"),
        ("CIN plan", "child in need"),
        ("DSL", "designated safeguarding lead"),
        ("care leavers", "former relevant child"),
        ("Looked After Children", "looked-after child"),
        ("PLAC", "previously looked-after children"),
        ("Welsh council", "Wales"),
    ],
)
def test_one_thing_said_two_ways_is_one_token(everyday: str, guidance: str) -> None:
    assert set(vocab_tokens(everyday)) & set(vocab_tokens(guidance)) & vocabulary().token_set
    assert set(tokenize(everyday)) & set(tokenize(guidance))  # keyword search reads them alike


def test_previously_looked_after_is_not_looked_after() -> None:
    assert vocab_tokens("previously looked-after children") == ["plac"]
    assert vocab_tokens("looked after children") == ["lac"]
    assert vocab_tokens("EHC needs assessment") != vocab_tokens("EHC plan")  # the assessment comes before a plan


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("my daughter was adopted last year", "previously looked-after"),
        ("a foster child in year 6", "looked-after"),
        ("our residential children's home staff", "looked-after"),
        ("can the foster parent decide", "looked-after"),
        ("she lives with her grandmother", "kinship care"),
        ("he was suspended for three days", "exclusion"),
        ("can we take him off roll", "admission register"),
        ("does she need a tutor", "tuition"),
        ("how much training should a DT get", "designated teacher"),
        ("my SW says the PEP is late", "social worker"),
        ("as her PA, do I visit", "personal adviser"),
        ("how quickly does the CP file go", "child protection"),
        ("he is accommodated under s20", "looked-after"),
        ("the nearest secondary says it's full", "admission"),
        ("they say there are no places in year 7", "admission"),
        ("how often is my PA supposed to come and see me?", "visit"),
    ],
)
def test_everyday_words_widen_a_question_to_the_guidance_terms(question: str, term: str) -> None:
    assert term in vocabulary().widen(raw_words(question))


def test_acronyms_that_are_words_match_only_in_capitals() -> None:
    assert "sen" in vocab_tokens("SEND pupils")
    assert "sen" not in vocab_tokens("should we send the file")
    assert "localauthority" in vocab_tokens("the LA decides") and "localauthority" not in vocab_tokens("la la land")
    assert "designated teacher" not in vocabulary().widen(raw_words("we dt the checks"))
    assert "personal adviser" not in vocabulary().widen(raw_words("pa is a word in some pupils' names"))


def test_question_topics_come_from_the_vocabulary() -> None:
    assert "funding" in vocabulary().topics(raw_words("Who decides how the money is spent?"))
    assert "kinship" in vocabulary().topics(raw_words("family and friends carers"))
    assert "scope" in vocabulary().topics(raw_words("Is an adopted child eligible?"))


def test_content_words_drop_stopwords_and_keep_tokens() -> None:
    words = content_words("Who manages the Pupil Premium Plus for looked-after children?")
    assert {"ppplus", "lac", "manag"} <= words
    assert not words & STOPWORDS
    # "how often" asks for a frequency: "often" is no topic word ("Carers often need ..." is not about PEPs)
    assert content_words("How often should a PEP be completed?") == content_words("PEP completed")


def test_the_vocabulary_file_holds_no_sentences() -> None:
    """Domain vocabulary only: short forms, never a quoted sentence of a document."""
    data = tomllib.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    for kind, key in (("same", "forms"), ("means", "says"), ("means", "guidance")):
        for entry in data[kind]:
            for form in entry.get(key, []):
                assert len(form.split()) <= 7 and not form.rstrip().endswith("."), form


def test_a_broken_vocabulary_is_a_clear_error() -> None:
    with pytest.raises(VocabularyError, match="needs a lower-case `token`"):
        Vocabulary({"same": [{"token": "Bad Token", "forms": ["x"]}]})
    with pytest.raises(VocabularyError, match="needs a list of words"):
        Vocabulary({"means": [{"says": "not a list"}]})


def test_initials_with_full_stops_end_no_sentence() -> None:
    """A statutory instrument's "S.I. 2009/1538" inside a sentence does not cut it in two: an answer quoted
    "... Regulations 2009 (S.I." and stopped there."""
    from textkit import split_units

    text = (
        "The Designated Teacher (Looked-After Pupils etc) (England) Regulations 2009 (S.I. 2009/1538) require that"
        " the designated person is a qualified teacher. Each school must appoint one."
    )
    units = split_units(text)
    assert units[0].endswith("is a qualified teacher.") and "(S.I. 2009/1538)" in units[0]
    assert units[1:] == ["Each school must appoint one."]
