# `make demo` and `make test` set up their own environment in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
CLI    := $(VENV)/.installed-cli
OUT    := demo-output
# The official FHIR JSON Schemas and value sets the FHIR tests check against,
# from the HL7 packages on the npm registry (FACETCARE_FHIR_SPEC points the tests here).
FHIR_SPEC     := $(VENV)/fhir-spec
FHIR_PACKAGES := hl7.fhir.r4b.core@4.3.0 hl7.fhir.r5.core@5.0.0 hl7.terminology.r4@7.0.1

.PHONY: demo test lint types bench fuzz clean fhir-spec

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

# The demo installs only the cli and store extras (no test or dask tooling), to start fast.
$(CLI): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[cli,store]"
	touch $(CLI)

demo: $(CLI)
	@mkdir -p $(OUT)
	$(BIN)/facetcare diagram -o $(OUT)/pathway.mmd
	@if command -v dot >/dev/null 2>&1; then \
		$(BIN)/facetcare diagram -o $(OUT)/pathway.png; \
	else \
		echo "(no Graphviz dot here: $(OUT)/report.html has the pathway drawn without it)"; \
	fi
	$(BIN)/facetcare simulate -n 2000 --replications 10 --seed 1 --region lumbar \
		--policy seed --compare medicare-l38803 --workers 2 \
		--csv $(OUT)/cohort.csv --plot $(OUT)/cohort.png --report $(OUT)/report.html
	$(BIN)/facetcare validate --replications 5 -n 1000 --seed 1 --workers 2 \
		--csv $(OUT)/validation.csv --plot $(OUT)/validation.png
	@echo
	$(BIN)/python examples/store_clinic.py $(OUT)/clinic.db
	@echo
	@echo "Demo output in $(OUT)/:"
	@ls -1 $(OUT) | sed 's|^|  $(OUT)/|'

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks

types: $(STAMP)
	$(BIN)/mypy --strict src

$(FHIR_SPEC)/.fetched:
	rm -rf $(FHIR_SPEC) && mkdir -p $(FHIR_SPEC)
	cd $(FHIR_SPEC) && set -e && for package in $(FHIR_PACKAGES); do \
		name=$${package%@*}; file=$$(npm pack --silent "$$package"); mkdir -p "$$name"; \
		tar -xzf "$$file" -C "$$name" --wildcards 'package/openapi/fhir.schema.json' \
			'package/ValueSet-*.json' 'package/CodeSystem-*.json' \
			'package/NamingSystem-*.json' 2>/dev/null || true; \
		rm -f "$$file"; \
	done; \
	test -f hl7.fhir.r4b.core/package/openapi/fhir.schema.json; \
	test -f hl7.fhir.r5.core/package/openapi/fhir.schema.json; \
	test -f hl7.terminology.r4/package/CodeSystem-v3-ActCode.json
	touch $@

fhir-spec: $(FHIR_SPEC)/.fetched

test: lint types fhir-spec
	FACETCARE_FHIR_SPEC=$(abspath $(FHIR_SPEC)) $(BIN)/python -m pytest -n 2 -q

# Not part of `make test` (which runs a short campaign, tests/test_fuzz_short.py):
# 100,000 seeded examples over documents, event logs, policies and event streams.
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py --examples 100000

# Not part of `make test`: about 7 minutes; `benchmarks/run.py --quick` takes ~30 s.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache .hypothesis
