# Pipeline template generator. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
STACK  ?=

.DEFAULT_GOAL := help
.PHONY: help templates test test-fast lint lock check guard schema docs bench deploy deploy-all clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# setup.cfg holds the lower bounds; requirements.lock the exact versions CI tested, used
# as constraints so a fresh clone installs what passed. `make lock` refreshes it.
LOCK := requirements.lock

$(STAMP): setup.cfg pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e '.[dev,deploy]'
	@touch $(STAMP)

# checkov pins old botocore/networkx, so it gets a tool environment of its own, pinned
# the same way (requirements-checkov.in -> requirements-checkov.lock).
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp
CHECKOV_LOCK  := requirements-checkov.lock

$(CHECKOV_STAMP): $(CHECKOV_LOCK)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r $(CHECKOV_LOCK)
	@touch $(CHECKOV_STAMP)

# cfn-guard and the AWS Control Tower proactive-control rules, from one pinned npm tarball
# checked against its SHA-256 (versions in generator/aws/controls.py).
GUARD_VERSION := $(shell sed -n 's/^RULES_VERSION = "\(.*\)"/\1/p' generator/aws/controls.py)
GUARD_SHA256  := $(shell sed -n 's/^RULES_SHA256 = "\(.*\)"/\1/p' generator/aws/controls.py)
GUARD_DIR     := .tools/cfn-guard
GUARD_STAMP   := $(GUARD_DIR)/.installed-$(GUARD_VERSION)
GUARD_RULES   ?=
LINT_RULES    ?=

$(GUARD_STAMP):
	$(PYTHON) scripts/install_cfn_guard.py $(GUARD_VERSION) $(GUARD_SHA256) $(GUARD_DIR)
	@touch $(GUARD_STAMP)

guard: $(STAMP) $(GUARD_STAMP) ## cfn-guard with the Control Tower rules on templates/ [GUARD_RULES="dir ..."]
	$(PY) -m generator guard $(foreach r,$(GUARD_RULES),--rules $(r))

lock: $(STAMP) ## Refresh requirements*.lock to the newest versions setup.cfg allows
	$(VENV)/bin/uv pip compile setup.cfg --extra dev --extra deploy --upgrade \
		--python $(PY) --no-header -o $(LOCK)
	$(VENV)/bin/uv pip compile requirements-checkov.in --upgrade \
		--python $(PY) --no-header -o $(CHECKOV_LOCK)

templates: $(STAMP) ## Build and lint templates/ from specs/ (JSON and YAML) [ALLOW_LARGE=1]
	$(PY) -m generator build $(if $(ALLOW_LARGE),--allow-large)

test: $(STAMP) $(CHECKOV_STAMP) $(GUARD_STAMP) ## The whole suite (checkov, parliament, cfn-lint, cfn-guard) [GUARD_RULES= LINT_RULES=]
	$(PY) -m generator guard $(foreach r,$(GUARD_RULES),--rules $(r))
	$(if $(LINT_RULES),$(VENV)/bin/cfn-lint templates/*.yaml --append-rules generator.checks.rules \
		$(foreach r,$(LINT_RULES),--append-rules $(r)))
	CHECKOV="$(CURDIR)/$(CHECKOV_VENV)/bin/checkov" CFN_GUARD_DIR="$(CURDIR)/$(GUARD_DIR)" \
		BC_SKIP_MAPPING=TRUE $(PY) -m pytest

test-fast: $(STAMP) ## The edit-loop tier: unit, golden, error table (no scanners, no long property runs)
	TEST_TIER=fast $(PY) -m pytest -m "not slow"

lint: $(STAMP) ## ruff and mypy over generator/, tests/ and bench/ (settings: ruff.toml, setup.cfg)
	$(VENV)/bin/ruff check generator tests bench
	$(VENV)/bin/mypy

check: $(STAMP) ## Fail when templates/ is not what specs/ builds
	$(PY) -m generator check

schema: $(STAMP) ## Print the spec's JSON Schema
	@$(PY) -m generator schema

docs: $(STAMP) ## Regenerate docs/spec-reference.md, docs/commands.md and schema/ from the code
	$(PY) -m generator reference --write docs/spec-reference.md
	$(PY) -m generator reference --commands --write docs/commands.md
	$(PY) -m generator schema --write schema/pipeline-spec.schema.json

# The AWS CLI is the `aws` on PATH (AWS CLI v2); AWS_CLI=/path/to/aws picks another.
DEPLOY_ENV = $(if $(AWS_CLI),AWS_CLI="$(AWS_CLI)")
DEPLOY_FLAGS = $(if $(DRY_RUN),--dry-run) $(if $(PARAMS),--parameter-overrides $(PARAMS)) \
	$(if $(DEPLOY_BUCKET),--s3-bucket $(DEPLOY_BUCKET)) $(if $(PROFILE),--profile $(PROFILE)) \
	$(if $(REGION),--region $(REGION)) $(if $(ROLE_ARN),--role-arn $(ROLE_ARN))

deploy: $(STAMP) ## Deploy one stack: make deploy STACK=<service>-<env> [DRY_RUN=1] [PROFILE=p] [REGION=r] [ROLE_ARN=arn|deployer] (bootstrap-*: PARAMS="K=V ...")
	@test -n "$(STACK)" || { echo "usage: make deploy STACK=<service>-<env>|bootstrap-bitbucket|bootstrap-github"; exit 2; }
	$(DEPLOY_ENV) scripts/deploy.sh $(STACK) $(DEPLOY_FLAGS)

deploy-all: $(STAMP) ## Deploy every stack of one environment: make deploy-all ENV=dev [DRY_RUN=1] [JOBS=4] [PROFILE=p] [REGION=r]
	@test -n "$(ENV)" || { echo "usage: make deploy-all ENV=<env>"; exit 2; }
	$(DEPLOY_ENV) $(PY) -m generator deploy-all $(ENV) $(DEPLOY_FLAGS) $(if $(JOBS),--jobs $(JOBS))

bench: $(STAMP) ## Benchmark cold/warm build and check at 10, 100, 500 stacks
	$(PY) bench/bench.py 10 100 500 --json bench/results.json

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) $(CHECKOV_VENV) .tools .cache .pytest_cache .mypy_cache .ruff_cache *.egg-info
