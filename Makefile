# mailtally: `make demo` runs the sample inbox, `make test` runs the whole suite.
# Both create .venv and install what is missing; `make test` also installs the system packages the
# tests need (Dovecot, Chromium, chromedriver) when it runs as root on a machine with apt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all install demo test system-deps lint typecheck bench clean

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python run.py demo

system-deps:
	@sh scripts/install-system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/python -m pytest

bench: install system-deps
	$(BIN)/python bench/matching.py

clean:
	rm -rf $(VENV) demo build *.egg-info .pytest_cache .mypy_cache .ruff_cache
