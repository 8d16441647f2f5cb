# The one entry point: README and CI use these targets.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# A local development configuration; production sets DJANGO_SECRET_KEY instead.
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run port-free serve venv install install-dev migrate demo index editor worker test lint check clean bench bench-quick bench-growth bench-load api-contract soak eval-intake bench-intake messages bench-research eval-relevance replica-demo bench-load-replica bench-engines

# The port is checked first, so a busy one costs one sentence and no installing.
run: port-free install migrate demo index serve

port-free:
	@$(if $(shell $(PYTHON) config/ports.py $(HOST) $(PORT) 2>/dev/null),$(error $(shell $(PYTHON) config/ports.py $(HOST) $(PORT))),:)

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python

# Running the site needs requirements.txt only; tests, lint and benchmarks add the dev set.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_demo

index: install
	$(DEV_ENV) $(BIN)/python manage.py rebuild_index --noinput
	$(DEV_ENV) $(BIN)/python manage.py rebuild_reuse -v0

# The web server and the single index worker side by side; Ctrl-C stops both, quietly.
serve: install
	@exec env $(DEV_ENV) $(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

# An account for the admin (a superuser; add others to the "Editors" group there).
editor: migrate
	$(DEV_ENV) $(BIN)/python manage.py createsuperuser

worker: install
	$(DEV_ENV) $(BIN)/python manage.py index_worker

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The JSON API against its OpenAPI schema (schemathesis) on a scratch server with the demo data.
api-contract: install-dev
	bash tests/api_contract.sh

# Benchmarks on the real UNGDC corpus (../shared/data/ungdc); never part of `make test` or CI.
# Scratch databases and indexes live in var/bench/ and are reused while corpus and code are
# unchanged.  bench-load needs wrk: apt-get install -y wrk.  See bench/README.md.
# ENGINE=postgres runs bench-growth and bench-engine on PostgreSQL databases of their own
# (bench_<set> on BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432).
ENGINE ?= whoosh

# ENGINE=postgres: the full UN corpus in PostgreSQL, searched by the PostgreSQL engine (RUM) and
# Whoosh side by side in one run, with the PostgreSQL engine's targets (bench/engines.py).
bench: install-dev
ifeq ($(ENGINE),postgres)
	BENCH_ENGINE=postgres $(BIN)/python bench/engines.py --configs rum whoosh $(BENCH_ARGS)
else
	$(BIN)/python bench/harness.py $(BENCH_ARGS)
endif

bench-quick: install-dev
	$(BIN)/python bench/harness.py --quick $(BENCH_ARGS)

bench-growth: install-dev
	BENCH_ENGINE=$(ENGINE) $(BIN)/python bench/growth.py $(BENCH_ARGS)

# The full UN corpus in PostgreSQL, searched by both engines side by side (and GIN vs RUM).
bench-engines: install-dev
	BENCH_ENGINE=postgres $(BIN)/python bench/engines.py $(BENCH_ARGS)

bench-research: install-dev
	$(BIN)/python bench/research.py $(BENCH_ARGS)

bench-load: install-dev
	$(BIN)/python bench/load.py $(BENCH_ARGS)

# The same load on a scratch PostgreSQL primary and one streaming replica (root or sudo; the
# clusters are removed at the end, also after a failure).  The corpus is imported each time.
bench-load-replica: install-dev
	@bash -c 'set -e; export ARCHIVE_REPLICA_CLUSTER=$$PWD/var/replica-bench.env \
	    ARCHIVE_REPLICA_NAME=archive_bench; \
	  trap "bash tests/replica/cluster.sh down" EXIT; \
	  bash tests/replica/cluster.sh up; \
	  $(BIN)/python bench/load.py --replica "$$ARCHIVE_REPLICA_CLUSTER" $(BENCH_ARGS)'

# Four editors for 60 s while the index worker runs, and the worker killed mid-batch; prints
# the save times (the suite runs the same test for 10 s).
soak: install-dev
	ARCHIVE_CONCURRENCY_SECONDS=$${ARCHIVE_CONCURRENCY_SECONDS:-60} $(BIN)/python -m pytest -s \
	  tests/test_concurrency.py tests/test_crash_recovery.py $(PYTEST_ARGS)

# Read replicas by hand (README, "Read replicas"): a scratch primary and a streaming replica
# on free ports, the site in front of both, the replica test's steps with what each measures,
# and the clusters removed at the end, even after a failure.  Needs root or sudo.
replica-demo: install-dev
	@bash -c 'set -e; \
	  trap "echo; echo \"== 3. Removing both clusters (tests/replica/cluster.sh down)\"; \
	        bash tests/replica/cluster.sh down" EXIT; \
	  echo "== 1. A scratch primary and a streaming replica of it (tests/replica/cluster.sh up)"; \
	  bash tests/replica/cluster.sh up; bash tests/replica/cluster.sh status; \
	  echo; echo "== 2. The site on both, step by step (tests/test_replica_cluster.py):"; \
	  echo "   served from the replica; lag measured; a lagging replica left out; an editor"; \
	  echo "   reads their own save; replica stopped; primary stopped; replica promoted"; \
	  ARCHIVE_REPLICA_CLUSTER=$$PWD/var/replica-cluster.env \
	    $(BIN)/python -m pytest -m replica -s -v -p no:cacheprovider tests/test_replica_cluster.py'

# The press-release importer on its development set (tests/data/intake): accuracy per field.
eval-intake: install
	$(BIN)/python bench/eval_intake.py $(EVAL_ARGS)

# Search quality on the UN corpus: known items and judged topical queries, per engine
# (ENGINES="whoosh ..." or EVAL_ARGS="--engines ..."); figures kept in var/bench/relevance.json.
eval-relevance: install-dev
	$(BIN)/python bench/relevance.py $(EVAL_ARGS)

# The importer's time on large pastes (linear, under the page cap).
bench-intake: install
	$(BIN)/python bench/intake_speed.py

# The Arabic interface's catalogue: collect the marked strings into locale/ar/LC_MESSAGES/django.po
# (makemessages, with the project's options in config/i18n.py), then compile the .mo, which is
# committed so that `make run` needs no gettext.  Needs GNU gettext (apt-get install gettext).
messages: install
	$(DEV_ENV) $(BIN)/python manage.py messages

lint: install-dev
	$(BIN)/ruff check .

check: install
	$(DEV_ENV) $(BIN)/python manage.py check
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf var/whoosh var/archive.sqlite3* .pytest_cache
