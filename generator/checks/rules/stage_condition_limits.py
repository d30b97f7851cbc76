"""E9310: a stage's conditions keep their documented limits and results.

CodePipeline API Reference: BeforeEntryConditions and SuccessConditions require
conditions; API_FailureConditions "conditions ... Array Members: Fixed number of 1 item"
(the same ConditionList for all three); API_Condition "rules ... Array Members: Minimum
number of 1 item. Maximum number of 5 items." User guide, "Configure conditions for a
stage" (stage-conditions): "Entry ... result options: Fail or Skip", "On Failure ...
result option: Rollback", "On Success ... result options: Rollback or Fail"; "For Entry
conditions that use the Skip result ... only the LambdaInvoke and VariableCheck rules are
supported"; "You cannot use automatic stage retry with onFailure conditions."
cfn-lint's schema checks none of these.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import Path, resources
from generator.checks.rules._stages import (
    CONDITION_KINDS,
    STAGE_CONDITIONS,
    branches,
    condition_rules,
    conditions,
    provider,
    stages,
)

RESULTS = {
    "BeforeEntry": ("FAIL", "SKIP"),
    "OnSuccess": ("ROLLBACK", "FAIL"),
    "OnFailure": ("ROLLBACK",),
}
SKIP_PROVIDERS = ("LambdaInvoke", "VariableCheck")
MAX_RULES = 5
# kind -> the API Reference page of its Conditions list (ConditionList: min 1, max 1)
CONDITIONS_PAGE = {
    "BeforeEntry": "API_BeforeEntryConditions",
    "OnSuccess": "API_SuccessConditions",
    "OnFailure": "API_FailureConditions",
}


def article(kind: str) -> str:
    return "an" if kind.startswith("O") else "a"


def count_problems(stage_path: Path, stage: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """Conditions: exactly 1 per BeforeEntry/OnSuccess, 1 in OnFailure when it has any."""
    for kind in CONDITION_KINDS:
        block = stage.get(kind)
        if not isinstance(block, dict):
            continue
        items = block.get("Conditions")
        if items is None and kind == "OnFailure":
            continue  # OnFailure: {Result: ROLLBACK} alone is automatic rollback
        if items is None or (isinstance(items, list) and len(items) != 1):
            found = "no" if not items else f"{len(items)}"
            yield (
                [*stage_path, kind],
                (
                    f"{kind} has {found} Conditions; it takes exactly 1 ({CONDITIONS_PAGE[kind]}: "
                    '"Fixed number of 1 item")'
                ),
            )
        retry = "RETRY" in branches(block.get("Result")) or "RetryConfiguration" in block
        if kind == "OnFailure" and items and retry:
            yield (
                [*stage_path, kind],
                (
                    "OnFailure has Conditions and automatic retry (Result RETRY or "
                    'RetryConfiguration), which do not combine (stage-conditions: "You cannot use '
                    'automatic stage retry with onFailure conditions")'
                ),
            )


def condition_problems(
    path: Path, kind: str, condition: dict[str, Any]
) -> Iterator[tuple[Path, str]]:
    rules = condition.get("Rules")
    if rules is None or (isinstance(rules, list) and not 1 <= len(rules) <= MAX_RULES):
        found = 0 if rules is None else len(rules)
        yield (
            [*path, "Rules"] if rules is not None else path,
            (
                f"{article(kind)} {kind} condition has {found} Rules; "
                f"it takes 1 to {MAX_RULES} (API_Condition)"
            ),
        )
    result = condition.get("Result")
    allowed = RESULTS[kind]
    for value in branches(result):
        if isinstance(value, str) and value not in allowed:
            yield (
                [*path, "Result"],
                (
                    f"{article(kind)} {kind} condition's Result is {value}; "
                    f"it takes {' or '.join(allowed)} (stage-conditions)"
                ),
            )
    if kind == "BeforeEntry" and "SKIP" in branches(result):
        for rule_path, rule in condition_rules(path, condition):
            name = provider(rule)
            if isinstance(name, str) and name not in SKIP_PROVIDERS:
                yield (
                    [*rule_path, "RuleTypeId", "Provider"],
                    (
                        f"a BeforeEntry condition with Result SKIP runs only LambdaInvoke and "
                        f"VariableCheck rules, not {name} (stage-conditions)"
                    ),
                )


class StageConditionLimits(CloudFormationLintRule):
    id = "E9310"
    shortdesc = "Stage condition outside its documented limits"
    description = (
        "BeforeEntry and OnSuccess take exactly 1 condition, OnFailure at most 1; a condition "
        "has 1 to 5 rules and a Result its kind allows (BeforeEntry FAIL or SKIP, SKIP only "
        "with LambdaInvoke/VariableCheck rules; OnSuccess ROLLBACK or FAIL; OnFailure "
        "ROLLBACK); OnFailure conditions do not combine with OnFailure's own Result."
    )
    source_url = STAGE_CONDITIONS
    tags = ["resources", "codepipeline"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            where = ["Resources", name, "Properties"]
            for stage_path, stage in stages(props):
                problems = [
                    *count_problems(stage_path, stage),
                    *(
                        problem
                        for path, kind, condition in conditions(stage_path, stage)
                        for problem in condition_problems(path, kind, condition)
                    ),
                ]
                matches.extend(RuleMatch([*where, *path], message) for path, message in problems)
        return matches
