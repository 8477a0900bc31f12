# Kaifang: `make demo` and `make test` are the two commands; everything else is a step of theirs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/kaifang_test_$(shell echo $$$$)
export PYTHONDONTWRITEBYTECODE := 1

# Find Python >= 3.12: $PYTHON, then python3.13/3.12 on PATH, then pyenv's installs.
PYTHON ?= $(shell for c in python3.12 python3.13 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: help demo test venv lock assets translations migrate-demo serve lint types checks audit-deps test-sqlite test-postgres clean

help:
	@echo "make demo   — install, build, load the Liaoning demo into var/ and serve on 127.0.0.1:$(PORT)"
	@echo "make test   — lint, types, checks, then the whole suite on SQLite and on PostgreSQL"

# Every package comes from the hashed lock file (pip refuses any file whose hash differs); the
# project itself is installed on top without touching the locked set. `make lock` regenerates both
# lock files from pyproject.toml (runtime: requirements.lock; with the dev tools: requirements-dev.lock).
LOCK := requirements-dev.lock
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.12 --no-header -q

$(BIN)/.installed: pyproject.toml $(LOCK)
	@if [ -z "$(PYTHON)" ]; then echo "Kaifang needs Python 3.12 or newer: install it (e.g. pyenv install 3.12) or run 'make PYTHON=/path/to/python3.12 ...'." >&2; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	mkdir -p var
	touch $@

venv: $(BIN)/.installed

lock: venv
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: venv node_modules/.package-lock.json
	$(BIN)/python scripts/copy_assets.py

translations: venv
	$(BIN)/kaifang compilemessages -v0 --ignore=.venv --ignore=node_modules

# The demo lives in early July 2018: task lights and reminders read this date (kaifang.core.clock).
migrate-demo demo: export KAIFANG_DEMO_TODAY ?= 2018-07-05
migrate-demo: venv assets translations
	mkdir -p var
	rm -f var/kaifang.sqlite3 var/kaifang.sqlite3-wal var/kaifang.sqlite3-shm
	$(BIN)/kaifang migrate -v0
	$(BIN)/kaifang collectstatic --noinput -v0
	$(BIN)/kaifang load_demo

demo: migrate-demo
	@echo "Kaifang is at http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server and the task worker)"
	@$(BIN)/kaifang worker --interval 5 --no-reload > var/worker.log 2>&1 & echo $$! > var/worker.pid; \
	trap 'kill $$(cat var/worker.pid) 2>/dev/null' EXIT INT TERM; \
	KAIFANG_REQUIRE_2FA=$${KAIFANG_REQUIRE_2FA:-0} $(BIN)/gunicorn kaifang.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile - --log-level warning

lint: venv
	$(BIN)/ruff check kaifang bench scripts conftest.py
	$(BIN)/ruff format --check kaifang bench scripts conftest.py

types: venv
	$(BIN)/mypy kaifang

checks: venv assets translations
	$(BIN)/kaifang makemigrations --check --dry-run -v1
	KAIFANG_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) KAIFANG_HTTPS=1 KAIFANG_ALLOWED_HOSTS=kaifang.example.gov.cn \
	  $(BIN)/kaifang check --deploy --fail-level WARNING

audit-deps: venv
	$(BIN)/python -m kaifang.security.pip_audit

test-sqlite: venv assets translations
	$(BIN)/pytest

test-postgres: venv assets translations
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

test: lint types checks audit-deps test-sqlite test-postgres
	@echo "All checks passed on SQLite and PostgreSQL."

clean:
	rm -rf $(VENV) var node_modules kaifang/static/vendor
