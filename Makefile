# The two commands that matter on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: install demo test lint typecheck architecture suite suite-postgres bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/prakerja demo

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

architecture: install
	$(BIN)/lint-imports

# The slow tests (process kills, long property runs) run after the rest, in a process of their own.
suite: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q -m "not slow"
	$(BIN)/pytest -q -m slow

suite-postgres: install
	@if [ -n "$$PRAKERJA_TEST_DATABASE_URL" ]; then \
		echo "== test suite on PostgreSQL"; \
		$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q -m "not slow" && \
		$(BIN)/pytest -q -m slow; \
	else \
		echo "== PRAKERJA_TEST_DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

# Lint, types, architecture, then the suite on SQLite and (when configured) on PostgreSQL.
test: lint typecheck architecture
	@echo "== test suite on SQLite (embedded default)"
	env -u PRAKERJA_TEST_DATABASE_URL $(MAKE) --no-print-directory suite
	$(MAKE) --no-print-directory suite-postgres

bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo-output bench/work .mypy_cache .ruff_cache .pytest_cache
