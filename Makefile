# Two commands: `make run` (server with the demo event) and `make test` (the whole suite).
# Both create a local virtualenv in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint bench screenshots clean

$(BIN)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $@

run: $(BIN)/.installed
	$(BIN)/voting serve

# Browser tests run in their own pytest process (see docs/testing.md).
test: $(BIN)/.installed
	$(BIN)/python -m pytest tests --ignore=tests/e2e
	$(BIN)/python -m pytest tests/e2e

lint: $(BIN)/.installed
	$(BIN)/ruff check voting tests bench
	$(BIN)/mypy

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py $(ARGS)

screenshots: $(BIN)/.installed
	VOTING_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e -k screenshots

clean:
	rm -rf $(VENV) *.egg-info build
