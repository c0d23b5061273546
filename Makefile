# infobot: the same commands locally and in CI. Needs only Python 3.11+ and make.
#
# Installs come from requirements.lock (made by `make lock` with uv from pyproject.toml's
# ranges), so every machine gets the same releases. `make test-latest` runs the suite
# against the newest releases instead, in .venv-latest, so that upgrades are taken on purpose.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock
UV_VERSION := 0.13.9
# With LOCKED=no the lock is not used and everything is upgraded (make test-latest).
LOCKED ?= yes
ifeq ($(LOCKED),yes)
PIP_FROM := --constraint $(LOCK)
else
PIP_FROM := --upgrade --upgrade-strategy eager
endif
RUNTIME_STAMP := $(VENV)/.runtime-stamp
TEST_STAMP    := $(VENV)/.test-stamp

.PHONY: install install-runtime test test-latest lint typecheck imports unit fuzz demo bench lock clean assets

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "infobot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What the demo and a user need: infobot and its runtime dependencies, nothing else.
$(RUNTIME_STAMP): pyproject.toml $(LOCK) | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet $(PIP_FROM) -e .
	@touch $@

# What the tests need on top: the test tools, the PostgreSQL driver, and the browser tests'
# Chromium and axe-core (scripts/install-browser-deps.sh; skipped with a reason if missing).
$(TEST_STAMP): pyproject.toml $(LOCK) package-lock.json | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet $(PIP_FROM) -e '.[test,postgres]'
	@bash scripts/install-browser-deps.sh
	@touch $(RUNTIME_STAMP) $@

install-runtime: $(RUNTIME_STAMP)

install: $(TEST_STAMP)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

# The layers (pyproject.toml, [tool.importlinter]): no module imports one above its layer.
imports: $(TEST_STAMP)
	$(BIN)/lint-imports

# The suite runs on two workers per core (pytest-xdist): many tests spend much of their time
# waiting on the processes, pages and sockets they drive, so a second worker per core fills
# that time (2 cores: 5:17 against 7:39 with one per core). PYTEST_WORKERS=0: one process.
# It starts hundreds of Python processes (the CLI, daemons, the web server): their bytecode
# is cached under $(VENV)/pycache, outside the tree, even where PYTHONDONTWRITEBYTECODE is
# set, so that each process does not compile infobot (and pytest rewrite the tests) again.
PYTEST_WORKERS ?= $(shell echo $$(( 2 * $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) )))
PYTEST_ENV := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(abspath $(VENV))/pycache
unit: $(TEST_STAMP)
	$(PYTEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=15

test: lint typecheck imports unit

# The generated-import test at length (make test runs a fixed seed and a few examples):
# FUZZ_EXAMPLES files through the real CLI; FUZZ_SEED picks another set; counts in .fuzz.json.
FUZZ_EXAMPLES ?= 2000
FUZZ_SEED ?= 20261204
fuzz: $(TEST_STAMP)
	INFOBOT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) INFOBOT_FUZZ_SEED=$(FUZZ_SEED) \
	    INFOBOT_FUZZ_REPORT=.fuzz.json $(BIN)/pytest -p no:cacheprovider tests/test_import_fuzz.py
	@cat .fuzz.json

# The suite against the newest releases that pyproject.toml allows (not the lock).
test-latest:
	$(MAKE) test VENV=.venv-latest LOCKED=no

# Regenerate requirements.lock from pyproject.toml (runtime, test and postgres extras),
# keeping the pinned releases that still fit; `make lock UPGRADE=1` takes the newest ones.
lock: | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra test --extra postgres --universal \
	    --python-version 3.11 $(if $(UPGRADE),--upgrade) -o $(LOCK)

demo: $(RUNTIME_STAMP)
	@bash scripts/demo.sh

bench: $(TEST_STAMP)
	$(BIN)/python -m bench $(FIGURES)

# Rebuild infobot/web/static/govuk/ from package-lock.json (needs Node.js and npm).
assets:
	bash scripts/build-assets.sh

clean:
	rm -rf $(VENV) .venv-latest .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/.data
