# Rekindle: `make run` to try it, `make test` to check it. Needs only Python 3.11+.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format lock check-python clean wheelhouse messages

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Rekindle needs Python 3.11 or newer; this is " + sys.version.split()[0])'

# Installs exactly what requirements/*.txt pin, with hashes: the same build in five years' time.
# The locks are complete (pip-compile wrote every package), so --no-deps keeps pip's resolver away
# from today's index (an extra such as coverage[toml] would otherwise be resolved afresh there) and
# `pip check` proves nothing is missing. WHEELHOUSE=dir installs from `make wheelhouse`'s folder
# alone, with no index at all.
WHEELHOUSE ?=
PIP := $(BIN)/python -m pip --disable-pip-version-check
PIP_INSTALL := $(PIP) install --quiet --require-hashes --no-deps --only-binary=:all: \
  $(if $(WHEELHOUSE),--no-index --find-links $(WHEELHOUSE))

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

$(BIN)/.installed-base: requirements/base.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements/base.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed-base requirements/dev.txt
	$(PIP_INSTALL) -r requirements/dev.txt
	$(PIP) check
	touch $@

# Every pinned wheel (runtime and test tools) for this machine's platform and Python, checked
# against the locks' hashes, in one folder: copy it with the code, and years later
# `make test WHEELHOUSE=wheelhouse` (or `make run WHEELHOUSE=wheelhouse`) rebuilds the same service
# with no package index at all.
wheelhouse: | $(BIN)/python
	$(PIP) download --quiet --require-hashes --no-deps --only-binary=:all: --dest $(or $(WHEELHOUSE),wheelhouse) \
	  -r requirements/base.txt -r requirements/dev.txt
	@echo "$$(ls $(or $(WHEELHOUSE),wheelhouse) | wc -l) wheels in $(or $(WHEELHOUSE),wheelhouse)/"

run: $(BIN)/.installed-base
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_postcodes --if-needed
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py collectstatic --no-input -v0
	@echo
	@echo "  Rekindle is starting at http://$(HOST):$(PORT)/"
	@echo "  Sign in as coordinator, campaigner or viewer; the password is rekindle-demo. A campaign big"
	@echo "  enough to need a second person's approval can be approved by campaigner2."
	@echo "  Text messages are not sent: they are printed here (SMS_BACKEND=console); links in them"
	@echo "  open on this server. The task worker's routine lines are hidden (Q_LOG_LEVEL=INFO shows them)."
	@echo "  Phone simulator (be a volunteer's phone, text YES, READY, STOP...): http://$(HOST):$(PORT)/sms/simulator/"
	@echo "  Admin (all data): http://$(HOST):$(PORT)/admin/ as admin, same password."
	@echo "  Press Ctrl-C to stop the server and the task worker."
	@echo
	@$(BIN)/python manage.py serve_local --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# With DATABASE_URL and REDIS_URL set, the same suite runs on PostgreSQL and Redis.
test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)

# The README's deployment section, followed: a fresh venv from the runtime lock, DEBUG=false,
# PostgreSQL, Redis, gunicorn and qcluster, then an operator's requests (.ci/smoke.py says which).
.PHONY: smoke
smoke: $(BIN)/.installed-dev
	$(BIN)/python .ci/smoke.py

# The long reliability runs (about 25 minutes): 5,000-recipient fault campaigns, Twilio hanging for a
# minute, three minutes of mixed load on PostgreSQL + Redis, then the same load on SQLite. Figures and
# commands: docs/reliability.md. Uses its own database (rekindle_rel_*) and Redis db 12.
.PHONY: reliability
REL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rekindle_rel_load
REL_REDIS_URL ?= redis://127.0.0.1:6379/12
reliability: $(BIN)/.installed-dev
	RELIABILITY_LONG=1 DATABASE_URL=$(REL_DATABASE_URL) REDIS_URL=$(REL_REDIS_URL) \
	  $(BIN)/python -m pytest -m reliability -s -p no:cacheprovider tests/reliability $(PYTEST_ARGS)
	$(BIN)/python -m bench.load --seconds 180 --concurrency 16 --volunteers 3000 \
	  --database-url $(REL_DATABASE_URL) --redis-url $(REL_REDIS_URL) --json var/load-postgres.json
	$(BIN)/python -m bench.load --seconds 180 --concurrency 16 --volunteers 3000 --json var/load-sqlite.json

# Rewrite the pins after editing requirements/*.in (the only step that needs the network for new versions).
lock:
	$(PYTHON) -m venv /tmp/rekindle-lock && /tmp/rekindle-lock/bin/pip install --quiet pip-tools
	cd requirements && /tmp/rekindle-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o base.txt base.in
	cd requirements && /tmp/rekindle-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o dev.txt dev.in

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov staticfiles wheelhouse

# The translation files: every marked string of the volunteers' pages and texts (and any new
# module's) into locale/<code>/LC_MESSAGES/django.po, then compiled to the .mo files that are
# committed beside them (a newcomer may have no gettext). Needs gettext (apt-get install gettext).
# New strings come in untranslated; README.md "Languages" says how to translate and review them.
MESSAGE_LANGUAGES := pa ur bn pl ar
messages: $(BIN)/.installed-dev
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(MESSAGE_LANGUAGES)) --add-location=file --no-wrap \
	  --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*' --ignore='staticfiles/*' --ignore='var/*' --no-obsolete
	$(BIN)/python manage.py compilemessages $(addprefix -l ,$(MESSAGE_LANGUAGES)) --ignore='.venv/*'
