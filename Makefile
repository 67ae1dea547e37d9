# Tilts — the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: install run test lint messages compilemessages worker beat bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $@

install: $(STAMP)

compilemessages: install
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

# Development server on an embedded SQLite database; Celery tasks run in-process. Emailed
# links (and those seed_demo prints) point at the address it serves; override either with
# `make run RUN_ADDRESS=0.0.0.0:8080 TILTS_BASE_URL=http://myhost:8080`.
RUN_ADDRESS ?= 127.0.0.1:8000
TILTS_BASE_URL ?= http://$(RUN_ADDRESS)
run: compilemessages
	$(MANAGE) migrate --noinput
	TILTS_BASE_URL=$(TILTS_BASE_URL) $(MANAGE) seed_demo
	TILTS_BASE_URL=$(TILTS_BASE_URL) $(MANAGE) runserver $(RUN_ADDRESS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint

# Uses DATABASE_URL / REDIS_URL when set, else SQLite and in-process tasks.
test: lint compilemessages
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest

# Refresh the Latvian catalogue after adding strings (then translate the empty msgstr lines).
messages: install
	$(MANAGE) makemessages -l lv --no-location --no-obsolete --ignore=.venv --ignore=tests

worker: install
	$(BIN)/celery -A config worker -l info --max-tasks-per-child=50

beat: install
	$(BIN)/celery -A config beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler

# Performance figures (PDFs of every document kind, daily sweeps over 10,000 agreements, the document
# sweeper over 10,000 rows) on a throwaway database (PostgreSQL on DATABASE_URL's server when set).
# The coordinators' pages at national ×100 scale take several minutes more:
# `make bench BENCH_ARGS=--pages` (or `BENCH_ARGS=--pages-only`; see `python -m bench.run --help`).
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media
