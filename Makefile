# Two commands for a fresh machine (Python 3.11, JDK 17, Maven; no Docker needed):
#   make run    set everything up and serve the API with the demo portfolio
#   make test   set everything up and run lint, types and the whole suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
POWERMAP := $(BIN)/powermap
# Downloads are cached outside the repo so a second set-up (and CI) is fast.
export PIP_CACHE_DIR ?= $(HOME)/.cache/pip
export POWERMAP_CACHE_DIR ?= $(HOME)/.cache/powermap
export npm_config_cache ?= $(HOME)/.cache/npm
# The org-chart widget: built from widget/ with esbuild, served by the API.
WIDGET_BUNDLE := service/widget/static/powermap-org-chart.js
WIDGET_SOURCES := $(wildcard widget/src/*.ts) widget/build.mjs widget/tsconfig.json
# The demo watch posts to the demo page's inbox on loopback: only `make demo` / `make run`
# put 127.0.0.1 on the webhook allow-list (docs/alerts.md, "Safety").
DEMO_WEBHOOK_HOSTS := ["127.0.0.1"]
# Origins of the demo page that `make run` serves next to the API (CORS, frame-ancestors).
POWERMAP_EMBED_ALLOWED_ORIGINS ?= ["http://127.0.0.1:8001","http://localhost:8001"]

.PHONY: help install neo4j neo4j-stop migrate demo run serve test lint typecheck pytest bench bench-ingest bench-sync bench-analytics bench-alerts bench-export bench-http wrk clean widget browser schemathesis

help:
	@echo "make run     set up (venv, Neo4j, migrations, demo data) and serve on :8000"
	@echo "make test    set up, then ruff, mypy and the whole pytest suite"
	@echo "make bench   run the benchmarks (results go to bench/RESULTS.md)"
	@echo "make neo4j | neo4j-stop | migrate | demo | lint | typecheck | clean"
	@echo "make schemathesis  fuzz the whole OpenAPI document (seeded, bounded) on the real Neo4j"
	@echo "make widget  build the org-chart widget;  make browser  install Debian's Chromium"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

neo4j: install
	$(POWERMAP) neo4j start

neo4j-stop: install
	$(POWERMAP) neo4j stop

migrate: neo4j
	$(POWERMAP) migrate

demo: migrate
	POWERMAP_ALERTS_WEBHOOK_ALLOWED_HOSTS='$(DEMO_WEBHOOK_HOSTS)' $(POWERMAP) seed-demo

run: demo widget browser
	@echo "API:       http://127.0.0.1:8000/docs"
	@echo "Demo page: http://127.0.0.1:8001/  (another origin; embeds the widget for each demo account)"
	@echo "Alerts:    http://127.0.0.1:8001/alerts  (what the demo watch's webhook delivered)"
	@$(POWERMAP) demo-page --port 8001 --api-base http://127.0.0.1:8000 & demo_page=$$!; \
	trap 'kill $$demo_page 2>/dev/null' EXIT INT TERM; \
	POWERMAP_EMBED_ALLOWED_ORIGINS='$(POWERMAP_EMBED_ALLOWED_ORIGINS)' \
	POWERMAP_ALERTS_WEBHOOK_ALLOWED_HOSTS='$(DEMO_WEBHOOK_HOSTS)' $(POWERMAP) serve

serve: install
	$(POWERMAP) serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy service

pytest: neo4j
	$(BIN)/pytest

test: widget browser lint typecheck pytest

# Schemathesis over every operation of /openapi.json (positive and negative cases, seeded,
# SCHEMATHESIS_EXAMPLES per operation and mode) against the app via ASGI on the real
# Neo4j, with a seeded graph and a real admin API key; no server error and no
# conformance failure allowed. The suite runs the same test with 4 examples.
SCHEMATHESIS_EXAMPLES ?= 60
schemathesis: migrate
	POWERMAP_SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider \
		tests/api/test_openapi_conformance.py

widget/node_modules/.package-lock.json: widget/package.json widget/package-lock.json
	cd widget && npm ci --no-audit --no-fund --ignore-scripts

$(WIDGET_BUNDLE): widget/node_modules/.package-lock.json $(WIDGET_SOURCES)
	cd widget && npm run --silent typecheck && npm run --silent build

widget: $(WIDGET_BUNDLE)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads one).
browser:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# Debian's wrk, the load generator of `make bench-http`.
wrk:
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)

bench: migrate widget browser wrk
	$(BIN)/python -m bench

# Empties the configured database, loads 100,000 synthetic stakeholders through the
# ingest path, records rows/s in bench/RESULTS.md; `make demo` reloads the demo after.
bench-ingest: migrate
	$(BIN)/python -m bench ingest

# Empties the configured database, syncs a 100,000-contact Salesforce export (written once
# to $(POWERMAP_CACHE_DIR)/bench) twice through `powermap sync salesforce`'s path: the first
# snapshot and an identical second; rows/s into bench/RESULTS.md; `make demo` reloads the demo.
bench-sync: migrate
	$(BIN)/python -m bench sync

# Empties the database: issue 12's alerts evaluation after a write touching 100 accounts
# with 20 watches, into bench/RESULTS.md; `make demo` reloads the demo.
bench-alerts: migrate
	$(BIN)/python -m bench alerts

# Empties the database: issue 3's analytics targets on a 5,000-stakeholder account and a
# 200,000-stakeholder portfolio, p50/p95 into bench/RESULTS.md; `make demo` reloads the demo.
bench-analytics: migrate
	$(BIN)/python -m bench analytics

# Empties the graph, loads the 100,000-stakeholder portfolio and runs `powermap export` in
# each format (graphml, gexf, json): wall time and peak memory (the process's max RSS)
# into bench/RESULTS.md; `make demo` reloads the demo.
bench-export: migrate
	$(BIN)/python -m bench export

# Issue 13's request-path throughput: the demo portfolio (loaded if missing, nothing
# emptied), Powermap against a bare FastAPI app and a bare one-lookup app, alternating,
# all on loopback with `powermap serve`'s default workers; req/s, p50, p99 and the ratios
# into bench/RESULTS.md.
bench-http: migrate wrk
	$(BIN)/python -m bench http

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
