"""Optional generative mode (off by default, `settings.generative`): an OpenAI-compatible chat model
rewrites the answer from numbered passages only, and every sentence it writes is checked.

- The model sees the redacted question and passages [1]..[n] (the extractive answer's citations plus
  the next best retrieved passages), nothing else, and must reply with JSON
  `{"points": [{"text": "...", "citations": [1, 2]}]}`.
- Each point must cite existing passage numbers; each point's sentences are checked against the cited
  passages' sentences (content-word overlap or embedding similarity). Unsupported sentences are dropped
  and the drop is recorded in `Answer.generation_note`.
- Any failure (HTTP error, timeout, malformed JSON, no citations, citations of passages that do not exist,
  nothing left after checking) falls back to the extractive answer, with the reason in `generation_note`.
  `mode == "generative"` only when generated text is used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Protocol

import httpx
import numpy as np

from assistant.models import Answer, AnswerPoint, Citation
from settings import Settings
from textkit import content_words, normalise, split_units

__all__ = [
    "LLMClient",
    "OpenAICompatibleClient",
    "LLMError",
    "client_from_settings",
    "generate_answer",
    "SYSTEM_PROMPT",
]

SYSTEM_PROMPT = (
    "You answer questions about Department for Education (England) guidance for Virtual School Heads, "
    "designated teachers and social workers. Use ONLY the numbered passages given. Every sentence must be "
    "supported by the passages it cites. Keep the guidance's own must/should wording. If the passages do "
    'not answer the question, reply {"points": []}. Reply with JSON only: '
    '{"points": [{"text": "one or two sentences", "citations": [1]}]}.'
)
SUPPORT_OVERLAP = 0.6
SUPPORT_SIMILARITY = 0.75


class LLMError(Exception):
    """The model call failed or its reply could not be used."""


class LLMClient(Protocol):
    def complete(self, messages: list[dict[str, str]]) -> str: ...


class OpenAICompatibleClient:
    """POST {base_url}/chat/completions with a bearer key; returns the first choice's message content."""

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout_s: float = 20.0) -> None:
        if not base_url:
            raise LLMError("no LLM endpoint configured (VSH_LLM_BASE_URL)")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s

    def complete(self, messages: list[dict[str, str]]) -> str:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        body = {"model": self.model, "messages": messages, "temperature": 0}
        try:
            resp = httpx.post(f"{self.base_url}/chat/completions", json=body, headers=headers, timeout=self.timeout_s)
        except httpx.TimeoutException as exc:
            raise LLMError(f"the model did not answer within {self.timeout_s:g}s") from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"could not reach the model ({type(exc).__name__})") from exc
        if resp.status_code != 200:
            raise LLMError(f"the model endpoint returned HTTP {resp.status_code}")
        try:
            return str(resp.json()["choices"][0]["message"]["content"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError("the model endpoint returned a malformed response") from exc


def client_from_settings(settings: Settings) -> LLMClient:
    """The configured OpenAI-compatible endpoint (raises LLMError when none is configured)."""
    s = settings
    return OpenAICompatibleClient(s.llm_base_url, s.llm_model, s.llm_api_key.get_secret_value(), s.llm_timeout_s)


def _parse(reply: str) -> list[dict[str, Any]]:
    text = reply.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fence:
        text = fence.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise LLMError("the model reply was not JSON")
    try:
        data = json.loads(text[start : end + 1])
    except ValueError as exc:
        raise LLMError("the model reply was malformed JSON") from exc
    points = data.get("points") if isinstance(data, dict) else None
    if not isinstance(points, list):
        raise LLMError("the model reply had no 'points' list")
    out = []
    for p in points:
        if not isinstance(p, dict) or not isinstance(p.get("text"), str):
            raise LLMError("a point in the model reply was malformed")
        cites = p.get("citations", [])
        if not isinstance(cites, list) or not all(isinstance(c, int) for c in cites):
            raise LLMError("a point's citations were not a list of numbers")
        # also accept [n] markers written inside the text
        inline = [int(n) for n in re.findall(r"\[(\d+)\]", p["text"])]
        out.append({"text": re.sub(r"\s*\[\d+\]", "", p["text"]).strip(), "citations": sorted({*cites, *inline})})
    return out


def _sentences(text: str) -> list[str]:
    return [s for s in split_units(text) if s.strip()]


def generate_answer(
    client: LLMClient,
    embed: Callable[[list[str]], np.ndarray],
    extractive: Answer,
    further: list[Citation],
) -> Answer:
    """Try the model; return a checked generative Answer, or `extractive` with a generation_note.

    The model sees the extractive answer's citations, then `further` retrieved passages (renumbered after
    them, six passages in all at most); `embed` checks its sentences against the cited passages."""
    if extractive.declined:
        return extractive
    passages: list[Citation] = list(extractive.citations)
    seen = {c.passage_id for c in passages}
    for extra in further:
        if len(passages) >= 6:
            break
        if extra.passage_id not in seen:
            seen.add(extra.passage_id)
            passages.append(extra.model_copy(update={"number": len(passages) + 1}))
    numbered = "\n\n".join(f"[{c.number}] ({c.title}; {c.status_label}) {normalise(c.quote)}" for c in passages)
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Passages:\n{numbered}\n\nQuestion: {extractive.question}"},
    ]
    try:
        reply = client.complete(messages)
        points = _parse(reply)
    except LLMError as exc:
        return extractive.model_copy(update={"generation_note": f"Generative answer not used: {exc}."})
    if not points:
        return extractive.model_copy(update={"generation_note": "Generative answer not used: it was empty."})
    numbers = {c.number for c in passages}
    if any(not p["citations"] for p in points):
        return extractive.model_copy(
            update={"generation_note": "Generative answer not used: a statement cited no passage."}
        )
    bad = sorted({n for p in points for n in p["citations"] if n not in numbers})
    if bad:
        return extractive.model_copy(
            update={"generation_note": f"Generative answer not used: it cited passages that do not exist {bad}."}
        )

    by_number = {c.number: c for c in passages}
    kept: list[AnswerPoint] = []
    dropped = 0
    for p in points:
        cited_sents = [s for n in p["citations"] for s in _sentences(by_number[n].quote)]
        good_sents = []
        sents = _sentences(p["text"]) or [p["text"]]
        svecs = np.asarray(embed(sents + cited_sents), dtype=np.float32)
        gen_vecs, src_vecs = svecs[: len(sents)], svecs[len(sents) :]
        cited_words = content_words(" ".join(by_number[n].quote for n in p["citations"]))
        for i, s in enumerate(sents):
            words = content_words(s)
            overlap = len(words & cited_words) / max(1, len(words))
            sim = float((src_vecs @ gen_vecs[i]).max()) if len(src_vecs) else 0.0
            if words and ((overlap >= SUPPORT_OVERLAP and sim >= 0.5) or sim >= SUPPORT_SIMILARITY):
                good_sents.append(s)
            else:
                dropped += 1
        if good_sents:
            kept.append(AnswerPoint(text=" ".join(good_sents), citations=p["citations"], supported=True))
    if not kept:
        return extractive.model_copy(
            update={"generation_note": "Generative answer not used: no sentence was supported by its passages."}
        )
    used = sorted({n for p in kept for n in p.citations})
    renumber = {old: new for new, old in enumerate(used, start=1)}
    citations = [by_number[n].model_copy(update={"number": renumber[n]}) for n in used]
    points_out = [AnswerPoint(text=p.text, citations=[renumber[n] for n in p.citations], supported=True) for p in kept]
    lines = []
    if extractive.safeguarding_notice:
        lines += [extractive.safeguarding_notice, ""]
    lines += [f"{p.text} " + "".join(f"[{n}]" for n in p.citations) for p in points_out]
    if extractive.legend:
        lines += ["", extractive.legend]
    note = f"{dropped} generated sentence(s) dropped: not supported by the cited passages." if dropped else ""
    return extractive.model_copy(
        update={
            "text": "\n".join(lines),
            "points": points_out,
            "citations": citations,
            "mode": "generative",
            "generation_note": note,
        }
    )
