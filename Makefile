# Two commands on a fresh machine: `make run` (the app) and `make test` (the suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
DATA   ?= ../shared/data
# The benchmark's anchors (geopandas, matplotlib…) get a venv of their own with the app installed
# into it: in .venv they would slow the app a person runs (sqlite-utils imports pandas when it can).
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed-$(shell cat setup.cfg pyproject.toml bench/requirements.txt | cksum | cut -d' ' -f1)

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

# The whole suite offscreen, then the GUI tests again on a real X server (Xvfb): shortcuts,
# focus and window activation behave there as on a Linux desktop, not as offscreen.
XVFB := xvfb-run -a -s "-screen 0 1600x1000x24"

test: $(STAMP)
	@command -v xvfb-run >/dev/null || { echo "make test: xvfb-run not found; install xvfb and xauth" \
	  "(apt-get install xvfb xauth): the GUI tests also run under a real X server" >&2; exit 1; }
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	$(XVFB) env QT_QPA_PLATFORM=xcb $(BIN)/python -m pytest -m gui

$(BENCH_STAMP):
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q -e . -r bench/requirements.txt
	rm -f $(BENCH_VENV)/.installed-*
	touch $(BENCH_STAMP)

# The finer layers bench_scale measures are made once and kept in ~/.cache/partnership-atlas-bench.
# `make bench BENCH_ARGS=--quick` leaves out the 161k-unit layer.
BENCH_ARGS ?=

bench: $(BENCH_STAMP)
	QT_QPA_PLATFORM=offscreen $(BENCH_VENV)/bin/python -m bench --data $(DATA) $(BENCH_ARGS)

reliability: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.reliability --data $(DATA)

clean:
	rm -rf $(VENV) $(BENCH_VENV) build *.egg-info
