# Two commands do everything: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed

.PHONY: run serve worker test lint install migrate model seed bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(FLASK) db upgrade

model: migrate
	$(FLASK) triage train --if-missing

seed: migrate model
	$(FLASK) demo seed

## Set everything up and serve the back-office on http://127.0.0.1:5000
run: seed
	@echo ""
	@echo "  Moderation queue: http://127.0.0.1:5000"
	@echo "  Demo sign-ins (demo only):"
	@echo "    midwife     midwife@example.org     demo-midwife-2026"
	@echo "    supervisor  supervisor@example.org  demo-supervisor-2026"
	@echo "    supervisor  supervisor2@example.org demo-supervisor2-2026 (approves snippet changes)"
	@echo "      (a supervisor sets up an authenticator app at first sign-in)"
	@echo "  Demo public page: http://127.0.0.1:5000/pages/after-a-miscarriage"
	@echo ""
	@# The outbox worker (and, unless SMTP_HOST is set, a local mail server that prints the
	@# alerts here) run beside the web server and stop with it.
	@pids=""; \
	if [ -z "$$SMTP_HOST" ]; then \
	  echo "  Local mail server on 127.0.0.1:1025: alert emails are printed below"; \
	  $(BIN)/python -m aiosmtpd -n -l 127.0.0.1:1025 & pids="$$!"; \
	fi; \
	$(FLASK) worker & pids="$$pids $$!"; \
	trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	SESSION_COOKIE_SECURE=0 $(FLASK) run --host 127.0.0.1 --port 5000

## The outbox worker alone (production: its own process, see docs/alerts.md)
worker: migrate
	$(FLASK) worker

## Production-style serving with gunicorn (set DATABASE_URL and SECRET_KEY first)
serve: migrate model
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

## Ruff, then module size and function complexity (scripts/check_complexity.py)
lint: install
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_complexity.py

## Lint, then the whole suite (SQLite always; PostgreSQL too when TEST_DATABASE_URL is set),
## on TEST_WORKERS pytest-xdist workers (each with its own databases; TEST_WORKERS=0: one process)
# Bytecode caching on even if PYTHONDONTWRITEBYTECODE is set: each worker would otherwise
# recompile and assertion-rewrite every test module again, some seconds per worker and run.
# Worksteal: an idle worker takes queued tests from the busy one, so the slow tail is shared.
TEST_WORKERS ?= 2
test: lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.bench_classifier

clean:
	rm -rf $(VENV) .pytest_cache instance/moderation.db*
