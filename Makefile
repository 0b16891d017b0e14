# Alongside — `make demo` to try it, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: demo test install lint architecture types migrations-check unit postgres bench serve lock clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/alongside migrate --noinput
	$(BIN)/alongside demo
	@# The worker sends queued emails (invitations); it stops with the server.
	$(BIN)/alongside worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/alongside runserver 127.0.0.1:8000

serve: install
	$(BIN)/alongside runserver 127.0.0.1:8000

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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
