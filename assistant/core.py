"""`Assistant.ask(question, conversation=None) -> Answer`: extractive, cited answers from the index.

The pipeline, one stage per module, each replaceable alone:

0. **approved answers** (`assistant.approved`, when a source is given): the same question in other words as
   one a Virtual School Head approved gets that answer, labelled, before anything is retrieved;
1. redact personal data (`assistant.redaction`); everything after this sees only the redacted question;
   resolve a follow-up against the previous turn (`assistant.followup`); correct misspelt words to words of
   the guidance held (`assistant.spelling`); read the question through the domain vocabulary
   (`assistant.question`);
2. **retrieve** (`assistant.retrieve`): hybrid search for `CANDIDATES` passages, keyword search widened by
   the vocabulary;
3. **rerank** (`assistant.rerank`): each candidate's probability of answering, from a small trained model;
4. **decline** (`assistant.decline`): questions the guidance cannot answer, facts it does not give, weak
   evidence: say so and point to the closest sections;
5. **select** (`assistant.select`, with `assistant.quotable` telling what a unit of text is): the lead
   paragraph, at most two further points, related sections;
6. **cite** and **compose** (`assistant.cite`, `assistant.compose`): at most three citations, the text, the
   must/should legend once.
Optionally a generative model rewrites the answer from the cited passages (`assistant.generative`).
"""

from __future__ import annotations

import threading
import time

import numpy as np

from assistant.approved import ApprovedAnswers
from assistant.cite import citation, section_link
from assistant.compose import compose_text, legend
from assistant.conversation import Conversation, Turn
from assistant.decline import (
    DECLINE_OPENING,
    NOTHING_CLOSE_REASON,
    asked_kind,
    asks_nothing,
    evidence_level,
    fact_finder,
    missing_fact,
    nothing_close,
    rule_decline,
    shows_sections,
)
from assistant.followup import is_follow_up, resolve_follow_up
from assistant.generative import LLMClient, LLMError, client_from_settings, generate_answer
from assistant.models import Answer, AnswerPoint, Citation, ClosestSection
from assistant.question import Question, analyse
from assistant.redaction import redact
from assistant.rerank import (
    FEATURES,
    QuestionView,
    Ranker,
    candidate_features,
    corroborated,
    load_further_ranker,
    ranker_for,
    second_view_ranks,
)
from assistant.retrieve import Candidate, Retriever, retrieve
from assistant.safeguarding import SAFEGUARDING_NOTICE
from assistant.select import FURTHER_RELEVANCE, MAX_FURTHER, Point, select
from assistant.spelling import Speller
from assistant.units import PassageUnits, UnitSource
from ingest.models import Passage
from settings import Settings, get_settings
from textkit.vocabulary import set_vocabulary_enabled

__all__ = ["DECLINE_OPENING", "Assistant"]

EVIDENCE_PASSAGES = 3
"""How many of the best passages the decline rules are given; each reads as many as its `passages` says. Most
read only the one the answer would lead with: a passage further down that only names the thing asked about
("council tax") does not make the lead answer it (with three, a care leaver's council tax question was answered
with NHS charges). Another nation named in any of the best three shows the guidance speaks of it ("looked after
by a Welsh council": the designated teacher guidance covers children placed across the border)."""


def _last_asking(conversation: Conversation) -> Turn | None:
    """The conversation's last turn that asked something (not thanks or a greeting), if any."""
    return next((turn for turn in reversed(conversation.turns) if not asks_nothing(turn.question)), None)


class Assistant:
    """Answers questions from the guidance index, always with citations, or declines.

    `Assistant()` uses `settings.get_settings()` and opens the configured index on first use; a missing or
    damaged index raises `index.IndexUnavailable` with a rebuild hint. Pass `index=` to use another retriever
    (anything satisfying `assistant.retrieve.Retriever`), `llm=` a generative client, `ranker=` another
    reranking model, `approved=` a store of approved answers to serve first (see `assistant.approved`).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        index: Retriever | None = None,
        llm: LLMClient | None = None,
        ranker: Ranker | None = None,
        unit_cache_size: int = 8192,
        approved: ApprovedAnswers | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.approved = approved
        set_vocabulary_enabled(self.settings.vocabulary)
        self._index = index
        self._llm = llm
        self._ranker = ranker
        self._given_ranker = ranker
        self._further: Ranker | None = None
        self._lock = threading.Lock()
        self._units = UnitSource(lambda: self.index, size=unit_cache_size)
        self._speller: tuple[Retriever, Speller] | None = None

    # --- index ------------------------------------------------------------------------------------

    @property
    def index(self) -> Retriever:
        """The retriever, opened on first use (raises `index.IndexUnavailable` if there is none)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from index import GuidanceIndex

                    self._index = GuidanceIndex.open(self.settings)
        return self._index

    def use_index(self, index: Retriever) -> None:
        """Answer from `index` from now on (a re-ingested snapshot); questions being answered finish with
        the units of the index they started with, or embed them (`assistant.units.UnitSource`)."""
        with self._lock:
            self._index = index

    @property
    def ranker(self) -> Ranker:
        if self._ranker is None:
            self._ranker = ranker_for(self.settings.rerank)
        return self._ranker

    @property
    def further_ranker(self) -> Ranker:
        """What orders further points when the index has a second view: the trained further-points model with
        the shipped ranker, else the ranker itself (another ranker given or set is measured alone)."""
        if self._further is None:
            learned = self._given_ranker is None and self.settings.rerank == "learned"
            self._further = load_further_ranker() if learned else self.ranker
        return self._further

    @property
    def _decline_below(self) -> float:
        """`settings.min_evidence_score` when set, else the threshold calibrated with the ranker."""
        override = self.settings.min_evidence_score
        return self.ranker.thresholds["decline_below"] if override is None else override

    def warm(self) -> None:
        """Load the index and the embedding model now rather than on the first question."""
        self.index.embed(["warm up"])

    @property
    def units_cached(self) -> int:
        """How many passages' sentence units were embedded here rather than read from the index."""
        return self._units.cached

    # --- public API -------------------------------------------------------------------------------

    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        """Answer `question` (personal data is redacted first). Appends a Turn to `conversation` if given."""
        t0 = time.perf_counter()
        red = redact(question.strip())
        asked = red.text
        resolved = asked
        # a follow-up leans on the last turn that asked something: "thanks, that was helpful" asks nothing, so it
        # neither asks the last question again nor stands between a question and its follow-up
        if conversation is not None and is_follow_up(asked) and not asks_nothing(asked):
            prev = _last_asking(conversation)
            if prev is not None:
                resolved = resolve_follow_up(asked, prev.resolved_question or prev.question)
        read = analyse(self._spelled(resolved))
        read.safeguarding = analyse(asked).safeguarding
        if read.safeguarding:
            read.question_type = "safeguarding"

        answer = self._answer(asked, read)
        answer.redactions = list(red.kinds)
        answer.personal_data_notice = red.notice
        if conversation is not None:
            answer.conversation_id = conversation.id
            conversation.add(answer, resolved_question=resolved)
        answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        return answer

    def answers_generation(self) -> str:
        """Changes when the approved answers that may be served change ('' without them): cache keys use it."""
        return self.approved.generation() if self.approved is not None else ""

    # --- stages -----------------------------------------------------------------------------------

    def _spelled(self, question: str) -> str:
        """`question` with its misspellings corrected to words of the index's passages (`assistant.spelling`)."""
        if not self.settings.spelling:
            return question
        index = self.index
        if self._speller is None or self._speller[0] is not index:
            texts = (p.text for doc in index.documents() for p in index.passages(doc.doc_id))
            self._speller = (index, Speller(texts))
        return self._speller[1].correct(question)

    def _units_of(self, passages: list[Passage]) -> dict[str, PassageUnits]:
        return self._units.units(passages)

    def _heading_vectors(self, passages: list[Passage]) -> dict[str, np.ndarray]:
        return self._units.headings(passages)

    def features(
        self, read: Question, vector: np.ndarray, second_view: bool = True
    ) -> tuple[list[Candidate], np.ndarray]:
        """Retrieve: the candidates in fused order and their reranking features (one row each), the second view's
        included when the index has one (and `second_view`)."""
        candidates = retrieve(self.index, read.text, vector)
        passages = [c.passage for c in candidates]
        if second_view:
            self._read_second_view(read, candidates)
        units = self._units_of(passages)
        rows = candidate_features(
            QuestionView(vector, read.words, asked_kind(read)), candidates, units, self._heading_vectors(passages)
        )
        return candidates, rows

    def _read_second_view(self, read: Question, candidates: list[Candidate]) -> None:
        """Set each candidate's second-view similarity (left None when the index has no second view)."""
        if not candidates:
            return
        seconds = self.index.second_similarities(read.text, [c.passage.passage_id for c in candidates])
        if seconds is not None:
            for c, s in zip(candidates, seconds, strict=True):
                c.second = float(s)

    def rank(self, read: Question, vector: np.ndarray) -> list[Candidate]:
        """Retrieve and rerank: candidates best first, with their relevance set, and the further-points order
        (`further`). The question is embedded by the second view only when more candidates than there are
        further points pass the relevance floor: otherwise every one of them is tried whatever the order."""
        candidates, rows = self.features(read, vector, second_view=False)
        if not candidates:
            return []
        relevance = self.ranker.probabilities(rows)
        further = relevance
        floor = float(relevance.max()) * FURTHER_RELEVANCE
        if self.further_ranker is not self.ranker and int((relevance >= floor).sum()) - 1 > MAX_FURTHER:
            self._read_second_view(read, candidates)
            if candidates[0].second is not None:
                rows[:, FEATURES.index("second_view_rank")] = second_view_ranks(candidates)
                further = self.further_ranker.probabilities(rows)
        for c, p, f in zip(candidates, relevance, further, strict=True):
            c.relevance = float(p)
            c.further = float(f)
        candidates.sort(key=lambda c: (-c.relevance, c.rank))
        return candidates

    def _answer(self, asked: str, read: Question) -> Answer:
        vector = np.asarray(self.index.embed([read.text]), dtype=np.float32)[0]
        if self.approved is not None and not read.safeguarding:
            approved = self.approved.lookup(read.text, vector, self.index)
            if approved is not None:
                return approved.model_copy(update={"question": asked})
        candidates = self.rank(read, vector)
        if not candidates:
            return self._decline(asked, read, [], "The index returned nothing for this question.")
        lead_relevance = candidates[0].relevance
        rule, reason = rule_decline(read.text, [c.passage.text for c in candidates[:EVIDENCE_PASSAGES]])
        if rule and not shows_sections(rule) and not read.safeguarding:  # nothing asked: the reason is the reply
            return self._decline(asked, read, [], reason, opening="")
        if rule and not (read.safeguarding and rule != "other_nation"):
            return self._decline(asked, read, candidates, reason)
        threshold = self._decline_below
        if read.safeguarding:
            threshold = min(threshold, 0.05)  # always signpost and give the safeguarding guidance
        if lead_relevance < threshold:
            return self._decline(
                asked, read, candidates, "The passages I found do not answer this closely enough to rely on."
            )
        if not read.safeguarding and self._nothing_close(read, candidates):
            return self._decline(asked, read, candidates, NOTHING_CLOSE_REASON)
        selection = select(candidates, self._units_of, read, vector, self.index, gives_fact=fact_finder(read))
        if selection is None:
            return self._decline(asked, read, candidates, "The passages I found hold no whole sentence to quote.")
        lacking = missing_fact(read, [p.text for p in selection.points], [p.passage.section for p in selection.points])
        if lacking:
            return self._decline(
                asked, read, candidates, f"The question asks for {lacking}, and the passages I found do not give one."
            )
        answer = self._compose(asked, read, selection.points, [section_link(c) for c in selection.related])
        answer.evidence = evidence_level(lead_relevance, self.ranker.thresholds, corroborated=corroborated(candidates))
        answer.confidence = round(max(0.0, min(1.0, lead_relevance)), 4)
        if self.settings.generative or self._llm is not None:
            answer = self._generate(answer, candidates)
        return answer

    def _nothing_close(self, read: Question, candidates: list[Candidate]) -> bool:
        """`assistant.decline.nothing_close` over the candidates. The second view embeds the question only when the
        index's model finds nothing close (about one question in twelve), so most answers never wait for it."""

        def seconds() -> list[float | None]:
            if all(c.second is None for c in candidates):
                self._read_second_view(read, candidates)
            return [c.second for c in candidates]

        return nothing_close(
            [c.hit.dense_score or 0.0 for c in candidates],
            seconds,
            dense_below=self.settings.nothing_close_dense,
            second_below=self.settings.nothing_close_second,
        )

    def _compose(self, asked: str, read: Question, points: list[Point], related: list[ClosestSection]) -> Answer:
        numbers: list[int] = []
        citations: list[Citation] = []
        by_passage: dict[tuple[str, tuple[str, ...]], int] = {}
        for point in points:
            key = (point.passage.passage_id, tuple(point.paragraphs))
            if key not in by_passage:
                by_passage[key] = len(citations) + 1
                citations.append(citation(by_passage[key], point))
            numbers.append(by_passage[key])
        note = ""
        if read.question_type == "kinship" and citations and all(c.status == "announcement" for c in citations):
            note = "The items above are announcements, not guidance."
        notice = SAFEGUARDING_NOTICE if read.safeguarding else ""
        return Answer(
            question=asked,
            text=compose_text(points, citations, numbers, notice=notice, note=note),
            points=[
                AnswerPoint(text=p.text, citations=[n], focus=p.focus) for p, n in zip(points, numbers, strict=True)
            ],
            question_type=read.question_type,
            citations=citations,
            related_sections=related,
            legend=legend(citations),
            safeguarding_notice=notice,
        )

    def _generate(self, answer: Answer, candidates: list[Candidate]) -> Answer:
        try:
            client = self._llm or client_from_settings(self.settings)
        except LLMError as exc:
            return answer.model_copy(update={"generation_note": f"Generative answer not used: {exc}."})
        further = [
            citation(0, Point(candidate=c, text=c.passage.text, focus="", passages=[c.passage])) for c in candidates[:6]
        ]
        return generate_answer(client, self.index.embed, answer, further)

    def _decline(
        self, asked: str, read: Question, candidates: list[Candidate], reason: str, opening: str = DECLINE_OPENING
    ) -> Answer:
        closest: list[ClosestSection] = []
        seen: set[tuple[str, str]] = set()
        for c in candidates:
            key = (c.doc.doc_id, c.passage.section)
            if key in seen:
                continue
            seen.add(key)
            closest.append(section_link(c))
            if len(closest) == 3:
                break
        lines: list[str] = []
        notice = SAFEGUARDING_NOTICE if read.safeguarding else ""
        if notice:
            lines += [notice, ""]
        lines.append(f"{opening} {reason}".strip())
        if closest:
            lines += ["", "The closest sections I found:"]
            for link in closest:
                heading = link.section.split(" > ")[-1] if link.section else ""
                paras = f", para {link.paragraphs[0]}" if link.paragraphs else ""
                lines.append(f"- {link.title}{', ' + heading if heading else ''}{paras}")
        lead = candidates[0].relevance if candidates else 0.0
        return Answer(
            question=asked,
            text="\n".join(lines),
            declined=True,
            decline_reason=reason,
            evidence="weak" if lead >= self._decline_below else "none",
            confidence=0.0,
            question_type="safeguarding" if read.safeguarding else "out_of_scope",
            closest_sections=closest,
            safeguarding_notice=notice,
        )
