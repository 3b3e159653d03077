# The two set-up commands: `make run` and `make test` (see README).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
export DATABASE_URL_TEST := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/shop)
export REDIS_URL_TEST := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: run test install services lint format worker beat clean

$(BIN)/python:
	@$(PYTHON) --version >/dev/null 2>&1 || { echo "make: $(PYTHON) is missing (install Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[test]"
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install services
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) $(BIN)/python -m pytest --create-db $(PYTEST_ARGS)

services:
	@bash .ci/services.sh "$(DATABASE_URL_TEST)" "$(REDIS_URL_TEST)"

worker: install
	$(BIN)/celery -A shop worker --loglevel=info

beat: install
	$(BIN)/celery -A shop beat --loglevel=info --schedule var/celerybeat-schedule

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/db.sqlite3 var/mail var/e2e
