# gtcode: the two setup commands live here (see README.md).
#   make demo   create .venv, install gtcode, run it on data/sample/ and say where the outputs are
#   make test   create .venv, install gtcode with its test dependencies, run the whole suite

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out

.PHONY: demo test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,embed,dask]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/gtcode run data/sample --cases data/sample/cases.csv --out $(OUT)

test: install
	bash scripts/test-setup.sh
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_import.py --mb 50
	$(BIN)/python benchmarks/bench_rule_coding.py --mb 50

clean:
	rm -rf $(VENV) $(OUT) build dist src/*.egg-info
