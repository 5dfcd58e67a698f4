# Hamkke: `make run` to start the assistant, `make test` to test it.
# Every target sets up what it needs on first use; run `make help` for the list.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
# Settings from .env (see .env.example), when there is one.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' .env)
endif

.DEFAULT_GOAL := help
.PHONY: help setup model db run run-scaled chat user test test-fast validate lint types fuzz eval langid bench bench-handoff bench-publish bench-load lock clean browser export

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## Create the environments and install pinned dependencies (once)
	@bash scripts/setup.sh

model: setup ## Train the Rasa model if it is missing or older than its data
	@$(PY) -m hamkke.training

db: setup ## Migrate and seed the database
	@$(PY) -m hamkke.db.setup

export: setup ## Write the database's content (admins' edits) back to data/, the catalogs and nlu/ for review
	@$(PY) -m hamkke.export

run: model ## Start the whole assistant (SQLite, one machine) on 127.0.0.1:8000
	@$(PY) -m bot.launcher

run-scaled: model ## Start the scaled topology on this machine: 2 gateways, 2 Rasa servers, local PostgreSQL and Redis
	@$(PY) -m bot.launcher --scaled

chat: setup ## Talk to the running assistant in this terminal
	@$(PY) -m bot.chat

user: setup ## Create a console account: make user NAME=… ROLE=staff|admin (password asked, or HAMKKE_USER_PASSWORD)
	@if [ -z "$(NAME)" ] || [ -z "$(ROLE)" ]; then echo "usage: make user NAME=kim ROLE=staff|admin" >&2; exit 2; fi
	@$(PY) -m hamkke.accounts "$(NAME)" "$(ROLE)"

browser: ## Install Debian's chromium for the browser tests (once; needs root or sudo)
	@bash scripts/browser.sh

test: model browser ## Run the whole test suite (lint, types, unit, Rasa data, end to end, browser)
	@$(PY) -m ruff check .
	@$(PY) -m mypy hamkke bot actions
	@$(PY) -m pytest

# make fuzz EXAMPLES=300: more generated requests per operation and kind (make test sends 4).
EXAMPLES ?= 100
fuzz: model ## Fuzz every endpoint (Schemathesis) for longer than make test does; prints what it found
	@HAMKKE_FUZZ_EXAMPLES=$(EXAMPLES) $(PY) -m pytest tests/test_fuzz.py -s -p no:cacheprovider

test-fast: setup ## Run the tests that need no running assistant
	@$(PY) -m pytest -m "not e2e"

validate: setup ## Validate the Rasa training data and domain
	@.venv-rasa/bin/rasa data validate --data nlu stories --fail-on-warnings

lint: setup ## Lint with ruff
	@$(PY) -m ruff check .

types: setup ## Type-check with mypy
	@$(PY) -m mypy hamkke bot actions

# make eval FRACTION=0.25 trains both pipelines on the same stratified quarter
# of the training data instead (the default pipeline needs hours for all of it).
FRACTION ?= 1
SAMPLE := sample-$(subst .,_,$(FRACTION))
eval: model ## Train Hamkke and rasa init's default pipeline; score both on the held-out set
ifeq ($(FRACTION),1)
	@$(PY) -m hamkke.training --config bench/rasa-init-config.yml --name plain-rasa
	@.venv-rasa/bin/python -m bench.nlu_eval models/hamkke.tar.gz models/plain-rasa.tar.gz
else
	@$(PY) -m bench.sample --fraction $(FRACTION) --out models/$(SAMPLE)/nlu
	@$(PY) -m hamkke.training --data models/$(SAMPLE)/nlu stories --name hamkke-$(SAMPLE)
	@$(PY) -m hamkke.training --config bench/rasa-init-config.yml --data models/$(SAMPLE)/nlu stories \
		--name plain-rasa-$(SAMPLE)
	@.venv-rasa/bin/python -m bench.nlu_eval models/hamkke-$(SAMPLE).tar.gz models/plain-rasa-$(SAMPLE).tar.gz
endif

langid: setup ## Language-ID accuracy on short messages, beside langdetect
	@$(PY) -m bench.langid

bench: model ## Benchmark the assistant against plain Rasa (prints a table)
	@$(PY) -m bench.run

bench-load: setup ## Throughput and latency of the running assistant at 1 and 10 residents (needs make run)
	@$(PY) -m bench.load

bench-publish: setup ## Publishing: answer edit to live, and a retraining's swap as residents notice it (needs make run)
	@$(PY) -m bench.publish

bench-handoff: setup ## Hand-off latency: resident message to console, staff reply to Telegram (prints a table)
	@$(PY) -m bench.handoff

lock: ## Re-pin requirements/*.lock from requirements/*.in (needs network)
	@bash scripts/lock.sh

clean: ## Remove environments, models, databases and logs
	rm -rf .venv .venv-rasa models var .pytest_cache .mypy_cache .ruff_cache
