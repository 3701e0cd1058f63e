# GovApp Registry — `make run` starts the embedded system, `make test` runs the whole suite.
# Both set up everything first: Debian packages (as root), the virtualenv, translations.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?= -n auto
PG_URL ?= postgres://postgres@127.0.0.1:5432/govapp
PO_FILES := $(wildcard src/govapp/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test test-postgres setup system-deps samples vendor lint bench bench-scale bench-detection clean

run: setup
	$(BIN)/govapp serve --addr $(ADDR)

test: setup samples
	$(BIN)/pytest $(PYTEST_ARGS)

# The same suite against PostgreSQL (CI runs it after `make test`).
test-postgres: setup samples
	DATABASE_URL=$(PG_URL) GOVAPP_SECRET_KEY=test-only-not-secret $(BIN)/pytest $(PYTEST_ARGS)

setup: system-deps $(STAMP) $(MO_FILES) vendor

# ECharts for the statistics charts, from the npm registry into static/vendor/ (not committed).
vendor:
	@bash scripts/vendor-echarts.sh

system-deps:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q src >/dev/null  # the first `govapp scan` then starts without compiling
	touch $(STAMP)

src/govapp/locale/%/LC_MESSAGES/django.mo: src/govapp/locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

# Real open-source APKs from Debian's androguard package, for the corpus tests (not committed).
samples:
	@bash scripts/fetch-androguard-examples.sh

# mypy's Django plugin imports the settings, which want a secret key when DATABASE_URL is set.
# lint-imports checks the layers and the other import contracts of pyproject.toml.
lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	GOVAPP_SECRET_KEY=lint-only-not-secret $(BIN)/mypy src/govapp
	$(BIN)/lint-imports --no-cache
	$(BIN)/govapp makemigrations --check --dry-run

bench: setup samples
	$(BIN)/python bench/run_all.py

# National scale on PostgreSQL (docs/benchmarks.md): generate SCALE_APPS apps into BENCH_DB (dropped and made
# again), then the tick, the register and the public API against a bare view.
SCALE_APPS ?= 100000
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/govapp_bench
bench-scale: setup
	DATABASE_URL=$(BENCH_DB) GOVAPP_SECRET_KEY=bench-only-not-secret PYTHONPATH=src $(BIN)/python bench/registry_data.py --apps $(SCALE_APPS) --reset
	psql "$(BENCH_DB)" -qc ANALYZE
	DATABASE_URL=$(BENCH_DB) GOVAPP_SECRET_KEY=bench-only-not-secret PYTHONPATH=src $(BIN)/python bench/tick.py
	DATABASE_URL=$(BENCH_DB) GOVAPP_SECRET_KEY=bench-only-not-secret GOVAPP_PUBLIC_RATE_LIMIT=1000000000 PYTHONPATH=src $(BIN)/python bench/register_pages.py --cold
	DATABASE_URL=$(BENCH_DB) GOVAPP_SECRET_KEY=bench-only-not-secret GOVAPP_PUBLIC_RATE_LIMIT=1000000000 PYTHONPATH=src $(BIN)/python bench/register_pages.py
	DATABASE_URL=$(BENCH_DB) GOVAPP_SECRET_KEY=bench-only-not-secret PYTHONPATH=src $(BIN)/python bench/public_api.py
	DATABASE_URL=$(BENCH_DB) GOVAPP_SECRET_KEY=bench-only-not-secret GOVAPP_PUBLIC_CACHE_SECONDS=0 PYTHONPATH=src $(BIN)/python bench/public_api.py

# Detection quality on the labelled real projects; their code lives outside the checkout
# ($$GOVAPP_CORPUS_DIR, default /var/tmp/govapp-corpus): a missing folder is named with how to bring it.
# DETECTION_ARGS=--write-docs updates docs/benchmarks.md.
bench-detection: setup
	$(BIN)/python bench/detection.py $(DETECTION_ARGS)

clean:
	rm -rf $(VENV) var/cache .pytest_cache
