"""`Assistant.ask(question, conversation=None) -> Answer`: extractive, cited answers from the index.

Pipeline (no model needed):

1. redact personal data (`assistant.redaction`); everything after this sees only the redacted question;
2. resolve a follow-up against the previous turn of the conversation (`assistant.classify`);
3. classify the question (scope, duties, kinship, funding, general, out_of_scope, safeguarding);
4. retrieve `settings.retrieve_k` passages for the question plus type-specific expansion queries;
5. split passages into units (sentences; bullet lists with their lead-in) and score each unit:
   embedding similarity to the question, keyword overlap, the passage's fused score and type boosts;
6. decline when rules say the guidance cannot answer (other nations, casework, legal advice, unrelated
   topics) or the evidence score is below `settings.min_evidence_score`; otherwise lead with the best unit
   and add up to `answer_max_points - 1` further units, avoiding near-duplicates. Every point is a verbatim
   unit of a cited passage; the only other text is short framing (document name and status, dates,
   the must/should note).

Citation links point at the web source viewer: `/sources/{doc_id}?passage={passage_id}#{anchor}` where
`anchor` is `p-<first paragraph number>` when the passage has numbered paragraphs, else
`passage-<passage_id with ':' replaced by '-'>`. The source viewer gives those element ids to the
paragraphs and passages it renders.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.classify import DUTY_NOTE, SAFEGUARDING_NOTICE, Analysis, analyse, is_follow_up, resolve_follow_up
from assistant.conversation import Conversation
from assistant.models import Answer, AnswerPoint, Citation, ClosestSection, EvidenceLevel
from assistant.redaction import redact
from assistant.sentences import clean_unit, content_words, normalise, split_units
from index.models import SearchFilters, SearchHit
from ingest.models import STATUS_LABELS, DocumentMeta, Passage
from settings import Settings, get_settings

if TYPE_CHECKING:
    from assistant.generative import LLMClient

__all__ = ["Assistant", "Retriever", "citation_url", "passage_anchor", "DECLINE_OPENING"]

DECLINE_OPENING = "I could not find this in the guidance I hold."

STATUS_WORDS = {
    "statutory": "statutory guidance",
    "non-statutory": "non-statutory guidance",
    "announcement": "announcement, not guidance",
    "local": "local document",
    "unknown": "status unknown",
}

EXPANSIONS: dict[str, list[str]] = {
    "scope": [
        "a child looked after by a local authority within the meaning of section 22 of the Children Act 1989",
        "previously looked-after child adoption special guardianship order child arrangements order",
        "virtual school heads champion children with a social worker",
        "duties under this non-statutory function will also include children in kinship care",
        "the role of Virtual School Heads was extended to include strategic oversight of the educational "
        "attendance, attainment and progress of children with a social worker",
    ],
    "funding": [
        "Pupil Premium Plus PP+ funding looked-after and previously looked-after children",
        "For looked-after children, PP+ funding is managed by the Virtual School Head",
        "£16 million for councils to extend the role of Virtual School Heads",
    ],
    "kinship": [
        "children in kinship care virtual school head from September 2024",
        "kinship care family and friends carers",
        "In September 2024 the role of Virtual School Heads was further extended to include children in kinship care",
    ],
    "safeguarding": [
        "if a child is in immediate danger or at risk of harm a referral should be made to children's social "
        "care and the police immediately",
        "designated safeguarding lead concerns about a child",
    ],
    "duties": [],
    "general": [],
    "out_of_scope": [],
}

_MODAL = re.compile(r"\b(must|should|duty|duties|required|requires|responsib\w*|statutory)\b", re.I)
_EXTENSION = re.compile(r"\b(extend\w*|extension|with a social worker|2021|2023|announce\w*|news)\b", re.I)
_MUST = re.compile(r"\b(must|duty|required|requires)\b", re.I)
_COHORT_WORDS = re.compile(
    r"\b(looked[- ]after|previously looked[- ]after|adopt\w*|special guardianship|child arrangements|"
    r"social worker|kinship|children in need|care leaver)",
    re.I,
)


class Retriever(Protocol):
    """What the Assistant needs from an index (`index.GuidanceIndex` satisfies it)."""

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[SearchHit]: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


LEAD_FRAGMENT_MARGIN = 0.1
"""How much lower a complete sentence may score than a leading fragment and still lead the answer."""


def _is_fragment(text: str) -> bool:
    """A unit that starts mid-sentence (a bullet item without its lead-in): it starts with a lowercase letter."""
    return bool(text) and text[0].islower()


def passage_anchor(passage: Passage) -> str:
    """Element id of a passage in the source viewer: `p-39`, or `passage-designated-teacher-2018-00087`."""
    if passage.paragraphs:
        return f"p-{passage.paragraphs[0]}"
    return "passage-" + passage.passage_id.replace(":", "-")


def citation_url(passage: Passage) -> str:
    """`/sources/{doc_id}?passage={passage_id}#{anchor}` (relative; channels prefix public_base_url)."""
    return f"/sources/{passage.doc_id}?passage={passage.passage_id}#{passage_anchor(passage)}"


@dataclass
class _Unit:
    text: str  # display text (verbatim substring of the passage, whitespace-normalised)
    hit: SearchHit
    vec: np.ndarray
    sim: float = 0.0
    overlap: float = 0.0
    score: float = 0.0
    index_in_passage: int = 0


@dataclass
class _Retrieved:
    hits: list[SearchHit]
    units: list[_Unit] = field(default_factory=list)
    qvec: np.ndarray | None = None


def _doc_kind(doc: DocumentMeta) -> str:
    t = f"{doc.title} {doc.short_title}".lower()
    if "publication page" in t or "gov.uk:" in t:
        return "GOV.UK publication page"
    if "press release" in t:
        return "press release"
    if "news" in t:
        return "DfE news"
    return doc.citation_name


class Assistant:
    """Answers questions from the guidance index, always with citations, or declines.

    `Assistant()` uses `vsh.settings.get_settings()` and opens the configured index on first use; a
    missing or damaged index raises `index.IndexUnavailable` with a rebuild hint. Pass `index=` to use
    another retriever (anything with `search` and `embed`), `llm=` to supply a generative client.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        index: Any | None = None,
        llm: LLMClient | None = None,
        unit_cache_size: int = 8192,
    ) -> None:
        self.settings = settings or get_settings()
        self._index = index
        self._llm = llm
        self._lock = threading.Lock()
        self._unit_cache: OrderedDict[str, tuple[list[str], np.ndarray]] = OrderedDict()
        self._unit_cache_size = unit_cache_size
        self._search_cache: OrderedDict[tuple[str, int, str], list[SearchHit]] = OrderedDict()

    # --- index ------------------------------------------------------------------------------------

    @property
    def index(self) -> Any:
        """The retriever, opened on first use (raises `index.IndexUnavailable` if there is none)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from index import GuidanceIndex

                    self._index = GuidanceIndex.open(self.settings)
        return self._index

    @property
    def min_evidence(self) -> float:
        """Evidence score below which we decline (`settings.min_evidence_score`, tuned on the dev set)."""
        return self.settings.min_evidence_score

    def warm(self) -> None:
        """Load the index and the embedding model now rather than on the first question."""
        self.index.embed(["warm up"])

    def precompute_units(self, batch_passages: int = 64, stop: threading.Event | None = None) -> int:
        """Split and embed every passage's units now (minutes on 2 cores; `vsh serve` runs it in a background
        thread, a few passages per job, so that first-time questions become as fast as repeated ones while
        questions asked meanwhile wait for one small job at most). Stops early when `stop` is set. Returns
        the number of passages processed."""
        index = self.index
        docs = index.documents() if hasattr(index, "documents") else []
        done = 0
        for doc in docs:
            passages = list(index.passages(doc.doc_id))
            for i in range(0, len(passages), batch_passages):
                if stop is not None and stop.is_set():
                    return done
                chunk = [SearchHit(passage=p, doc=doc, score=0.0) for p in passages[i : i + batch_passages]]
                self._units_for(chunk)
                done += len(chunk)
        return done

    # --- public API -------------------------------------------------------------------------------

    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        """Answer `question` (personal data is redacted first). Appends a Turn to `conversation` if given."""
        t0 = time.perf_counter()
        red = redact(question.strip())
        q = red.text
        resolved = q
        if conversation is not None and conversation.last is not None and is_follow_up(q):
            prev = conversation.last
            resolved = resolve_follow_up(q, prev.resolved_question or prev.question)
        analysis = analyse(resolved)
        own = analyse(q)
        analysis.safeguarding = own.safeguarding
        if own.safeguarding and analysis.question_type != "out_of_scope":
            analysis.question_type = "safeguarding"

        answer = self._answer(q, resolved, analysis)
        answer.redactions = list(red.kinds)
        answer.personal_data_notice = red.notice
        if conversation is not None:
            answer.conversation_id = conversation.id
            conversation.add(answer, resolved_question=resolved)
        answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        return answer

    # --- retrieval --------------------------------------------------------------------------------

    def _search(self, query: str, k: int, filters: SearchFilters | None = None, cache: bool = False) -> list[SearchHit]:
        key = (query, k, filters.model_dump_json() if filters else "")
        if cache and key in self._search_cache:
            self._search_cache.move_to_end(key)
            return self._search_cache[key]
        hits = list(self.index.search(query, k=k, filters=filters))
        if cache:
            self._search_cache[key] = hits
            if len(self._search_cache) > 256:
                self._search_cache.popitem(last=False)
        return hits

    def _retrieve(self, resolved: str, analysis: Analysis, qvec: np.ndarray | None = None) -> list[SearchHit]:
        k = self.settings.retrieve_k
        merged: dict[str, SearchHit] = {}
        search_vector = getattr(self.index, "search_vector", None)
        if qvec is not None and callable(search_vector):
            primary = list(search_vector(resolved, qvec, k))  # the question is embedded once
        else:
            primary = self._search(resolved, k)
        top = max((h.score for h in primary), default=1.0) or 1.0
        for h in primary:
            merged[h.passage.passage_id] = h.model_copy(update={"score": h.score / top})
        expansions = list(EXPANSIONS.get(analysis.question_type, []))
        if analysis.safeguarding and analysis.question_type != "safeguarding":
            expansions += EXPANSIONS["safeguarding"]
        for exp in expansions:
            hits = self._search(exp, max(3, k // 3), cache=True)
            etop = max((h.score for h in hits), default=1.0) or 1.0
            for h in hits:
                pid = h.passage.passage_id
                s = 0.7 * h.score / etop
                if pid not in merged or merged[pid].score < s:
                    merged[pid] = h.model_copy(update={"score": s})
        if analysis.question_type == "kinship" or _EXTENSION.search(resolved):
            ann = self._search(
                f"{resolved} kinship care virtual school head role extension",
                6,
                SearchFilters(statuses=["announcement"]),
            )
            atop = max((h.score for h in ann), default=1.0) or 1.0
            for h in ann:
                pid = h.passage.passage_id
                s = 0.8 * h.score / atop
                if pid not in merged or merged[pid].score < s:
                    merged[pid] = h.model_copy(update={"score": s})
        hits = sorted(merged.values(), key=lambda h: -h.score)
        return hits[: k + 4]

    def _units_for(self, hits: list[SearchHit]) -> list[tuple[SearchHit, list[str], np.ndarray]]:
        """Units and unit vectors of each hit's passage, from the LRU cache or embedded now (thread-safe)."""
        found: dict[str, tuple[list[str], np.ndarray]] = {}
        missing: dict[str, list[str]] = {}
        with self._lock:
            for h in hits:
                pid = h.passage.passage_id
                if pid in self._unit_cache:
                    self._unit_cache.move_to_end(pid)
                    found[pid] = self._unit_cache[pid]
        for h in hits:
            pid = h.passage.passage_id
            if pid not in found and pid not in missing:
                missing[pid] = [clean_unit(u) for u in split_units(h.passage.text)] or [normalise(h.passage.text)]
        if missing:
            flat = [u for units in missing.values() for u in units]
            vecs = np.asarray(self.index.embed(flat), dtype=np.float32)
            i = 0
            with self._lock:
                for pid, units in missing.items():
                    entry = (units, vecs[i : i + len(units)])
                    found[pid] = entry
                    self._unit_cache[pid] = entry
                    i += len(units)
                while len(self._unit_cache) > self._unit_cache_size:
                    self._unit_cache.popitem(last=False)
        return [(h, *found[h.passage.passage_id]) for h in hits]

    def _score_units(self, resolved: str, analysis: Analysis, hits: list[SearchHit], qvec: np.ndarray) -> _Retrieved:
        qwords = content_words(resolved)
        qtype = analysis.question_type
        asks_who = bool(re.search(r"\b(who|which (?:children|pupils)|eligib\w*|counts? as)\b", resolved, re.I))
        mentions_vsh = bool(re.search(r"virtual school|\bvsh|kinship", resolved, re.I))
        mentions_cin = bool(re.search(r"child(?:ren)? in need|\bcin\b|child protection|social worker", resolved, re.I))
        extension = bool(_EXTENSION.search(resolved))
        units: list[_Unit] = []
        for h, texts, vecs in self._units_for(hits):
            sims = vecs @ qvec
            for i, text in enumerate(texts):
                words = text.split()
                uw = content_words(text)
                overlap = len(qwords & uw) / max(1, len(qwords))
                sim = float(sims[i])
                score = 0.6 * sim + 0.25 * overlap + 0.15 * h.score
                if analysis.asks_duty or qtype == "duties":
                    if _MUST.search(text):
                        score += 0.08
                    elif _MODAL.search(text):
                        score += 0.05
                if qtype == "funding" and re.search(r"PP\+|pupil premium|funding|£", text, re.I):
                    score += 0.04
                if qtype == "scope" and _COHORT_WORDS.search(text):
                    score += 0.04
                if overlap >= 0.99 and len(qwords) >= 2:
                    score += 0.05  # every content word of the question is in this unit
                if asks_who and _COHORT_WORDS.search(text):
                    score += 0.05
                if mentions_vsh and re.search(r"virtual school|\bVSH", text, re.I):
                    score += 0.04
                if mentions_cin and re.search(r"social worker", text, re.I):
                    score += 0.08 + (0.07 if re.search(r"virtual school|\bVSH", text, re.I) else 0.0)
                if qtype == "kinship" and re.search(r"kinship", text, re.I):
                    score += 0.08
                if analysis.safeguarding and re.search(
                    r"social care|safeguarding lead|referr|immediate danger|police", text, re.I
                ):
                    score += 0.05
                if h.doc.status == "announcement" and qtype not in ("kinship", "funding") and not extension:
                    score -= 0.05
                if len(words) < 6:
                    score -= 0.12
                elif len(words) > 90:
                    score -= 0.05
                if text.endswith("?"):
                    score -= 0.08
                if re.match(r"^(?:Footnote )?\d{1,3} [A-Z]", text) or re.search(r"\(\d{2,3}\)", text):
                    score -= 0.06  # footnotes and glossary entries read badly as an answer
                if (analysis.asks_duty or qtype == "duties") and _MUST.search(text) and overlap >= 0.5:
                    score += 0.06
                units.append(_Unit(text, h, vecs[i], sim, overlap, score, i))
        units.sort(key=lambda u: -u.score)
        return _Retrieved(hits=hits, units=units, qvec=qvec)

    # --- answer -----------------------------------------------------------------------------------

    def _answer(self, q: str, resolved: str, analysis: Analysis) -> Answer:
        qvec = np.asarray(self.index.embed([resolved]), dtype=np.float32)[0]
        hits = self._retrieve(resolved, analysis, qvec)
        if not hits:
            return self._decline(q, analysis, [], 0.0, "The index returned nothing for this question.")
        got = self._score_units(resolved, analysis, hits, qvec)
        evidence_score = self._evidence_score(resolved, got)
        if analysis.decline_reason:
            return self._decline(q, analysis, hits, evidence_score, analysis.decline_reason)
        threshold = self.min_evidence
        if analysis.safeguarding:
            threshold = min(threshold, 0.2)  # always signpost and give the safeguarding guidance
        if not analysis.in_domain:
            threshold += 0.08
        if evidence_score < threshold:
            return self._decline(
                q,
                analysis,
                hits,
                evidence_score,
                "The passages I found do not answer this closely enough to rely on.",
            )
        from assistant.classify import FACT_NEEDS

        top_text = " ".join(u.text for u in got.units[:5])
        for asks, has, what in FACT_NEEDS:
            if asks.search(resolved) and not has.search(top_text):
                return self._decline(
                    q,
                    analysis,
                    hits,
                    evidence_score,
                    f"The question asks for {what}, and the passages I found do not give one.",
                )
        if analysis.question_type == "kinship":
            selected, framing = self._select_dated(got)
        else:
            selected, framing = self._select(got, analysis), {}
        answer = self._compose(q, analysis, selected, framing, evidence_score)
        if self.settings.generative or self._llm is not None:
            from assistant.generative import generate_answer

            answer = generate_answer(self, answer, resolved, got)
        return answer

    def _evidence_score(self, resolved: str, got: _Retrieved) -> float:
        """0..1: similarity of the best units plus coverage of the question's content words."""
        if not got.units:
            return 0.0
        best_sim = max(u.sim for u in got.units[:10])
        qwords = content_words(resolved)
        top_text = " ".join(h.passage.text for h in got.hits[:4])
        coverage = len(qwords & content_words(top_text)) / max(1, len(qwords)) if qwords else 0.0
        return round(0.7 * best_sim + 0.3 * coverage, 4)

    @staticmethod
    def _near_duplicate(a: _Unit, chosen: list[_Unit]) -> bool:
        aw = content_words(a.text)
        for c in chosen:
            if a.text in c.text or c.text in a.text:
                return True
            if float(a.vec @ c.vec) > 0.92:
                return True
            cw = content_words(c.text)
            if aw and cw and len(aw & cw) / len(aw | cw) > 0.7:
                return True
        return False

    def _select(self, got: _Retrieved, analysis: Analysis) -> list[_Unit]:
        max_points = max(1, self.settings.answer_max_points)
        units = got.units
        # lead with a whole sentence: a bullet item cut from its lead-in ("what impact PP+ has ...") reads as
        # a fragment, so a complete sentence scoring nearly as well leads instead
        lead = next(
            (u for u in units[:6] if not _is_fragment(u.text) and u.score >= units[0].score - LEAD_FRAGMENT_MARGIN),
            units[0],
        )
        chosen = [lead]
        per_passage: dict[str, int] = {lead.hit.passage.passage_id: 1}
        for u in units:
            if u is lead:
                continue
            if len(chosen) >= max_points:
                break
            if u.score < lead.score - 0.22 or u.score < 0.3:
                break
            pid = u.hit.passage.passage_id
            if per_passage.get(pid, 0) >= 2:
                continue
            if self._near_duplicate(u, chosen):
                continue
            chosen.append(u)
            per_passage[pid] = per_passage.get(pid, 0) + 1
        if analysis.asks_duty and not any(_MODAL.search(u.text) for u in chosen):
            for u in units[1:15]:
                if _MODAL.search(u.text) and u.score >= lead.score - 0.3 and not self._near_duplicate(u, chosen):
                    if len(chosen) >= max_points:
                        chosen[-1] = u
                    else:
                        chosen.append(u)
                    break
        # keep the lead first; order the rest so units of one passage read in document order
        rest = chosen[1:]
        best: dict[str, float] = {}
        for u in rest:
            pid = u.hit.passage.passage_id
            best[pid] = max(best.get(pid, -9.0), u.score)
        rest.sort(key=lambda u: (-best[u.hit.passage.passage_id], u.index_in_passage))
        return [lead, *rest]

    def _select_dated(self, got: _Retrieved) -> tuple[list[_Unit], dict[int, str]]:
        """Kinship/what-changed answers: the dated documents' best units, in date order, then guidance."""
        by_doc: dict[str, list[_Unit]] = {}
        for u in got.units:
            if u.hit.doc.status == "announcement":
                by_doc.setdefault(u.hit.doc.doc_id, []).append(u)
        dated: list[_Unit] = []
        docs = sorted(
            by_doc.values(),
            key=lambda us: (us[0].hit.doc.published is None, us[0].hit.doc.published or 0, us[0].hit.doc.doc_id),
        )
        for us in docs:
            kin = [u for u in us if re.search("kinship", u.text, re.I)]
            kin.sort(key=lambda u: not re.search(r"(?:from|in) \w+ 20\d\d", u.text, re.I))  # dated statements first
            about_role = [u for u in us if re.search(r"virtual school|\bVSH|role|extend", u.text, re.I)]
            picks = [u for u in (kin[:1] or about_role[:1] or us[:1]) if not self._near_duplicate(u, dated)]
            dated.extend(picks)
        max_points = max(1, self.settings.answer_max_points)
        if len(dated) > max_points:
            # keep the newest documents' points
            dated = dated[-max_points:]
        others = [u for u in got.units if u.hit.doc.status != "announcement" and re.search("kinship", u.text, re.I)]
        for u in others[:2]:
            if len(dated) >= max_points + 1:
                break
            if not self._near_duplicate(u, dated):
                dated.append(u)
        if not dated:
            return self._select(got, Analysis("kinship")), {}
        framing: dict[int, str] = {}
        prev_doc = None
        for i, u in enumerate(dated):
            d = u.hit.doc
            if d.doc_id != prev_doc:
                if d.status == "announcement":
                    framing[i] = f"{d.published_label or d.published} ({_doc_kind(d)}):"
                else:
                    framing[i] = f"{d.citation_name} ({STATUS_WORDS.get(d.status, d.status)}) says:"
            prev_doc = d.doc_id
        return dated, framing

    def _citation(self, number: int, hit: SearchHit) -> Citation:
        p, d = hit.passage, hit.doc
        return Citation(
            number=number,
            passage_id=p.passage_id,
            doc_id=d.doc_id,
            title=d.citation_name,
            status=d.status,
            status_label=STATUS_LABELS.get(d.status, STATUS_LABELS["unknown"]),
            published=d.published_label or (d.published.isoformat() if d.published else ""),
            section=p.section,
            paragraphs=list(p.paragraphs),
            pages=list(p.pages),
            quote=p.text,
            url=citation_url(p),
            source_url=d.source_link(p.section_anchor),
            score=round(float(hit.score), 4),
        )

    @staticmethod
    def _level(score: float, threshold: float) -> EvidenceLevel:
        if score >= threshold + 0.15:
            return "strong"
        if score >= threshold + 0.06:
            return "moderate"
        return "weak"

    def _compose(
        self,
        q: str,
        analysis: Analysis,
        selected: list[_Unit],
        framing: dict[int, str],
        evidence_score: float,
    ) -> Answer:
        numbers: dict[str, int] = {}
        citations: list[Citation] = []
        points: list[AnswerPoint] = []
        for u in selected:
            pid = u.hit.passage.passage_id
            if pid not in numbers:
                numbers[pid] = len(numbers) + 1
                citations.append(self._citation(numbers[pid], u.hit))
            points.append(AnswerPoint(text=u.text, citations=[numbers[pid]]))

        lines: list[str] = []
        if analysis.safeguarding:
            lines += [SAFEGUARDING_NOTICE, ""]
        if framing:
            for i, pt in enumerate(points):
                if i in framing:
                    if i:
                        lines.append("")
                    lines.append(framing[i])
                lines.append(f"- {pt.text} [{pt.citations[0]}]")
        else:
            lead, first = selected[0], points[0]
            d = lead.hit.doc
            lines.append(
                f"{d.citation_name} ({STATUS_WORDS.get(d.status, d.status)}) says: {first.text} [{first.citations[0]}]"
            )
            if len(points) > 1:
                lines += ["", "Also in the guidance:"]
                prev_doc = d.doc_id
                for u, pt in zip(selected[1:], points[1:], strict=True):
                    prefix = ""
                    if u.hit.doc.doc_id != prev_doc:
                        prefix = f"{u.hit.doc.citation_name} ({STATUS_WORDS.get(u.hit.doc.status, '')}): "
                    prev_doc = u.hit.doc.doc_id
                    lines.append(f"- {prefix}{pt.text} [{pt.citations[0]}]")
        notes: list[str] = []
        if analysis.asks_duty or analysis.question_type == "duties" or any(_MODAL.search(p.text) for p in points):
            notes.append(DUTY_NOTE)
        if analysis.question_type == "kinship" and any(c.status == "announcement" for c in citations):
            notes.append(
                "The role-extension guidance itself (promoting the education of children with a social worker "
                "and children in kinship care) is not among the documents I hold: the dated items above are "
                "announcements, not guidance."
            )
        if notes:
            lines += ["", *notes]
        threshold = self.min_evidence
        return Answer(
            question=q,
            text="\n".join(lines).strip(),
            points=points,
            declined=False,
            evidence=self._level(evidence_score, threshold),
            confidence=max(0.0, min(1.0, evidence_score)),
            question_type=analysis.question_type,
            citations=citations,
            safeguarding_notice=SAFEGUARDING_NOTICE if analysis.safeguarding else "",
        )

    def _decline(self, q: str, analysis: Analysis, hits: list[SearchHit], evidence_score: float, reason: str) -> Answer:
        closest: list[ClosestSection] = []
        seen: set[tuple[str, str]] = set()
        for h in hits:
            key = (h.doc.doc_id, h.passage.section)
            if key in seen:
                continue
            seen.add(key)
            closest.append(
                ClosestSection(
                    doc_id=h.doc.doc_id,
                    title=h.doc.citation_name,
                    section=h.passage.section,
                    paragraphs=list(h.passage.paragraphs),
                    pages=list(h.passage.pages),
                    url=citation_url(h.passage),
                    score=round(float(h.score), 4),
                )
            )
            if len(closest) == 3:
                break
        lines: list[str] = []
        if analysis.safeguarding:
            lines += [SAFEGUARDING_NOTICE, ""]
        lines.append(f"{DECLINE_OPENING} {reason}")
        if closest:
            lines += ["", "The closest sections I found:"]
            for c in closest:
                loc = c.section.split(" > ")[-1] if c.section else ""
                paras = f", para {c.paragraphs[0]}" if c.paragraphs else ""
                lines.append(f"- {c.title}{', ' + loc if loc else ''}{paras} ({c.url})")
        threshold = self.min_evidence
        evidence: EvidenceLevel = "weak" if evidence_score >= threshold - 0.1 else "none"
        if analysis.decline_reason:
            evidence = "none" if evidence_score < threshold else "weak"
        return Answer(
            question=q,
            text="\n".join(lines),
            declined=True,
            decline_reason=reason,
            evidence=evidence,
            confidence=0.0,
            question_type="out_of_scope" if not analysis.safeguarding else "safeguarding",
            closest_sections=closest,
            safeguarding_notice=SAFEGUARDING_NOTICE if analysis.safeguarding else "",
        )
