# The two commands a newcomer needs: `make run` and `make test`.
# Installs are stamped, so a second run reinstalls nothing unless pyproject.toml changed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# Three test processes on two cores: the system tests spend much of their time waiting on the
# servers, browsers and proxies they drive, so a third process fills the idle core time. The
# tests that start processes are dealt over the three first (tests/conftest.py): 1,595 tests in
# 11.1 min on a quiet machine, 14.2 min in file order.
PYTEST_ARGS ?= -n 3 --durations=15

# The optional compiled engine (app/native.py): `make compile` builds the engine modules it lists
# with mypyc (a C compiler and the dev install needed, ~40 s), `COUNTYPATH_COMPILE=1 make run`
# builds them first. Without a build, `make run` and `make test` run the pure-Python engine: same
# bytes, more CPU. `make clean-compiled` (or `make clean`) removes the build.
# A build that exists is kept current: the targets that run the engine rebuild it first when a
# source changed, so a stale extension never answers for an edited module.
COMPILED_STAMP := build/.compiled
ENGINE_SOURCES := app/native.py $(wildcard app/domain/*.py)
ENGINE := $(if $(or $(filter 1,$(COUNTYPATH_COMPILE)),$(wildcard $(COMPILED_STAMP))),$(COMPILED_STAMP))

.PHONY: run test lint typecheck kbtest pytest bench clean clean-compiled clients compile

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

run: $(RUN_STAMP) $(ENGINE)
	$(BIN)/countypath serve --host 127.0.0.1 --port 8000

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# The knowledge base's expert cases, as a curator runs them (seeds/cases/README.md).
kbtest: $(RUN_STAMP) $(ENGINE)
	$(BIN)/countypath kb test

pytest: $(DEV_STAMP) $(ENGINE)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck kbtest pytest

# The OpenAPI document linted by Redocly and Spectral, the Python client and the TypeScript types,
# under clients/out/ (Node tools from clients/package-lock.json, installed once per lock file).
clients: $(DEV_STAMP)
	$(BIN)/python -m clients.tools

compile: $(COMPILED_STAMP)

$(COMPILED_STAMP): $(ENGINE_SOURCES) | $(DEV_STAMP)
	$(BIN)/python -m app.native build
	@touch $@

clean-compiled:
	find app -name '*.so' -delete
	rm -rf build

bench: $(DEV_STAMP) $(ENGINE)
	$(BIN)/python -m bench.run

clean: clean-compiled
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
