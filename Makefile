# One command per task, the same locally and in CI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5555
ONLY ?=
PYTEST_ARGS ?=

.PHONY: setup web run test test-integrations test-web screenshots chromium lint format bench docs clean \
	dist image container-base

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The web GUI (web/) is built into the package, where `atlas server` serves it at /; it is
# rebuilt when its sources or the server's API (its client is generated from the OpenAPI
# schema) change.
WEB_BUILD := src/atlas/server/static/index.html
WEB_INPUTS := $(shell find web/src web/public web/scripts src/atlas/server -type f \
	-not -name '*.gen.ts' -not -path '*/__pycache__/*' -not -path 'src/atlas/server/static/*' 2>/dev/null) \
	web/index.html web/package.json web/vite.config.ts web/tsconfig.json

web/node_modules/.package-lock.json: web/package-lock.json
	@command -v npm >/dev/null || { echo "building the web GUI needs Node.js 20+ and npm (apt-get install -y nodejs npm)"; exit 1; }
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

$(WEB_BUILD): web/node_modules/.package-lock.json $(VENV)/.installed $(WEB_INPUTS)
	cd web && ATLAS_PYTHON=$(abspath $(BIN)/python) npm run build

## web: build the web GUI into src/atlas/server/static/ (`make setup` does it when needed)
web: $(WEB_BUILD)

## setup: create .venv and install Atlas with its development tools, and build the web GUI
setup: $(VENV)/.installed $(WEB_BUILD)

## run: set everything up and start the server on the embedded default (SQLite + files)
run: setup
	$(BIN)/atlas server --host $(HOST) --port $(PORT)

## lint: ruff, mypy (strict), import-linter contracts
lint: setup
	$(BIN)/ruff check src tests bench hatch_build.py
	$(BIN)/ruff format --check src tests bench hatch_build.py
	$(BIN)/mypy
	$(BIN)/lint-imports

## format: apply ruff's formatting and safe fixes
format: setup
	$(BIN)/ruff format src tests bench hatch_build.py
	$(BIN)/ruff check --fix src tests bench hatch_build.py

## test: lint, then every test (PostgreSQL tests need the server on 127.0.0.1:5432), then the GUI's
test: lint chromium container-base
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-web

## test-integrations: install the frameworks too big for CI (torch...) and run tests/integrations
test-integrations: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,integrations]'
	$(BIN)/python -m pytest tests/integrations -m '' $(PYTEST_ARGS)

## screenshots: run the GUI's end-to-end tests and refresh the pictures in docs/images/
screenshots: setup chromium web/node_modules/.package-lock.json
	cd web && ATLAS_UPDATE_SCREENSHOTS=1 ATLAS_PYTHON=$(abspath $(BIN)/python) PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test

## chromium: Debian's Chromium for the browser tests (installed with apt-get when root)
chromium:
	bash web/e2e/ensure-chromium.sh

## test-web: the GUI's unit tests (Vitest), then its end-to-end tests (Playwright, real server)
test-web: setup chromium web/node_modules/.package-lock.json
	cd web && npm run lint
	cd web && npx vitest run
	cd web && npx tsc -p e2e/tsconfig.json
	cd web && ATLAS_PYTHON=$(abspath $(BIN)/python) PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test

## dist: build the sdist and the wheel into dist/ (the wheel carries the built web GUI)
dist: setup
	rm -f dist/atlas_ml-*
	$(BIN)/python -m build --sdist --wheel --outdir dist

## image: build the server's container image (IMAGE, default atlas:VERSION) from dist/'s wheel
IMAGE ?= atlas:$(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
IMAGE_ARGS ?=
image: dist
	podman build --format docker $(IMAGE_ARGS) -t $(IMAGE) -f Containerfile .

## container-base: podman and the local base image that the container test builds on
container-base:
	bash tests/packaging/container-base.sh

## bench: run the benchmarks (ONLY=name for one); results go to bench/results/*.json
bench: setup
	$(BIN)/python -m bench $(if $(ONLY),--only $(ONLY),)

## docs: regenerate docs/configuration.md from the declared settings
docs: setup
	$(BIN)/python -m atlas.settings > docs/configuration.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache bench/results
