# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Fixed "generated at" time for reproducible sample outputs (2025-02-14T07:00:00Z).
SAMPLE_EPOCH := 1739516400

.PHONY: demo test lint pytest samples clean bench local-llm local-llm-model test-llm

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@ $(VENV)/.installed

DEMO := BRIEFING_CONFIG=examples/briefing.toml $(BIN)/briefing

demo: $(VENV)/.installed
	rm -rf out/state
	$(DEMO) topics --state out/state
	$(DEMO) run --date 2025-02-12 --state out/state --format all --out out/2025-02-12
	$(DEMO) run --date 2025-02-13 --state out/state --format all --out out/
	$(DEMO) archive build --state out/state --out out/site
	@echo "Briefing written to $(CURDIR)/out/briefing.html (and .md, .json)"
	@echo "Archive of the sample briefings: $(CURDIR)/out/site/index.html"

test: $(VENV)/.installed-test lint pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -n 2

samples: $(VENV)/.installed
	SOURCE_DATE_EPOCH=$(SAMPLE_EPOCH) $(BIN)/python -m briefing.ops.samples sample_outputs

clean:
	rm -rf out site .pytest_cache .mypy_cache .ruff_cache

# ---- opt-in: a real model on this machine (not part of `make test` or CI) -------------------
LLM_CACHE ?= .cache/local-llm
LLM_PORT  ?= 8088
LLM_VENV  := $(LLM_CACHE)/venv

$(LLM_VENV)/bin/python:
	$(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/python -m pip install --quiet --upgrade pip
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(LLM_VENV)/bin/python -m pip install --quiet 'llama-cpp-python[server]>=0.3,<0.4'

local-llm-model:
	$(PYTHON) scripts/local_llm.py assemble --cache $(LLM_CACHE)

local-llm: $(LLM_VENV)/bin/python local-llm-model  ## serve the model on 127.0.0.1:$(LLM_PORT) (foreground)
	$(PYTHON) scripts/local_llm.py serve --cache $(LLM_CACHE) --python $(LLM_VENV)/bin/python --port $(LLM_PORT)

test-llm: $(VENV)/.installed-test  ## needs `make local-llm` running in another shell
	BRIEFING_TEST_LLM_URL=http://127.0.0.1:$(LLM_PORT)/v1 $(BIN)/python -m pytest -q -m llm tests/test_local_llm.py

bench: $(VENV)/.installed-test  ## benchmarks against in-run baselines (about 10 minutes; not in `make test`)
	$(BIN)/python bench/run.py
