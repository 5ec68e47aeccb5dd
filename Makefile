# `make run` and `make test` are the only two commands anyone needs (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-deps run test lint demo

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium drives the browser tests; Noto CJK renders Japanese in its screenshots;
# LibreOffice Calc recalculates the exported workbook's formulas in the export tests.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1 \
		|| ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
			chromium fonts-noto-cjk libreoffice-calc-nogui >/dev/null; \
	fi

run: setup
	$(VENV)/bin/streamlit run app.py

test: setup system-deps
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .

# Regenerate the bundled demo data (deterministic).
demo: setup
	$(PY) -m phasekpi demo --out data/demo --seed 7

# Scale benchmark (bench/results.md); e.g. make bench BENCH_ARGS="--sizes 10k,100k,1m,10m"
.PHONY: bench load
bench: setup
	$(PY) -m bench $(BENCH_ARGS)

# Load test: 20 browser sessions at once on the 1M-row dataset (bench/load.md); e.g. LOAD_ARGS="--sessions 5"
load: setup system-deps
	$(PY) -m bench.load $(LOAD_ARGS)
