# The two commands the README names: `make run` (ingest the corpus, serve web chat + API) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
VSH := $(VENV)/bin/vsh
PYTHON ?= python3

.PHONY: setup run test lint bench browsers

setup: $(VENV)/.installed

# torch 2.13.0 (CPU, on local disk) goes in first, or pip would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

run: setup
	$(VSH) serve --ingest

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) -m evals.benchmark
