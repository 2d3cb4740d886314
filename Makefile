# One command per task, the same locally and in CI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5555
ONLY ?=
PYTEST_ARGS ?=

.PHONY: setup run test lint format bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## setup: create .venv and install Atlas with its development tools
setup: $(VENV)/.installed

## run: set everything up and start the server on the embedded default (SQLite + files)
run: setup
	$(BIN)/atlas server --host $(HOST) --port $(PORT)

## lint: ruff, mypy (strict), import-linter contracts
lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## format: apply ruff's formatting and safe fixes
format: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## test: lint, then every test (PostgreSQL tests need the server on 127.0.0.1:5432)
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: run the benchmarks (ONLY=name for one); results go to bench/results/*.json
bench: setup
	$(BIN)/python -m bench $(if $(ONLY),--only $(ONLY),)

## docs: regenerate docs/configuration.md from the declared settings
docs: setup
	$(BIN)/python -m atlas.settings > docs/configuration.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache bench/results
