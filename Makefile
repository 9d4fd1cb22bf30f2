# Two commands on a fresh machine: `make run` (the app) and `make test` (the suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
DATA   ?= ../shared/data

.PHONY: run test bench reliability venv clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install -q -r bench/requirements.txt
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench --data $(DATA)

reliability: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.reliability --data $(DATA)

clean:
	rm -rf $(VENV) build *.egg-info
