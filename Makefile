# The two commands a newcomer needs: `make run` and `make test`.
# Installs are stamped, so a second run reinstalls nothing unless pyproject.toml changed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# Three test processes on two cores: the system tests spend much of their time waiting on the
# servers, browsers and proxies they drive, so a third process fills the idle core time
# (1,522 tests: 16.6 min with -n 3 on a loaded machine, about 15-16 min with -n 2 on a quiet one).
PYTEST_ARGS ?= -n 3 --durations=15

.PHONY: run test lint typecheck kbtest pytest bench clean clients

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "countypath needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/countypath serve --host 127.0.0.1 --port 8000

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# The knowledge base's expert cases, as a curator runs them (seeds/cases/README.md).
kbtest: $(RUN_STAMP)
	$(BIN)/countypath kb test

pytest: $(DEV_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck kbtest pytest

# The OpenAPI document linted by Redocly and Spectral, the Python client and the TypeScript types,
# under clients/out/ (Node tools from clients/package-lock.json, installed once per lock file).
clients: $(DEV_STAMP)
	$(BIN)/python -m clients.tools

bench: $(DEV_STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
