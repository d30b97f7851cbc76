"""One source of validation: the JSON Schema that `schema` prints refuses what `build`
refuses and accepts what it accepts, checked with jsonschema on the error table, the
example specs, drawn specs and mutated drawn specs. The committed schema file is current."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings

from generator.spec.errors import SpecErrors
from generator.spec.loader import load_spec_text
from generator.spec.schema import spec_schema
from generator.spec.validate import validate_spec

from .conftest import ROOT, SPECS, examples
from .strategies import specs
from .test_generative import mutated_specs
from .test_spec_errors import CASES, GOOD

SCHEMA_FILE = ROOT / "schema" / "pipeline-spec.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(spec_schema())

# Rows of the error table that no JSON Schema of one document can express, and why.
BUILD_ONLY = {
    "duplicate key": "YAML itself: the loader keeps the first value",
    "environment variable that is a build secret": "a name as both a variable and a secret "
    "(names are keys of two different mappings)",
    # Which logical IDs exist, and their types, is known only once the stacks are composed.
    "override of an unknown logical id": "the stacks' logical IDs come from composing them",
    "override of a role policy": "a resource's type comes from composing the stacks",
    "override of a project's role": "permission-carrying property names at any depth",
    # Credential shapes in values, registry rules of image names, items given twice in a VPC.
    "password in a URL variable": "credential shapes in variable values",
    "GitHub token in an environment variable": "credential shapes in variable values",
    "Slack webhook URL": "credential shapes in variable values",
    "AWS access key id": "credential shapes in variable values",
    "npm auth token line": "credential shapes in variable values",
    "ECR repository without its registry": "the Docker reference grammar's registry rule",
    "private registry": "the Docker reference grammar's registry rule",
    "subnet given twice": "kept in the build's VPC rules",
    # Which properties carry a stack's safety depends on the resource's type.
    "override that switches pull-request comment approval off": "resource types come from "
    "composing the stacks",
    "override that replaces the filter groups": "resource types come from composing the stacks",
    "override that removes the environment variables": "resource types come from composing "
    "the stacks",
    "override of the image pull credentials": "resource types come from composing the stacks",
    "override of a bucket's encryption": "resource types come from composing the stacks",
}


def schema_accepts(data: Any) -> bool:
    return VALIDATOR.is_valid(data)


def build_accepts(text: str) -> bool:
    try:
        validate_spec(load_spec_text(text, "s.yaml"))
    except SpecErrors:
        return False
    return True


def loaded(text: str) -> Any:
    try:
        return load_spec_text(text, "s.yaml").data
    except SpecErrors:
        return None


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(spec_schema())


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_the_schema_refuses_every_row_of_the_error_table(name: str, text: str, expected) -> None:
    data = loaded(text)
    if name in BUILD_ONLY:
        pytest.skip(BUILD_ONLY[name])
    assert not build_accepts(text)
    assert not schema_accepts(data), f"the schema accepts what build refuses: {expected}"


def test_the_schema_accepts_the_good_spec_and_every_example() -> None:
    assert schema_accepts(loaded(GOOD))
    for path in sorted(SPECS.rglob("*.yaml")):
        assert schema_accepts(loaded(path.read_text())), path


def test_a_name_in_variables_and_secrets_is_the_one_rule_beyond_the_schema() -> None:
    text = GOOD.replace("timeout: 60", "variables: {DB: x}\n  secrets: {DB: 'ssm:/db'}")
    assert not build_accepts(text) and schema_accepts(loaded(text))


@settings(max_examples=examples(200))
@given(specs())
def test_the_schema_accepts_every_drawn_spec(spec: dict[str, Any]) -> None:
    assert schema_accepts(json.loads(json.dumps(spec)))


# Rules the schema cannot express: a name given twice across two mappings, and what an
# override may touch, which depends on the resource types composing the stacks gives.
BUILD_ONLY_RULES = (
    "is also given in build.variables",
    "carries the stack's safety and is never overridden",
    # Between fields and environments: the accounts of delivery (DESIGN, v1.2), the chains
    # of `after` (names of other environments, cycles), counts across two lists, and what
    # hardening: strict refuses.
    "needs delivery.tools_account",
    "is the tools account",
    "is used only with target_roles: stackset",
    "is required with target_roles: stackset",
    "not the tools account",
    "may not be named targets when the spec has delivery",
    "unknown environment",
    "names the environment itself",
    "is already followed by",
    "cannot be set with after",
    "makes a cycle",
    "is required: the branch whose pushes start",
    "needs kms_key to be a multi-Region key",
    "Regions make",
    "is refused under hardening: strict: the artifact store",
    "is used only with target_roles: stackset",
)


def _both_only(text: str) -> bool:
    """Whether the only problems are rules the schema cannot express."""
    try:
        validate_spec(load_spec_text(text, "s.yaml"))
    except SpecErrors as exc:
        return all(any(r in e.message for r in BUILD_ONLY_RULES) for e in exc.errors)
    return False


@pytest.mark.slow
@settings(max_examples=examples(200))
@given(mutated_specs())
def test_schema_and_build_agree_on_mutated_specs(spec: dict[str, Any]) -> None:
    text = yaml.safe_dump(spec, allow_unicode=True)
    data = loaded(text)
    if data is None or _both_only(text):
        return
    verdict = schema_accepts(data)
    errors = [e.message for e in VALIDATOR.iter_errors(data)][:3]
    assert verdict == build_accepts(text), f"schema {verdict}, build {not verdict}: {errors}"


def test_the_committed_schema_is_what_the_model_generates() -> None:
    committed = json.loads(SCHEMA_FILE.read_text())
    assert committed == spec_schema(), "schema/ is stale: run make docs"
