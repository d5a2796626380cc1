"""The benchmark package: every speed and memory figure the project measures, beside the naive peer's.

- `run`: `python -m evals.benchmark` (`make bench`) runs each part `--runs` times and prints the medians,
  ours beside the naive peer's with their ratio and the targets;
- `naive`: the naive peer (1,000-character chunks, MiniLM through sentence-transformers, faiss flat);
- `ingest`: cold and unchanged ingest, index size and search quality of both;
- `children`: the fresh processes measured (one that loads and answers; a server);
- `http`: answers/s, latency and serving memory over loopback HTTP, one process and two replicas;
- `loadgen`: the HTTP load generator (requests/s and latency of `POST /api/ask`), also used by the tests.
"""

from evals.benchmark.run import machine_description, main

__all__ = ["machine_description", "main"]
