# Two commands do all the set-up on a fresh machine with Python 3.11, git and make:
#   make demo   builds the demo shop and prints today's brief
#   make test   lints, type-checks, checks the import contracts and runs the whole test suite
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.db
PYTEST_ARGS ?=
# Every machine installs the same releases: the lock files pin each package (and its hashes) that pyproject.toml's
# ranges allow, for Python 3.11 on Linux x86-64. requirements.lock is what the app needs, requirements-dev.lock that
# plus the dev extra, at the same versions. `make lock` brings them up to date after a change to pyproject.toml
# (keeping every pin it can); `make lock UPGRADE=1` moves every pin to the newest release allowed.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
PIP := $(BIN)/python -m pip --disable-pip-version-check
UPGRADE ?=

.PHONY: phrases figure-labels web-texts demo brief test test-fast test-newest lint typecheck contracts bench-smoke clean lock

# The project itself is installed without dependencies (they all come from the lock); `pip check` then fails when
# pyproject.toml asks for something the lock does not give (run `make lock`).
$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(PIP) install --quiet --no-deps -e .
	$(PIP) check
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(DEV_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(DEV_LOCK)
	$(PIP) install --quiet --no-deps -e .
	$(PIP) check
	touch $(VENV)/.installed $@

# uv resolves (in a venv of its own); the dev lock is made first and the app's lock keeps its versions.
lock:
	test -x .venv-lock/bin/uv || ($(PYTHON) -m venv .venv-lock && .venv-lock/bin/python -m pip install --quiet uv)
	.venv-lock/bin/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --generate-hashes $(if $(UPGRADE),--upgrade) -o $(DEV_LOCK)
	cp $(DEV_LOCK) $(LOCK)
	.venv-lock/bin/uv pip compile --quiet pyproject.toml --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --generate-hashes -o $(LOCK)

demo: $(VENV)/.installed
	$(BIN)/tradewind demo --db $(DEMO_DB) --replace
	$(BIN)/tradewind brief --db $(DEMO_DB) --limit 0

brief: $(VENV)/.installed
	$(BIN)/tradewind brief --db $(DEMO_DB)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy --strict src tests benchmarks

contracts: $(VENV)/.installed-dev
	$(BIN)/lint-imports

test: lint typecheck contracts
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -m "not slow" -x -q $(PYTEST_ARGS)

# The newest releases pyproject.toml allows, without the lock, in a venv of their own: what a user installing
# from pyproject.toml (pip install .) would get today. A breaking release shows up here before a user meets it.
# The tests (about 2 minutes on 2 cores): the API's reads and writes and the tracking webhook on both databases,
# the migrations against the models, the demo shop end to end (NumPy, Numba, the brief).
NEWEST ?= .venv-newest
NEWEST_TESTS ?= tests/api/test_installs.py tests/api/test_api.py tests/api/test_webhooks.py tests/db/test_migrations.py \
	tests/demo
test-newest:
	rm -rf $(NEWEST)
	$(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade --upgrade-strategy eager -e ".[dev]"
	$(NEWEST)/bin/python -m pip check
	$(NEWEST)/bin/python -m pip freeze --exclude-editable --disable-pip-version-check | tr 'A-Z_' 'a-z-' | sort \
		> $(NEWEST)/installed.txt
	grep -Eo '^[A-Za-z0-9_.-]+==[^ ;]+' $(DEV_LOCK) | tr 'A-Z_' 'a-z-' | sort > $(NEWEST)/locked.txt
	@echo "Releases other than the lock's:"; comm -23 $(NEWEST)/installed.txt $(NEWEST)/locked.txt
	$(NEWEST)/bin/pytest -m "not slow" -q -x -p no:cacheprovider $(NEWEST_TESTS)

# Every benchmark at a small size (each must finish and print its figures; see tests/test_benchmarks_smoke.py).
bench-smoke: $(VENV)/.installed-dev
	$(BIN)/pytest -q -p no:cacheprovider tests/test_benchmarks_smoke.py

clean:
	rm -rf $(VENV) .venv-lock $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm .pytest_cache .mypy_cache .ruff_cache

# The brief's phrases (tradewind.wording): new msgids from the sources into the zh and ru catalogs (translate the
# empty ones in src/tradewind/locale/*/LC_MESSAGES/brief.po), then the .mo files compiled; tests/wording checks both.
phrases:
	$(BIN)/pybabel extract -F src/tradewind/locale/babel.cfg --no-default-keywords -k phrase -k nphrase:1,2 \
		--sort-output --no-location -o $(VENV)/brief.pot src/tradewind
	$(BIN)/pybabel update -i $(VENV)/brief.pot -d src/tradewind/locale -D brief --no-fuzzy-matching --ignore-obsolete --width 120
	$(BIN)/pybabel compile -d src/tradewind/locale -D brief

# The labels of the actions' figures (tradewind.brief.figures, the "figures" domain): the same way as the phrases,
# from the one table; tests/brief/test_figures.py checks the catalogs.
figure-labels:
	$(BIN)/pybabel extract --no-default-keywords -k figure -k word --sort-output --no-location \
		-o $(VENV)/figures.pot src/tradewind/brief/figures.py
	$(BIN)/pybabel update -i $(VENV)/figures.pot -d src/tradewind/locale -D figures --no-fuzzy-matching --ignore-obsolete --width 120
	$(BIN)/pybabel compile -d src/tradewind/locale -D figures

# The dashboard's texts (templates and web/*.py): messages.pot extracted afresh, new msgids into the zh and ru
# catalogs (translate the empty ones in src/tradewind/web/translations/*/LC_MESSAGES/messages.po), the .mo files
# compiled; tests/web/test_translations.py checks all three.
WEB_TEXTS := src/tradewind/web/translations
web-texts:
	$(BIN)/pybabel extract -F $(WEB_TEXTS)/babel.cfg -k _ -k translate:2 --no-location --omit-header --sort-output \
		--width 120 -o $(WEB_TEXTS)/messages.pot src/tradewind/web
	$(BIN)/pybabel update -i $(WEB_TEXTS)/messages.pot -d $(WEB_TEXTS) -D messages --no-fuzzy-matching --ignore-obsolete \
		--width 120
	$(BIN)/pybabel compile -d $(WEB_TEXTS) -D messages
