# One virtualenv, .venv/, created from pyproject.toml; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Test tiers, fastest first; each must collect at least one test.
TIERS := domain application stores projections audit api integration

.PHONY: run test lint typecheck pytest demo bench bench-smoke clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## the HTTP API under gunicorn on 127.0.0.1:8000, embedded SQLite in var/
	$(BIN)/collab serve

demo: $(STAMP)  ## seed the CLLD demo scenario through the application service
	$(BIN)/collab demo

lint: $(STAMP)
	$(BIN)/ruff check collab projections api tests benchmarks
	$(BIN)/ruff format --check collab projections api tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy collab projections api

pytest: $(STAMP)
	@set -e; for tier in $(TIERS); do \
	  start=$$(date +%s); \
	  echo "== tier $$tier"; \
	  rc=0; $(BIN)/pytest -q tests/$$tier || rc=$$?; \
	  echo "== tier $$tier: $$(( $$(date +%s) - start )) s (exit $$rc)"; \
	  if [ $$rc -eq 5 ]; then echo "tier $$tier collected no tests: that is a defect"; exit 1; fi; \
	  if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	done

test: lint typecheck pytest  ## ruff, mypy --strict, then pytest tier by tier

bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks --smoke

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .hypothesis benchmarks/results
