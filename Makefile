# One virtualenv, .venv/, created from pyproject.toml; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Test tiers, fastest first; each must collect at least one test. `browser` drives Debian's
# Chromium (/usr/bin/chromium; skipped without it unless COLLAB_REQUIRE_BROWSER=1, as in CI).
TIERS := domain application stores projections reports audit api web integration browser
# The long reliability runs (marker `long`): faults, fuzzing and load, in CI after `make test`.
LONG_TIERS := reliability stress

.PHONY: translations run test test-long lint typecheck pytest demo bench bench-smoke clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## the HTTP API under gunicorn on 127.0.0.1:8000, embedded SQLite in var/
	$(BIN)/collab serve

demo: $(STAMP)  ## seed the CLLD demo scenario through the application service
	$(BIN)/collab demo

# The explorer's texts: extract them and merge them into each language's catalogue.
translations: $(STAMP)  ## pybabel extract + update (web/translations/*/LC_MESSAGES/messages.po)
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output -o web/translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i web/translations/messages.pot -d web/translations

lint: $(STAMP)
	$(BIN)/ruff check collab projections api web tests benchmarks
	$(BIN)/ruff format --check collab projections api web tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy collab projections api web benchmarks

pytest: $(STAMP)
	@set -e; for tier in $(TIERS); do \
	  start=$$(date +%s); \
	  echo "== tier $$tier"; \
	  rc=0; $(BIN)/pytest -q -m "not long" tests/$$tier || rc=$$?; \
	  echo "== tier $$tier: $$(( $$(date +%s) - start )) s (exit $$rc)"; \
	  if [ $$rc -eq 5 ]; then echo "tier $$tier collected no tests: that is a defect"; exit 1; fi; \
	  if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	done

test: lint typecheck pytest  ## ruff, mypy --strict, then pytest tier by tier

test-long: $(STAMP)  ## the long reliability runs (faults on a throwaway PostgreSQL, fuzzing, load)
	@set -e; for tier in $(LONG_TIERS); do \
	  start=$$(date +%s); \
	  echo "== long tier $$tier"; \
	  rc=0; $(BIN)/pytest -q -m long tests/$$tier || rc=$$?; \
	  echo "== long tier $$tier: $$(( $$(date +%s) - start )) s (exit $$rc)"; \
	  if [ $$rc -eq 5 ]; then echo "long tier $$tier collected no tests: that is a defect"; exit 1; fi; \
	  if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	done

# B1's load generator is Debian's wrk (the PyPI package of that name is unrelated).
WRK := /usr/bin/wrk
$(WRK):
	apt-get install -y wrk || (apt-get update -q && apt-get install -y wrk)

bench: $(STAMP) $(WRK)  ## the full benchmark suite (ratios against ceilings, DESIGN §6)
	$(BIN)/python -m benchmarks

bench-smoke: $(STAMP) $(WRK)  ## the same, short (about 3 minutes)
	$(BIN)/python -m benchmarks --smoke

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .hypothesis benchmarks/results
