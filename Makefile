# Pipeline template generator. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
STACK  ?=

.DEFAULT_GOAL := help
.PHONY: help templates test lint check schema docs bench deploy clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

templates: $(STAMP) ## Build and lint templates/ from specs/ (JSON and YAML)
	$(PY) -m generator build

test: $(STAMP) ## Run the test suite
	$(PY) -m pytest

lint: $(STAMP) ## ruff and mypy over generator/
	$(VENV)/bin/ruff check --line-length 100 --target-version py311 --select E,F,I,B,UP generator tests bench
	$(VENV)/bin/mypy

check: $(STAMP) ## Fail when templates/ is not what specs/ builds
	$(PY) -m generator check

schema: $(STAMP) ## Print the spec's JSON Schema
	@$(PY) -m generator schema

docs: $(STAMP) ## Regenerate README's field reference from the spec model
	$(PY) -m generator reference --write README.md

deploy: ## Deploy one stack: make deploy STACK=<service>-<env>
	@test -n "$(STACK)" || { echo "usage: make deploy STACK=<service>-<env>"; exit 2; }
	@test -f templates/$(STACK).yaml || { echo "no template templates/$(STACK).yaml; stacks:"; ls templates | sed -n 's/\.yaml$$//p'; exit 2; }
	aws cloudformation deploy --template-file templates/$(STACK).yaml --stack-name $(STACK) \
		--capabilities CAPABILITY_IAM --no-fail-on-empty-changeset

bench: $(STAMP) ## Benchmark cold/warm build and check at 10, 100, 500 stacks
	$(PY) bench/bench.py 10 100 500 --json bench/results.json

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache *.egg-info
