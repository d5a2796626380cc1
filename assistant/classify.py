"""Rule-based question analysis: question type, safeguarding concern, questions the guidance cannot answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import QuestionType

__all__ = ["Analysis", "analyse", "SAFEGUARDING_NOTICE", "DUTY_NOTE", "is_follow_up", "resolve_follow_up"]

SAFEGUARDING_NOTICE = (
    "If a child is in immediate danger, call 999. If you are worried a child is at risk of harm, contact "
    "your local authority's children's social care team now, and follow your setting's safeguarding "
    "procedures (your designated safeguarding lead)."
)

DUTY_NOTE = (
    "How to read 'must' and 'should': in statutory guidance 'must' is a legal duty and 'should' is expected "
    "unless there is good reason not to; non-statutory guidance is advice on good practice; announcements "
    "are news, not guidance."
)

_SAFEGUARDING = re.compile(
    r"\b(bruis\w*|hits? (?:him|her|me|them)|hitting (?:him|her|me)|beat(?:s|en|ing)? (?:him|her|me|up)|"
    r"(?:hurt|hurts|hurting|harm(?:s|ing)?) (?:him|her|them)(?:self|selves)?|at risk of (?:significant )?harm|"
    r"being (?:abused|neglected|groomed|hurt|exploited|hit|beaten)|abus(?:e|ed|ing|ive)\b|neglect(?:ed)?\b|"
    r"self[- ]harm\w*|cut(?:s|ting)? (?:him|her|them)sel(?:f|ves)|suicid\w*|kill (?:him|her)self|"
    r"r[au]n(?:s)? away|running away|runaway|gone missing|going missing|missing from (?:home|care)|"
    r"sexual(?:ly)? exploit\w*|exploitation|groom(?:ed|ing)|county lines|fgm|forced marriage|"
    r"(?:unsafe|scared|afraid|frightened) (?:at|to go) home|disclos(?:ed|ure)|injur(?:y|ies|ed))\b",
    re.IGNORECASE,
)
# something about a particular child, not the guidance in general
_PARTICULAR = re.compile(
    r"\b(he|she|him|her|his|my (?:pupil|student|child|son|daughter|foster child)|this (?:child|pupil|boy|girl)|"
    r"a (?:pupil|child|student|boy|girl) (?:in my|at my|who)|\[name\]|one of (?:my|our))\b",
    re.IGNORECASE,
)

_OTHER_JURISDICTION = re.compile(
    r"\b(scotland|scottish|northern ireland|northern irish|republic of ireland|in ireland|irish|"
    r"in wales|welsh (?:government|guidance|law|rules|schools?|system)|wales'?s?\s+(?:rules|law|guidance)|"
    r"in (?:france|germany|the us|the usa|america|australia|canada|new zealand)|"
    r"united states|american)\b",
    re.IGNORECASE,
)
_CASEWORK = re.compile(
    r"\b(should (?:i|we) (?:move|exclude|expel|transfer|place|remove|take|send|report|refer|let|allow|"
    r"change|keep|give|tell)|"
    r"(?:can|could|shall) (?:i|we) (?:move|exclude|expel|transfer|remove|send) (?:him|her|them|\[name\])|"
    r"what should (?:i|we) do (?:about|with|for) (?:him|her|them|\[name\]|my|this)|"
    r"is it (?:right|best|ok|okay) (?:for me |for us )?to (?:move|exclude|place)|"
    r"what(?:'s| is) best for (?:him|her|\[name\])|"
    r"do you think (?:i|we|he|she|\[name\])|would you (?:advise|recommend) (?:i|we|moving|excluding))\b",
    re.IGNORECASE,
)
_LEGAL_ADVICE = re.compile(
    r"\b(legal advice|sue|suing|solicitor|lawyer|barrister|take (?:them|the council|the la|the school|"
    r"the local authority) to (?:court|tribunal)|legal action|judicial review|my case|our case|"
    r"(?:is|was) (?:the council|the school|the la|the local authority) (?:breaking|acting against) the law|"
    r"(?:can|could) (?:i|we) appeal|\[name\]['’]s .*\blegal(?:ly)?\b|\blegal(?:ly)?\b.*\[name\])",
    re.IGNORECASE,
)
_UNRELATED = re.compile(
    r"\b(lunch menu|school dinners?|menu|recipe|teachers?'? pay|pay scales?|pay rise|salary|salaries|pension|"
    r"strike|term dates|holiday dates|school uniform|weather|football|parking|car park|timetable software|"
    r"wifi|printer|password|ofsted (?:grade|rating|judgement)s?|inspection result|league tables?|"
    r"phone number|telephone|email address|contact details|website address|"
    r"right now|at the moment|currently|latest (?:figures|statistics|data)|statistics)\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"\b(virtual school|vsh|looked[- ]after|care|carer|social worker|designated teacher|pupil premium|pp\+|"
    r"kinship|adopt\w*|guardianship|child arrangements|pep|personal education plan|safeguard\w*|"
    r"local authorit\w*|council|children in need|child in need|exclu\w*|attendance|admission\w*|school|"
    r"education|guidance|duty|duties|missing|leaver|health|send|sen|ehc\w*|funding|grant|governing|"
    r"academ\w*|pupil|child|children|teacher|college|dsl|kcsie)\b",
    re.IGNORECASE,
)

_KINSHIP = re.compile(r"\b(kinship|family and friends care|connected (?:person|carer)s?|september 2024)\b", re.I)
_CHANGE = re.compile(
    r"\b(what(?:'s| has| have)? changed|what changes|changed|change(?:s)? (?:to|in|for)|new|update[sd]?|"
    r"since when|from when)\b",
    re.I,
)
_FUNDING = re.compile(
    r"(pp\+|pupil premium|premium plus|£\s?\d|\b\d+ million|\bfunding\b|\bfunded\b|\bgrant\b|\bmoney\b|\bbudget\b|"
    r"\bspend\w*|\bspent\b|\bpaid\b|\bpay for\b|\bcost\w*)",
    re.I,
)
_SCOPE = re.compile(
    r"\b(covered|cover|covers|in scope|scope|eligible|eligibility|which children|who counts|who is a|"
    r"who are|count as|counts as|child in need|children in need|cin plan|child protection plan|"
    r"previously looked[- ]after|special guardianship|sgo|adopted|adoption|child arrangements order|"
    r"with a social worker|definition|defined|does (?:the )?(?:virtual school|vsh) (?:cover|support|include))\b",
    re.I,
)
_DUTIES = re.compile(
    r"\b(must|should|shall|responsib\w*|duty|duties|role|required|require|requirement|obliged|obligation|"
    r"have to|has to|need to|needs to|statutory|legal(?:ly)?|expected|accountable|who (?:decides|manages|"
    r"appoints|does)|what does (?:the |a )?(?:vsh|virtual school head|designated teacher))\b",
    re.I,
)
_ASKS_DUTY = re.compile(
    r"(^\s*(?:must|should|shall|do(?:es)?|is|are|has|have)\b.*\b(?:must|have to|has to|required|"
    r"a duty|duty|obliged|statutory|legally|need to|needs to)\b|^\s*(?:must|should|shall)\b|"
    r"\b(?:is|are) (?:it|there|this|that|they|schools?|the \w+(?: \w+)?) (?:a )?(?:required|a duty|duty|"
    r"obliged|statutory|mandatory|compulsory)\b|\bdo(?:es)? \w+(?: \w+)? have (?:a duty|to)\b)",
    re.I,
)


# questions asking for a specific fact: the supporting text must contain that kind of fact
FACT_NEEDS: list[tuple[re.Pattern[str], re.Pattern[str], str]] = [
    (
        re.compile(
            r"\bhow much\b(?! (?:time|training|notice|contact|detail|information|say))|"
            r"\bwhat is the amount\b|\bper (?:pupil|child|student)\b",
            re.I,
        ),
        re.compile(r"£\s?\d|\d+ per cent|\d+%", re.I),
        "an amount of money",
    ),
    (
        re.compile(r"\b(?:deadline|closing date|what date)\b", re.I),
        re.compile(
            r"\b\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|"
            r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{4}",
            re.I,
        ),
        "a date",
    ),
    (
        re.compile(r"\b(?:timescales?|time limits?|how quickly|how long|within how)\b", re.I),
        re.compile(
            r"\b(?:\d+|one|two|three|four|five|six|ten|twenty) (?:working |school )?(?:days?|weeks?|months?|"
            r"years?|hours?)\b|immediately|as soon as|without delay|promptly|annual|\bage(?:d)? \d+|"
            r"\b(?:until|by|from) (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{4}",
            re.I,
        ),
        "a timescale",
    ),
]


@dataclass
class Analysis:
    question_type: QuestionType
    safeguarding: bool = False
    decline_reason: str = ""
    asks_duty: bool = False
    asks_change: bool = False
    in_domain: bool = True


def analyse(question: str) -> Analysis:
    """Classify a (redacted) question. Rules only: cheap, predictable, explainable."""
    q = question.strip()
    safeguarding = bool(_SAFEGUARDING.search(q))
    asks_duty = bool(_ASKS_DUTY.search(q)) or bool(re.search(r"\b(must|duty|required|obliged)\b", q, re.I))
    asks_change = bool(_CHANGE.search(q))
    in_domain = bool(_DOMAIN.search(q))

    reason = ""
    if _OTHER_JURISDICTION.search(q):
        reason = (
            "The guidance I hold is for England. I cannot answer for Scotland, Wales, Northern Ireland or "
            "other countries: check that nation's own guidance."
        )
    elif _LEGAL_ADVICE.search(q):
        reason = (
            "This asks for legal advice about a particular case. I can only say what the guidance says; "
            "please take legal advice (for example through your local authority's legal team)."
        )
    elif _CASEWORK.search(q) and (_PARTICULAR.search(q) or "[name]" in q):
        reason = (
            "This is a decision about an individual child. The guidance cannot make it for you: discuss it "
            "with the child's social worker, the designated teacher and the Virtual School."
        )
    elif _UNRELATED.search(q):
        reason = "This topic is not covered by the guidance I hold on the Virtual School Head role."

    if safeguarding and not reason.startswith("The guidance I hold is for England"):
        qtype: QuestionType = "safeguarding"
        # safeguarding concerns about a child are always answered (signposting + guidance), never declined
        # as casework
        if not reason.startswith("This topic"):
            reason = ""
    elif reason:
        qtype = "out_of_scope"
    elif _KINSHIP.search(q):
        qtype = "kinship"
    elif _FUNDING.search(q):
        qtype = "funding"
    elif _SCOPE.search(q):
        qtype = "scope"
    elif _DUTIES.search(q):
        qtype = "duties"
    else:
        qtype = "general"
    return Analysis(
        question_type=qtype,
        safeguarding=safeguarding,
        decline_reason=reason,
        asks_duty=asks_duty,
        asks_change=asks_change,
        in_domain=in_domain,
    )


# --- follow-up questions -------------------------------------------------------------------------------

_COHORT = re.compile(
    r"(previously looked[- ]after (?:children|child|pupils?)|"
    r"(?<!previously )looked[- ]after (?:children|child|pupils?)|"
    r"children (?:with|who have) a social worker|children in kinship care(?: arrangements)?|kinship care(?:rs)?|"
    r"adopted children|children (?:who are |who were )?adopted(?: from care)?|"
    r"children on (?:a )?special guardianship orders?|special guardianship(?: orders?)?|"
    r"children on (?:a )?child arrangements orders?|care leavers?|children in need|child in need|"
    r"children missing education|previously looked[- ]after|(?<!previously )looked[- ]after)",
    re.I,
)
_FOLLOW_START = re.compile(
    r"^\s*(and|what about|how about|same for|also|does (?:that|this|it) (?:also )?apply|"
    r"do(?:es)? (?:that|this|it|they|the same)|"
    r"is (?:that|this|it) (?:the same|also|true)|and what|what if|for|or|but)\b",
    re.I,
)
_PRONOUN = re.compile(r"\b(that|this|it|they|them|those|these|the same)\b", re.I)


def is_follow_up(question: str) -> bool:
    """A short question that leans on the previous turn ('and for previously looked-after children?')."""
    words = question.split()
    if len(words) > 14:
        return False
    if _FOLLOW_START.search(question):
        return True
    return len(words) <= 8 and bool(_PRONOUN.search(question)) and not _DOMAIN_STRONG.search(question)


_DOMAIN_STRONG = re.compile(r"\b(pp\+|pupil premium|designated teacher|pep|virtual school head|vsh|funding)\b", re.I)


def resolve_follow_up(question: str, previous: str) -> str:
    """Rewrite a follow-up as a stand-alone question using the previous (redacted) question.

    When the follow-up names a cohort and the previous question named one, the cohort is swapped
    ("Who manages PP+ for looked-after children?" + "and for previously looked-after children?" ->
    "Who manages PP+ for previously looked-after children?"); otherwise the two are joined.
    """
    new = _COHORT.search(question)
    old = _COHORT.search(previous)
    if new and old:
        return previous[: old.start()] + new.group(0) + previous[old.end() :]
    if new:
        stripped = _FOLLOW_START.sub("", question).strip(" ?,.")
        return f"{previous.rstrip(' ?')} for {stripped}?" if stripped else previous
    return f"{previous.rstrip()} {question.strip()}"
