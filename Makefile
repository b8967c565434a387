# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Fixed "generated at" time for reproducible sample outputs (2025-02-14T07:00:00Z).
SAMPLE_EPOCH := 1739516400

.PHONY: demo test lint pytest samples clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/briefing run --sample --date 2025-02-13 --format all --out out/
	@echo "Briefing written to $(CURDIR)/out/ (open out/briefing.html, or read out/briefing.md)"

test: $(VENV)/.installed-test lint pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check briefing tests bench
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

samples: $(VENV)/.installed
	SOURCE_DATE_EPOCH=$(SAMPLE_EPOCH) $(BIN)/python -m briefing.samples sample_outputs

clean:
	rm -rf out site .pytest_cache .mypy_cache .ruff_cache
