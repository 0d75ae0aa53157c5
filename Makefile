# Everything runs inside a local virtual environment made from the system Python.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha1(open('pyproject.toml','rb').read()).hexdigest()[:10])")

.PHONY: install demo lint test bench-check durations fuzz templates examples clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m compileall -q generator  # bytecode even where PYTHONDONTWRITEBYTECODE is set: each gen starts faster
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## Build every bundled example into output/ (memo register kept in state/); the ones in
## examples/rejected/ carry real offices' mistakes and must be refused, with their error reports
demo: install
	$(BIN)/gen build examples/ --out output --state state
	$(BIN)/gen build examples/rejected/ --out output --state state; test $$? -eq 1

## ruff on generator/ and tests/, mypy on generator/, the layers' import contracts (all in pyproject.toml)
lint: install
	$(BIN)/ruff check generator tests
	$(BIN)/mypy
	$(BIN)/lint-imports

## Run the whole test suite in parallel, TEST_JOBS processes. See docs/testing.md for the markers and faster partial runs.
TEST_JOBS ?= 4
test: install
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile

## The benchmark scripts still run (small sizes, figures printed, never asserted); CI runs this after make test
bench-check: install
	$(BIN)/python -m pytest -q -n 2 -m benchmark tests/benchmarks

## Refresh tests/durations.txt (the seconds each test file takes; make test starts the heaviest first)
durations: install
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile --durations=0 -p no:cacheprovider \
		| $(BIN)/python tests/support/durations.py > tests/durations.txt.new && mv tests/durations.txt.new tests/durations.txt

## Type random values into workbook cells, many times over (GEN_FUZZ_EXAMPLES=…), on a fresh seed
fuzz: install
	GEN_FUZZ_EXAMPLES=$${GEN_FUZZ_EXAMPLES:-1000} $(BIN)/python -m pytest -q tests/xlsx/test_broken_workbooks.py -k random

## Regenerate the Word templates and blank workbooks, then the example workbooks
templates: install
	$(BIN)/python -m generator.documents.registry
	for k in $$($(BIN)/python -c "from generator.spec.kinds import KINDS; print(' '.join(KINDS))"); do \
		$(BIN)/gen template $$k -o templates/xlsx/$$k.xlsx --force; done

examples: templates
	$(BIN)/python -m generator.xlsx.examples

clean:
	rm -rf $(VENV) output/*/ state .pytest_cache .mypy_cache .ruff_cache
