# The two set-up commands: `make run` and `make test` (see README). Everything else is optional.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# `make test` always runs against PostgreSQL and Redis (SPEC S1); `make run` uses whatever
# DATABASE_URL says, and the embedded SQLite file under var/ when it is unset.
export DATABASE_URL_TEST := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/shop)
export REDIS_URL_TEST := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: run test install services lint format worker beat messages clean bench-http

$(BIN)/python:
	@$(PYTHON) --version >/dev/null 2>&1 || { echo "make: $(PYTHON) is missing (install Python 3.11)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "make: cannot create $(VENV) (on Debian/Ubuntu: apt-get install python3.11-venv)"; rm -rf $(VENV); exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[test]"
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Shop:       http://127.0.0.1:8000/"
	@echo "Backoffice: http://127.0.0.1:8000/backoffice/  (admin@example.com / demo-backoffice-2026)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Exit code 5 means "no tests collected": a wrong PYTEST_ARGS must never look like success.
# The suite runs on every core (pytest-xdist, at most 8 workers; an idle worker takes tests
# queued for a busy one, since the slowest tests come last): TEST_WORKERS=0 runs it in this
# one process, e.g. for a debugger.
TEST_WORKERS ?= auto
test: install services
	@DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) CELERY_TEST_BROKER_URL=$(REDIS_URL_TEST) \
	  $(BIN)/python -m pytest --create-db -n $(TEST_WORKERS) --maxprocesses 8 --dist worksteal $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: no tests were collected (PYTEST_ARGS='$(PYTEST_ARGS)')"; exit 1; fi; \
	  exit $$rc

services:
	@bash .ci/services.sh "$(DATABASE_URL_TEST)" "$(REDIS_URL_TEST)"

# Celery needs a broker: CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make worker
worker: install
	$(BIN)/celery -A shop worker --loglevel=info

beat: install
	@mkdir -p var
	$(BIN)/celery -A shop beat --loglevel=info --schedule var/celerybeat-schedule

# The HTTP bench (README "Performance"): gunicorn with the production settings + locust.
# BENCH_ARGS="--quick" for a smoke run, "--soak 300" for the soak; needs DATABASE_URL and
# BENCH_REDIS_URL (or REDIS_URL) of a seeded database.
bench-http: install
	$(BIN)/python manage.py bench --http $(BENCH_ARGS)

messages: install
	$(BIN)/python manage.py makemessages -l de -l pl -l da --ignore=.venv --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/db.sqlite3 var/mail var/e2e
