# Two commands: `make run` starts Rapport on the embedded SQLite demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The scorer's hot modules compiled with mypyc, and its C phrase walk (scoring.native); rebuilt whenever the
# package's source changes.
$(VENV)/.compiled: $(wildcard scoring/*.py scoring/*.c) $(VENV)/.installed
	$(BIN)/python -m scoring compile
	touch $@

run: $(VENV)/.installed $(VENV)/.compiled
	$(BIN)/streamlit run app.py

test: $(VENV)/.installed-dev $(VENV)/.compiled
	$(BIN)/python -m pytest $(PYTEST_ARGS)
