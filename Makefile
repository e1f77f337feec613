# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python -m channelsim.aot || true  # without a C compiler: one warning, runs use the JIT
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/channelsim demo --out channelsim-demo --force
	$(BIN)/channelsim report channelsim-demo -o channelsim-demo/report.html

test: $(STAMP)
	./.ci/install-chromium || echo "warning: could not install chromium; the report rendering tests will be skipped"
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n 2

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
