# followon — the two commands a new user needs are `make demo` and `make test`.
# Both create .venv with a Python >= 3.12 (see scripts/find-python.sh) and install followon.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs

.PHONY: demo test test-fast lint typecheck check data docs clean

$(VENV)/bin/python:
	@set -e; py=$$(scripts/find-python.sh); echo "using $$py"; "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## demo: set up and run the main job: the 2024-plenum scenario, quick mode, into results/
demo: $(STAMP)
	$(VENV)/bin/followon data summary
	$(VENV)/bin/followon run scenarios/plenum-2024-06.yaml --out results/plenum-2024-06 --quick

## test: set up and run the whole suite, slow tier included, plus lint and type checks
test: $(STAMP) lint typecheck
	MPLBACKEND=Agg $(PY) -m pytest

## test-fast: the default tier only (no sampling, no rebuilds)
test-fast: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

$(DOCS_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,docs]'
	@touch $(DOCS_STAMP)

## docs: set up and build the documentation site into docs/_build/html; any warning fails it
docs: $(DOCS_STAMP)
	MPLBACKEND=Agg $(PY) -m sphinx -b html -W --keep-going -q docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"
## gallery: redraw docs/gallery (PNG + PDF) from the shipped scenarios, quick mode
.PHONY: gallery
gallery: $(STAMP)
	MPLBACKEND=Agg $(PY) docs/make_gallery.py

## data: rebuild the bundled catalog from ../shared/data-sources (maintainers only)
data: $(STAMP)
	$(PY) data/build.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache docs/_build docs/generated docs/api.rst
