"""Benchmark `vsh sync` against the loopback fake GOV.UK (tests/fake_govuk.py): prints time and requests of a
first sync, an unchanged run and a run where one document changed, for a set shaped like the real manifest
(12 entries: HTML publications, PDFs, a page without attachments). Run: `.venv/bin/python scripts/bench_sync.py`.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from settings import Settings
from sync import sync_sources
from tests.fake_govuk import FakeGovuk, fake_govuk, make_pdf

WORDS = [
    "virtual",
    "school",
    "head",
    "local",
    "authority",
    "looked-after",
    "children",
    "designated",
    "teacher",
    "personal",
    "education",
    "plan",
    "attendance",
    "attainment",
    "social",
    "worker",
    "kinship",
    "care",
    "funding",
    "pupil",
    "premium",
    "plus",
    "exclusion",
    "safeguarding",
    "support",
    "advice",
    "schools",
    "governing",
    "body",
    "review",
    "duty",
    "promote",
    "educational",
    "achievement",
    "previously",
]


def sentence(rng: random.Random, number: int | None = None) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(14, 30))).capitalize() + "."
    return f"{number}. {text}" if number else text


def html_body(rng: random.Random, sections: int, per_section: int) -> str:
    parts, number = [], 1
    for s in range(sections):
        parts.append(f'<h2 id="section-{s}">{s + 1}. Section {s + 1}</h2>')
        for _ in range(per_section):
            parts.append(f"<p>{sentence(rng, number)}</p>")
            number += 1
    return "\n".join(parts)


def pdf(rng: random.Random, pages: int) -> bytes:
    number = 1
    out = []
    for _ in range(pages):
        lines = []
        for _ in range(6):
            lines.append(sentence(rng, number)[:90])
            number += 1
        out.append(lines)
    return make_pdf(out)


def publish(fake: FakeGovuk, rng: random.Random, version: int) -> str:
    manifest = []
    stamp = f"2024-0{version}-01T09:00:00+00:00"
    for i in range(12):
        path = f"/government/publications/doc-{i}"
        kind = "html" if i < 4 else "pdf" if i < 10 else "page"
        history = [(stamp, f"Version {version}.")] if i == 0 else [("2024-01-01T09:00:00+00:00", "First published.")]
        updated = stamp if i == 0 else "2024-01-01T09:00:00+00:00"
        seed = random.Random(i * 100 + (version if i == 0 else 1))
        if kind == "html":
            attachment = fake.html_publication(
                f"{path}/guidance", title=f"Guidance {i}", body=html_body(seed, 8, 6), updated=updated
            )
            fake.publish(
                path, title=f"Publication {i}", updated=updated, attachments=[attachment], change_history=history
            )
        elif kind == "pdf":
            attachment = fake.asset(f"/media/{i}/doc-{i}.pdf", pdf(seed, 12), title=f"Guidance {i}", updated=updated)
            fake.publish(
                path, title=f"Publication {i}", updated=updated, attachments=[attachment], change_history=history
            )
        else:
            fake.publish(path, title=f"Page {i}", updated=updated, body=html_body(seed, 3, 4), change_history=history)
        manifest.append(f'[[govuk]]\npath = "{path}"\ndoc_id = "doc-{i}"\nstatus = "statutory"\n')
    return "\n".join(manifest)


def main() -> None:
    with fake_govuk() as fake, tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(7)
        manifest = Path(tmp) / "manifest.toml"
        manifest.write_text(publish(fake, rng, 1), encoding="utf-8")
        settings = Settings(data_dir=Path(tmp) / "data", govuk_base_url=fake.base_url, sources_manifest=manifest)
        runs = [("first sync", None), ("unchanged", None), ("one changed", 2), ("dry run, unchanged", None)]
        print(f"{'run':<20} {'seconds':>8} {'requests':>9} {'embedded':>9} {'reused':>7}")
        for label, version in runs:
            if version:
                publish(fake, rng, version)
            started = time.perf_counter()
            report = sync_sources(settings, dry_run=label.startswith("dry"))
            seconds = time.perf_counter() - started
            embedded = report.ingest.embedded_passages if report.ingest else 0
            reused = report.ingest.reused_passages if report.ingest else 0
            assert report.ok, [e.error for e in report.entries if e.error]
            print(f"{label:<20} {seconds:>8.2f} {report.requests:>9} {embedded:>9} {reused:>7}")


if __name__ == "__main__":
    main()
