# Two commands do all the set-up on a fresh machine with Python 3.11, git and make:
#   make demo   builds the demo shop and prints today's brief
#   make test   lints, type-checks, checks the import contracts and runs the whole test suite
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.db
PYTEST_ARGS ?=

.PHONY: demo brief test test-fast lint typecheck contracts bench-smoke clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/tradewind demo --db $(DEMO_DB) --replace
	$(BIN)/tradewind brief --db $(DEMO_DB) --limit 0

brief: $(VENV)/.installed
	$(BIN)/tradewind brief --db $(DEMO_DB)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy --strict src

contracts: $(VENV)/.installed-dev
	$(BIN)/lint-imports

test: lint typecheck contracts
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -m "not slow" -x -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm .pytest_cache .mypy_cache .ruff_cache
