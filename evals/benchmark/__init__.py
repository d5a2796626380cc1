"""The benchmark package: every speed and memory figure the project measures, in one place.

- `run`: `python -m evals.benchmark` (`make bench`) runs each part in its own process and prints the figures;
- `search`: cold and unchanged ingest, embedding throughput, search latency, index size, search quality
  against a naive baseline;
- `answer`: warm extractive answer latency and peak memory;
- `loadgen`: the HTTP load generator (requests/s and latency of `POST /api/ask`), also used by the load test.
"""

from evals.benchmark.run import machine_description, main

__all__ = ["machine_description", "main"]
