# Alongside — `make demo` to try it, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUNTIME_STAMP := $(VENV)/.runtime-stamp
PYTEST_WORKERS ?= 2
PORT ?= 8000
VAR := var

.PHONY: demo test install runtime lint architecture types migrations-check unit postgres bench bench-demo serve lock clean identity-providers messages

# What the app needs to run (`make demo`); the test and lint tools come with `make test`.
$(RUNTIME_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $(RUNTIME_STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $(RUNTIME_STAMP)

runtime: $(RUNTIME_STAMP)

install: $(STAMP)

# Serves the demo on http://127.0.0.1:$(PORT); the sign-ins are printed again once the
# server answers, so they do not scroll away under its log. The worker sends queued
# emails (invitations) and stops with the server.
demo: runtime
	$(BIN)/alongside migrate --noinput
	@mkdir -p $(VAR)
	$(BIN)/alongside demo --site-url http://127.0.0.1:$(PORT) > $(VAR)/demo-sign-ins.txt
	@cat $(VAR)/demo-sign-ins.txt
	@$(BIN)/alongside worker & worker=$$!; \
	  $(BIN)/python -m alongside.demo.announce http://127.0.0.1:$(PORT)/healthz $(VAR)/demo-sign-ins.txt & announce=$$!; \
	  trap 'kill $$worker $$announce 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/alongside runserver --noreload 127.0.0.1:$(PORT)

# Collect every marked string into the catalogues (alongside/locale/*/LC_MESSAGES/django.po)
# and compile them; the compiled .mo files are committed, so installing needs no gettext.
messages: install
	cd alongside && ../$(BIN)/alongside makemessages --all --add-location=file --no-obsolete
	cd alongside && ../$(BIN)/alongside compilemessages --ignore=.venv

serve: runtime
	$(BIN)/alongside runserver 127.0.0.1:$(PORT)

# The test OpenID provider (8101) and SAML identity provider (8102) the demo's Heron
# Health signs in with; the SAML one needs xmlsec1.
identity-providers: install
	$(BIN)/python -m tests.identity_providers

test: install lint architecture types migrations-check unit postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The apps' floors and the engine's independence (pyproject.toml, docs/architecture.md).
architecture: install
	$(BIN)/lint-imports

types: install
	$(BIN)/mypy alongside

migrations-check: install
	$(BIN)/alongside makemigrations --check --dry-run

unit: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

postgres: install
	$(BIN)/python -m tests.postgres_run -n $(PYTEST_WORKERS) -m "not e2e"

bench: install
	$(BIN)/python -m benchmarks.bench_people_import
	$(BIN)/python -m benchmarks.bench_matching
	$(BIN)/python -m benchmarks.bench_circles --case bounds-300
	$(BIN)/python -m benchmarks.bench_circles --case bounds-1000
	$(BIN)/python -m benchmarks.bench_circles --case sparse-vs-dense-5k
	$(BIN)/python -m benchmarks.bench_circles --case sparse-10k
	$(BIN)/python -m benchmarks.bench_circles --case determinism
	$(BIN)/python -m benchmarks.bench_circles --case app-default-5k
	$(BIN)/python -m benchmarks.bench_circles --case cli-50k
	$(BIN)/python -m benchmarks.bench_circles --case exact
	$(BIN)/python -m benchmarks.bench_match_run
	$(BIN)/python -m benchmarks.bench_dashboard
	$(BIN)/python -m benchmarks.bench_nudges
	$(BIN)/python -m benchmarks.bench_pages

# The container image's exact dependencies, with hashes (requirements.lock).
lock: install
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-header \
	  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host -o requirements.lock.new pyproject.toml
	{ printf '%s\n' "# The exact runtime dependencies of the container image, with their hashes." \
	  "# Generated from pyproject.toml by \`make lock\` (pip-compile --generate-hashes) for" \
	  "# Python 3.11, the image's; installed with \`pip install --require-hashes -r requirements.lock\`."; \
	  cat requirements.lock.new; } > requirements.lock && rm requirements.lock.new

# `make demo` from a fresh clone of HEAD, timed until the sign-ins show (target 90 s).
bench-demo: install
	$(BIN)/python -m benchmarks.bench_demo_setup

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
