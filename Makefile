# The two commands at the top of the README: `make run` and `make test`. Both create .venv and install
# everything from the package registries on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
NPM    ?= npm

# The web app (web/, Svelte + TypeScript) is built into the package by `npm run build`; it is rebuilt
# when its lock file, its sources or the OpenAPI document (its API client is generated from it) change.
WEB_DEPS    := web/node_modules/.installed-stamp
WEB_BUILD   := src/consenso/web/index.html
WEB_SOURCES := $(shell find web/src web/scripts -type f ! -name schema.d.ts 2>/dev/null) \
               web/index.html web/package.json web/vite.config.ts web/svelte.config.js web/tsconfig.json \
               docs/openapi.json

.PHONY: run test install web webcheck lint typecheck architecture unit openapi permissions screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(WEB_DEPS): web/package-lock.json web/package.json
	cd web && $(NPM) ci --no-audit --no-fund
	touch $(WEB_DEPS)

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && $(NPM) run build
	touch $(WEB_BUILD)

## web: build the web app into src/consenso/web/ (served at /)
web: $(WEB_BUILD)

install: $(STAMP) $(WEB_BUILD)

## run: Consenso with the demo project on embedded SQLite (prints the URL and the demo credentials)
run: $(STAMP) $(WEB_BUILD)
	$(BIN)/consenso demo --host $(HOST) --port $(PORT)

## test: lint, types (Python and TypeScript), architecture contract, then every test on SQLite and
## PostgreSQL, the browser tests included
test: $(STAMP) $(WEB_BUILD) lint typecheck webcheck architecture unit

## webcheck: svelte-check (TypeScript strict) and the i18n catalogs
webcheck: $(WEB_DEPS)
	cd web && $(NPM) run check

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

architecture: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP) $(WEB_BUILD)
	tools/ensure-services
	tools/ensure-chromium
	$(BIN)/pytest

## openapi: regenerate docs/openapi.json (a test fails when it is stale)
openapi: $(STAMP)
	$(BIN)/python -m consenso.api.openapi_dump docs/openapi.json

## permissions: regenerate the permission matrix in docs/security.md (a test fails when it is stale)
permissions: $(STAMP)
	$(BIN)/python -m consenso.api.permissions_map docs/security.md

## screenshots: PNGs of every main screen (1280x800, English and Spanish) into docs/screenshots/, from a
## served demo driven by Chromium (tests/e2e/screenshots.py)
screenshots: $(STAMP) $(WEB_BUILD)
	tools/ensure-chromium
	$(BIN)/python -m tests.e2e.screenshots docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis web/node_modules src/consenso/web
