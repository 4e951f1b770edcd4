# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_REPORTS ?= 300
PYTEST_WORKERS ?= 2

.PHONY: bench install browser run test test-sqlite test-postgres test-redis lint migrations-check clean

$(VENV)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Debian's Chromium for the real-browser tests (Playwright never downloads one).
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v openssl >/dev/null || { \
	  echo "Installing openssl: the HTTPS photo-download test makes a certificate"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }

# The demo: migrate, load Jakarta's reference data and demo data, then serve the
# web app and a worker on http://127.0.0.1:$(PORT). Safe to run again.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py seed_demo --reports $(DEMO_REPORTS) --only-if-empty
	$(BIN)/python manage.py rebuild_map_cells --if-empty
	$(BIN)/python manage.py rebuild_aggregates --if-empty
	PORT=$(PORT) scripts/serve.sh

# The whole suite on SQLite, then on a PostgreSQL 15 started for the occasion.
test: install browser
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres
	$(MAKE) test-redis

# --dist loadgroup: tests marked xdist_group share one worker (and its set-up).
# The browser journeys keep a screenshot of each step under test-artifacts/.
test-sqlite: install
	env -u DATABASE_URL WARGA_SCREENSHOTS=test-artifacts/screenshots/sqlite \
	  $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -p no:cacheprovider

test-postgres: install
	WARGA_SCREENSHOTS=test-artifacts/screenshots/postgres scripts/with-postgres.sh \
	  $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -p no:cacheprovider

# Redis as the cache, the sessions and the task broker (scripts/with-redis.sh):
# tasks through a real Redis queue to a separate worker process, then the tests of
# tasks, sign-in links and rate limits. One process: each test empties Redis.
test-redis: install
	scripts/with-postgres.sh scripts/with-redis.sh $(BIN)/python -m pytest \
	  -p no:cacheprovider -p tests.config.redis_plugin \
	  tests/config/test_task_broker.py tests/test_project.py \
	  tests/complaints/test_workflow.py tests/complaints/test_webhooks.py \
	  tests/officers/test_sla.py tests/transparency/test_email_link.py \
	  tests/transparency/test_follows.py tests/transparency/test_rate_limits.py \
	  tests/transparency/test_login_security.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-* media

# Measured figures (see bench/): a million reports in PostgreSQL served by gunicorn
# under load (bench/city.py; the seeded database in .bench/ is reused), then the
# point lookup and photo pipeline on their own (bench/foundation.py).
bench: install
	$(BIN)/python bench/city.py
	$(BIN)/python bench/foundation.py
