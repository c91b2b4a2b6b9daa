# Klasklimaat: `make run` to try it, `make test` to check it. Needs only python3 (3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := KLASKLIMAAT_ENV=$${KLASKLIMAAT_ENV:-development} $(BIN)/flask --app surveys
PYTEST_WORKERS ?= 2

.PHONY: run test lint install translations bench benchmark soak wrk clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Klasklimaat needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d surveys/translations

run: install
	$(FLASK) init-db
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .

AXE := tests/pupil/node_modules/axe-core/axe.min.js

# axe-core (npm) runs the accessibility check of the pupil screens in the browser tests.
$(AXE): tests/pupil/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/pupil --no-audit --no-fund --silent && touch $(AXE); \
	else echo "npm not found: the accessibility check of the pupil screens will be skipped"; fi

test: install lint $(AXE)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Benchmarks (figures in benchmarks/RESULTS.md and the README): under 20 minutes on two cores.
# They need PostgreSQL on 127.0.0.1:5432 (BENCH_DATABASE_URL) and wrk, Debian's load generator.
WRK := $(shell command -v wrk 2>/dev/null)

wrk:
ifeq ($(WRK),)
	apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
endif

bench: install wrk
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.throughput
	$(BIN)/python -m benchmarks.pupils latency
	$(BIN)/python -m benchmarks.analysis_scale
	$(BIN)/python -m benchmarks.report

benchmark: bench

# The full load (1,000 pupils) and crash (50 SIGKILLs) runs on both engines; make test runs
# short versions of both.
soak: install
	$(BIN)/python -m benchmarks.pupils load
	$(BIN)/python -m benchmarks.crash
	$(BIN)/python -m benchmarks.report

clean:
	rm -rf $(VENV) *.egg-info build dist
