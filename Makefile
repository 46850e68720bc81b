# Jimu — `make run` serves the app, `make test` runs the whole suite (SQLite), `make test-pg` on PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1/jimu_test
RUNTIME_DEBS := fonts-noto-cjk libharfbuzz-subset0
TEST_DEBS := $(RUNTIME_DEBS) chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-pg lint format bench deps frontend sysdeps sysdeps-test clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

deps: $(BIN)/.installed frontend

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

jimu/platform/static/vendor/.copied: frontend/node_modules/.package-lock.json scripts/vendor.sh
	scripts/vendor.sh
	touch $@

frontend: jimu/platform/static/vendor/.copied

sysdeps:
	@scripts/system-deps.sh $(RUNTIME_DEBS)

sysdeps-test:
	@scripts/system-deps.sh $(TEST_DEBS)

run: deps sysdeps
	$(BIN)/jimu migrate
	$(BIN)/jimu bootstrap-admin
	$(BIN)/jimu serve --host $(HOST) --port $(PORT)

test: deps sysdeps-test
	$(BIN)/pytest

test-pg: deps sysdeps-test
	$(BIN)/python scripts/pg_createdb.py "$(PG_URL)"
	JIMU_DATABASE_URL="$(PG_URL)" $(BIN)/pytest

lint: deps
	$(BIN)/ruff check jimu tests bench
	$(BIN)/ruff format --check jimu tests bench
	$(BIN)/mypy

format: deps
	$(BIN)/ruff format jimu tests bench
	$(BIN)/ruff check --fix jimu tests bench

bench: deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) frontend/node_modules jimu/platform/static/vendor
