# `make run` starts the whole system on embedded defaults; `make test` runs the whole suite.
# Both create the virtualenv and install the project first when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run sim test test-unit test-integration test-e2e bench clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/trading-system up

sim: $(INSTALLED)
	$(BIN)/trading-system sim

test: $(INSTALLED)
	$(BIN)/pytest -q

test-unit: $(INSTALLED)
	$(BIN)/pytest -q tests/unit

test-integration: $(INSTALLED)
	$(BIN)/pytest -q tests/integration

test-e2e: $(INSTALLED)
	$(BIN)/pytest -q tests/e2e

bench: $(INSTALLED)
	$(BIN)/python bench/matching_engine.py
	$(BIN)/python -m bench.order_entry
	$(BIN)/python -m bench.md_fanout
	$(BIN)/python -m bench.tick_to_trade

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis *.egg-info
