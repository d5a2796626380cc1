"""`python -m evals.benchmark`: see `evals.benchmark.run`."""

from evals.benchmark.run import main

raise SystemExit(main())
