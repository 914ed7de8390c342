# Shopsafe — the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test screenshots lint typecheck unit-sqlite unit-postgresql bench system-deps install install-test lock clean help

help:
	@echo "make demo   - install, create var/demo.db with the demo marketplace, serve on http://$(HOST):$(PORT)"
	@echo "make test   - lint, type-check, and the whole suite on SQLite and on PostgreSQL"
	@echo "make bench  - the benchmarks at full size (writes docs/benchmarks.md)"
	@echo "make screenshots - rewrite docs/screenshots/ from the browser tests"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Pinned installs: requirements/*.lock are the exact versions CI and the demo use.
$(VENV)/.installed-main: requirements/main.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements/main.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements/test.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@ $(VENV)/.installed-main

# axe-core for the accessibility checks of the browser tests (injected into pages; no build).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed-main
install-test: $(VENV)/.installed-test node_modules/.installed

demo: install
	SHOPSAFE_DATABASE_URL=$${SHOPSAFE_DATABASE_URL:-sqlite:///var/demo.db} $(BIN)/shopsafe demo --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/system-deps.sh

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-test
	$(BIN)/mypy src

test: system-deps install-test lint typecheck
	@echo "=== test suite on SQLite ==="
	$(BIN)/python -m pytest
	@echo "=== test suite on PostgreSQL ==="
	@pgdir=$$(mktemp -d /tmp/shopsafe-pg.XXXXXX); chmod 755 $$pgdir; \
	url=$$(bash scripts/pg.sh start $$pgdir) || exit 1; \
	trap "bash scripts/pg.sh stop $$pgdir" EXIT; \
	SHOPSAFE_TEST_DATABASE_URL=$$url $(BIN)/python -m pytest
	@echo "=== benchmarks at tiny size ==="
	$(BIN)/python bench/run.py --tiny

# Rewrites the README's pictures in docs/screenshots/ from the browser tests.
screenshots: system-deps install-test
	SHOPSAFE_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e -q

bench: system-deps install-test
	$(BIN)/python bench/run.py

lock:
	rm -rf /tmp/shopsafe-lock && $(PYTHON) -m venv /tmp/shopsafe-lock
	/tmp/shopsafe-lock/bin/pip install -q . && /tmp/shopsafe-lock/bin/pip freeze | grep -vi '^shopsafe' > requirements/main.lock
	/tmp/shopsafe-lock/bin/pip install -q '.[test]' && /tmp/shopsafe-lock/bin/pip freeze | grep -vi '^shopsafe' > requirements/test.lock

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
