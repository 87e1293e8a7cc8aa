# The README's two commands: `make demo` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test venv cli nemo-service lint mypy unit emulator-tests e2e realpeer bench docs clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found (Python 3.11+ is required)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

cli: ## obtain the Pulumi CLI pinned in pyproject.toml (cached per user, keyed by version)
	bash scripts/install-pulumi-cli >/dev/null

nemo-service: ## the real NeMo models service for tests/realpeer (Python 3.12 venv, cached per user, keyed by version)
	bash scripts/install-nemo-service >/dev/null

realpeer: venv cli nemo-service ## only the real-peer tier
	$(PY) -m pytest -p no:cacheprovider tests/realpeer

lint: venv
	$(VENV)/bin/ruff check pulumi_deploy tests examples bench scripts

mypy: venv
	$(VENV)/bin/mypy pulumi_deploy

test: venv cli nemo-service lint mypy ## all tiers: unit, emulator, end-to-end through the real CLI, real NeMo peer
	$(PY) -m pytest -p no:cacheprovider tests

demo: venv cli ## run examples/quickstart against the emulator with a local file backend
	$(PY) scripts/demo.py

docs: venv ## regenerate the reference docs (docs/) from the field declarations
	$(PY) scripts/gen_docs.py

bench: venv cli
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .tools .demo
