# Klasklimaat: `make run` to try it, `make test` to check it. Needs only python3 (3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := KLASKLIMAAT_ENV=$${KLASKLIMAAT_ENV:-development} $(BIN)/flask --app surveys
PYTEST_WORKERS ?= 2

.PHONY: run test lint install translations benchmark clean

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

benchmark: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) *.egg-info build dist
