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

.PHONY: help install neo4j neo4j-stop migrate demo run serve test lint typecheck pytest bench clean

help:
	@echo "make run     set up (venv, Neo4j, migrations, demo data) and serve on :8000"
	@echo "make test    set up, then ruff, mypy and the whole pytest suite"
	@echo "make bench   run the benchmarks (results go to bench/RESULTS.md)"
	@echo "make neo4j | neo4j-stop | migrate | demo | lint | typecheck | clean"

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
	$(POWERMAP) seed-demo

run: demo
	$(POWERMAP) serve

serve: install
	$(POWERMAP) serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy service

pytest: neo4j
	$(BIN)/pytest

test: lint typecheck pytest

bench: migrate
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
