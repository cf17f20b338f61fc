# Vững Bước — everyday commands. `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
DATA   ?= var
BIND   ?= 127.0.0.1:8000

.PHONY: help run install test-deps test screenshots bench bench-full quality clean

## List these targets and what they do (from the ## comments in this Makefile).
help:
	@awk '/^## /{sub(/^## /, ""); doc = doc (doc ? " " : "") $$0; next} \
		/^[a-zA-Z_-]+:/{if (doc) {split($$0, t, ":"); printf "  make %-12s %s\n", t[1], doc}; doc = ""; next} \
		{doc = ""}' $(firstword $(MAKEFILE_LIST))

$(VENV)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

## Create the virtualenv (.venv) and install the app into it.
install: $(VENV)/.installed

## Set up, apply pending migrations, load the bundled sample feeds (idempotent) and serve.
run: install
	VUNGBUOC_DATA_DIR=$(DATA) $(VENV)/bin/matcher db upgrade
	VUNGBUOC_DATA_DIR=$(DATA) $(VENV)/bin/indexer load --samples
	@echo "Vững Bước: http://$(BIND)/  (match API: POST http://$(BIND)/api/v1/matches)"
	VUNGBUOC_DATA_DIR=$(DATA) VUNGBUOC_BIND=$(BIND) $(VENV)/bin/gunicorn \
		-c config/gunicorn.conf.py matcher.wsgi:app

$(VENV)/.test-installed: $(VENV)/.installed setup.py
	$(PIP) install -q -e ".[test,postgres]"
	touch $@

## Install the test dependencies, and Debian's Chromium for the browser tests.
test-deps: $(VENV)/.test-installed
	tools/install_browser.sh

## Install the test dependencies (and Elasticsearch, Chromium) and run the whole suite.
test: test-deps
	$(PY) -m pytest $(PYTEST_ARGS)

## Retake the officer's guide's screenshots (docs/img/) with the browser tests.
screenshots: test-deps
	VUNGBUOC_SCREENSHOTS=docs/img $(PY) -m pytest -q tests/browser/test_guide.py

$(VENV)/.bench-installed: $(VENV)/.installed setup.py
	$(PIP) install -q -e ".[bench]"
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; } || \
		{ echo "bench: install Debian's wrk (apt-get install wrk) for the HTTP load" >&2; exit 1; }
	touch $@

## Benchmarks, quick mode (10k postings, embedded + Elasticsearch if provisionable; < 3 min
## once the corpus is cached): results under bench/results/.
bench: $(VENV)/.bench-installed
	$(PY) -m bench.run --quick

## Benchmarks at 10k, 100k and 1M postings (corpora cached in ~/.cache/vungbuoc/bench).
bench-full: $(VENV)/.bench-installed
	$(PY) -m bench.run --full

$(VENV)/.quality-installed: $(VENV)/.installed setup.py
	$(PIP) install -q -e ".[quality]"
	touch $@

## Ranking quality on the labelled dev set (../shared/eval/esco-dev.json, or
## VUNGBUOC_EVAL_SET): NDCG@10 beside TF-IDF and BM25, results under bench/results/.
quality: $(VENV)/.quality-installed
	$(PY) -m bench.quality

## Remove the virtualenv and the local data directory (var/): the data is lost.
clean:
	rm -rf $(VENV) $(DATA) .pytest_cache
