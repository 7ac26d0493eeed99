# Microcred — `make run` to try it, `make test` for the whole suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := bin/uv
PY := $(UV) run --frozen python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails and the seed's summary point at the server `make run` starts.
SITE_URL ?= http://$(HOST):$(PORT)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/microcred
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# pytest-xdist processes (each gets its own test database: <name>_gw0, ...).
TEST_WORKERS ?= 2

.PHONY: run test lint format bench worker beat sync migrate demo services browsers clean

.venv/.synced: pyproject.toml uv.lock .python-version
	$(UV) sync --frozen
	@touch $@

sync: .venv/.synced

migrate: sync
	@mkdir -p var/mail
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) credentials_keys ensure
	SITE_URL=$(SITE_URL) $(MANAGE) seed_demo

## run: set up everything and serve on http://$(HOST):$(PORT) (SQLite, eager Celery)
run: demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} SITE_URL=$(SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

## test: lint, migrations check and the whole suite on PostgreSQL and Redis
test: sync lint browsers
	DJANGO_SETTINGS_MODULE=microcred.settings.test DATABASE_URL=$(TEST_DATABASE_URL) \
		REDIS_URL=$(TEST_REDIS_URL) $(MANAGE) makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(UV) run --frozen pytest -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

## browsers: the npm test tools (axe-core, the Digital Bazaar verifier)
browsers: node_modules/.package-lock.json

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: sync
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

bench: sync
	$(PY) -m bench

worker: migrate
	$(UV) run --frozen celery -A microcred worker -Q celery,pdf -l info

beat: migrate
	$(UV) run --frozen celery -A microcred beat -l info

clean:
	rm -rf .venv var node_modules
