# `make demo` and `make test` set up their own environment in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
CLI    := $(VENV)/.installed-cli
OUT    := demo-output

.PHONY: demo test lint types bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

# The demo installs only the cli extra (no test or dask tooling), to start fast.
$(CLI): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[cli]"
	touch $(CLI)

demo: $(CLI)
	@mkdir -p $(OUT)
	$(BIN)/facetcare diagram -o $(OUT)/pathway.mmd
	@if command -v dot >/dev/null 2>&1; then \
		$(BIN)/facetcare diagram -o $(OUT)/pathway.png; \
	else \
		echo "(no Graphviz dot here: no pathway.png; $(OUT)/pathway.mmd renders on GitHub or mermaid.live)"; \
	fi
	$(BIN)/facetcare simulate -n 20000 --seed 1 --region lumbar --policy seed \
		--compare medicare-l38803 --workers 2 \
		--csv $(OUT)/cohort.csv --plot $(OUT)/cohort.png
	@echo
	@echo "Demo output in $(OUT)/:"
	@ls -1 $(OUT) | sed 's|^|  $(OUT)/|'

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks

types: $(STAMP)
	$(BIN)/mypy --strict src

test: lint types
	$(BIN)/python -m pytest -n 2 -q

# Not part of `make test` (which runs a short campaign, tests/test_fuzz_short.py):
# 100,000 seeded examples over documents, event logs, policies and event streams.
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py --examples 100000

# Not part of `make test`: about 7 minutes; `benchmarks/run.py --quick` takes ~30 s.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache .hypothesis
