"""Mutation test for our own checks: each mutation of a good template is a mistake
cfn-lint's schema does not see; our checks must name every one."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from generator.checks import run_checks

from .conftest import TEMPLATES

Template = dict[str, Any]


def good() -> Template:
    return json.loads((TEMPLATES / "orders-api-prod.json").read_text())


def _props(t: Template, name: str) -> dict[str, Any]:
    return t["Resources"][name]["Properties"]


def _groups(t: Template) -> list[Any]:
    return _props(t, "BridgeProject")["Triggers"]["FilterGroups"]


def _actions(t: Template, stage: str) -> list[Any]:
    stages = _props(t, "Pipeline")["Stages"]
    return next(s for s in stages if s["Name"] == stage)["Actions"]


def unknown_filter_type(t: Template) -> None:
    _groups(t)[0][1]["Type"] = "BRANCH"


def space_after_comma(t: Template) -> None:
    _groups(t)[0][0]["Pattern"] = "PUSH, PULL_REQUEST_MERGED"


def group_without_event(t: Template) -> None:
    del _groups(t)[0][0]


def base_ref_with_push(t: Template) -> None:
    _groups(t)[0][1]["Type"] = "BASE_REF"


def source_without_key(t: Template) -> None:
    del _actions(t, "Source")[0]["Configuration"]["S3ObjectKey"]


def polling_with_event_rule(t: Template) -> None:
    _actions(t, "Source")[0]["Configuration"]["PollForSourceChanges"] = "true"


def badge_on_codepipeline_source(t: Template) -> None:
    _props(t, "BuildProject")["BadgeEnabled"] = True


def unknown_compute_type(t: Template) -> None:
    _props(t, "BridgeProject")["Environment"]["ComputeType"] = "BUILD_GENERAL1_HUGE"


def fake_service_principal(t: Template) -> None:
    trust = _props(t, "SourceEventRole")["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Principal"]["Service"] = "events.amazonaws"


def hard_coded_region(t: Template) -> None:
    statement = _props(t, "SourceEventRole")["Policies"][0]["PolicyDocument"]["Statement"][0]
    statement["Resource"] = [
        {"Fn::Sub": "arn:${AWS::Partition}:codepipeline:us-east-1:${AWS::AccountId}:${Pipeline}"}
    ]


def hard_coded_partition(t: Template) -> None:
    statement = _props(t, "SourceEventRole")["Policies"][0]["PolicyDocument"]["Statement"][0]
    statement["Resource"] = [
        {"Fn::Sub": "arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:${Pipeline}"}
    ]


def dangling_input_artifact(t: Template) -> None:
    _actions(t, "Deploy")[0]["InputArtifacts"] = [{"Name": "TestOutput"}]


def rule_targets_another_pipeline(t: Template) -> None:
    _props(t, "SourceEventRule")["Targets"][0]["Arn"] = {
        "Fn::Sub": "arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:other"
    }


def star_on_resource_level_action(t: Template) -> None:
    statement = _props(t, "SourceEventRole")["Policies"][0]["PolicyDocument"]["Statement"][0]
    statement["Resource"] = ["*"]


MUTATIONS: list[tuple[str, Callable[[Template], None], str]] = [
    ("1a unknown filter type BRANCH", unknown_filter_type, "P102"),
    ("1b EVENT pattern with a space", space_after_comma, "P103"),
    ("2a filter group without EVENT", group_without_event, "P101"),
    ("2b BASE_REF in a PUSH group", base_ref_with_push, "P104"),
    ("3a S3 source without S3ObjectKey", source_without_key, "P301"),
    ("3b polling while an event rule exists", polling_with_event_rule, "P302"),
    ("4 BadgeEnabled on a CODEPIPELINE source", badge_on_codepipeline_source, "P201"),
    ("5 unknown ComputeType", unknown_compute_type, "P202"),
    ("6 trust principal events.amazonaws", fake_service_principal, "P402"),
    ("7a hard-coded region in an ARN", hard_coded_region, "P502"),
    ("7b hard-coded partition in an ARN", hard_coded_partition, "P501"),
    ("8 input artifact nobody produces", dangling_input_artifact, "P303"),
    ("9 event rule targets another pipeline", rule_targets_another_pipeline, "P304"),
    ('10 Resource "*" on a resource-level action', star_on_resource_level_action, "P404"),
]


@cache
def _plain_cfn_lint_rules():
    """cfn-lint's own rules, informational ones included, without ours."""
    from cfnlint.core import get_rules

    return get_rules([], [], ["I"])


def cfn_lint_rule_ids(template: Template) -> set[str]:
    from cfnlint.api import lint

    matches = lint(json.dumps(template), rules=_plain_cfn_lint_rules(), regions=["us-east-1"])
    return {m.rule.id for m in matches}


def test_the_unmutated_template_is_clean() -> None:
    assert run_checks(good()) == []
    assert cfn_lint_rule_ids(good()) == set()


@pytest.mark.parametrize("name, mutate, rule", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_our_checks_name_each_mutation(name: str, mutate, rule: str) -> None:
    template = good()
    mutate(template)
    assert template != good(), "the mutation changed nothing"
    findings = run_checks(template)
    assert rule in {f.rule for f in findings}, findings


@pytest.mark.slow
def test_cfn_lint_alone_misses_the_mutations_we_catch() -> None:
    missed = []
    caught_by_cfn_lint = {}
    for name, mutate, _ in MUTATIONS:
        template = copy.deepcopy(good())
        mutate(template)
        ids = cfn_lint_rule_ids(template)
        if ids:
            caught_by_cfn_lint[name] = sorted(ids)
        else:
            missed.append(name)
    print(
        f"\ncfn-lint alone misses {len(missed)} of {len(MUTATIONS)} mutations; "
        f"also caught by cfn-lint: {caught_by_cfn_lint}"
    )
    # Measured with cfn-lint 1.5x: it flags a literal partition (I3042) and a dangling
    # input artifact (E3701); the other twelve are caught by our checks alone.
    assert set(caught_by_cfn_lint) <= {
        "7b hard-coded partition in an ARN",
        "8 input artifact nobody produces",
    }
    assert len(missed) >= 12
