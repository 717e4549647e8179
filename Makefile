# Outpost — the two commands of the README, and a few helpers.
#   make run   virtualenv, install, migrate, translations, demo data if empty, serve on :8000
#   make test  install the test dependencies and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# `make run` is for trying the app on a laptop: DEBUG on, SQLite unless DATABASE_URL is set.
RUN_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run test install install-test migrate messages messages-compile lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ is required"' \
		|| { echo "Outpost needs Python 3.10 or newer (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(PIP) install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --quiet -c requirements.lock -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# A local .env for trying the app (git ignores it): DEBUG on, SQLite. Production sets real variables.
.env:
	printf '# Local development settings written by make run; see .env.example for every variable.\nDEBUG=true\n' > .env

migrate: install .env
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

# The compiled catalogues are committed; rebuild them when gettext is there and a .po changed.
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	@if command -v msgfmt >/dev/null; then msgfmt --check -o $@ $<; else echo "msgfmt not found: using the committed $@"; fi

messages-compile: $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

run: migrate messages-compile
	$(RUN_ENV) $(BIN)/python manage.py load_holidays
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --if-empty
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Re-extract the Chinese catalogue after changing user-facing strings (needs gettext).
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --no-location --no-obsolete
	$(MAKE) messages-compile

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
