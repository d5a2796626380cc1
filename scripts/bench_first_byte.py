"""Time to the first byte and to the whole answer of `POST /api/ask/stream` on a freshly started server.

Serves the web app on loopback over the index in VSH_DATA_DIR (build it first with `vsh ingest`) and asks each
question once (nothing cached), as soon as the server listens. Prints one line per question and the medians.

    VSH_DATA_DIR=data .venv/bin/python scripts/bench_first_byte.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _servers import live_server

from assistant import Assistant
from bots.web import create_app
from settings import get_settings
from storage import TranscriptStore

QUESTIONS = [
    "Which children is the Virtual School Head responsible for?",
    "How should Pupil Premium Plus funding be managed?",
    "What does the designated teacher have to do?",
    "What changed for children in kinship care?",
    "Who writes the personal education plan?",
    "how do I make a referral to social care for a child I'm worried about?",
]


def main() -> None:
    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        store = TranscriptStore(f"sqlite:///{tmp}/bench.sqlite3")
        app = create_app(settings, assistant=Assistant(settings), store=store)
        firsts, wholes = [], []
        with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=300) as client:
            for q in QUESTIONS:
                t0 = time.perf_counter()
                with client.stream("POST", "/api/ask/stream", json={"question": q}) as r:
                    chunks = r.iter_text()
                    next(chunks)
                    first = time.perf_counter() - t0
                    for _ in chunks:
                        pass
                whole = time.perf_counter() - t0
                firsts.append(first)
                wholes.append(whole)
                print(f"first byte {first * 1000:7.1f} ms   whole answer {whole * 1000:8.1f} ms   {q}")
        print(
            f"median: first byte {statistics.median(firsts) * 1000:.1f} ms, "
            f"whole answer {statistics.median(wholes) * 1000:.1f} ms ({len(QUESTIONS)} questions, fresh server)"
        )


if __name__ == "__main__":
    main()
