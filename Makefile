# The two commands at the top of the README: `make run` and `make test`. Both create .venv and install
# everything from the package registries on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install lint typecheck architecture unit openapi clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: Consenso with the demo project on embedded SQLite (prints the URL and the demo credentials)
run: $(STAMP)
	$(BIN)/consenso demo --host $(HOST) --port $(PORT)

## test: lint, types, architecture contract, then every test on SQLite and PostgreSQL
test: $(STAMP) lint typecheck architecture unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

architecture: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	tools/ensure-services
	$(BIN)/pytest

## openapi: regenerate docs/openapi.json (a test fails when it is stale)
openapi: $(STAMP)
	$(BIN)/python -m consenso.api.openapi_dump docs/openapi.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
