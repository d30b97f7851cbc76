"""E9311: each rule of a stage condition is a rule CodePipeline runs.

CodePipeline API Reference, API_RuleDeclaration: name "Length Constraints: Minimum length
of 1. Maximum length of 100. Pattern: [A-Za-z0-9.@\\-_]+ Required: Yes", ruleTypeId
"Required: Yes"; API_RuleTypeId: category "Valid Values: Rule", owner "Valid Values:
AWS", provider "For a list of rule provider names, see the rules listed in the AWS
CodePipeline rule reference" (rule-reference: CloudWatchAlarm, CodeBuild, Commands,
DeploymentWindow, LambdaInvoke, VariableCheck; each "Version: 1").
rule-reference-CloudWatchAlarm: "AlarmName Required: Yes". rule-reference-DeploymentWindow:
Cron "Required: Yes", "Cron expressions are comprised of 6 required fields and one
optional field separated by white space." cfn-lint's schema checks none of these.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import Path, resources
from generator.checks.rules._stages import pipeline_rules

RULE_NAME = re.compile(r"[A-Za-z0-9.@\-_]{1,100}")
PROVIDERS = (
    "CloudWatchAlarm",
    "CodeBuild",
    "Commands",
    "DeploymentWindow",
    "LambdaInvoke",
    "VariableCheck",
)
# RuleTypeId field -> the value rule-reference and API_RuleTypeId allow
FIXED = {"Category": "Rule", "Owner": "AWS", "Version": "1"}
CRON_FIELDS = (6, 7)


def name_problems(path: Path, rule: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    name = rule.get("Name")
    if name is None:
        yield path, "a rule needs a Name (API_RuleDeclaration: name Required: Yes)"
    elif isinstance(name, str) and not RULE_NAME.fullmatch(name):
        yield (
            [*path, "Name"],
            (
                f"rule Name {name!r} must be 1 to 100 characters of A-Z a-z 0-9 . @ - _ "
                "(API_RuleDeclaration)"
            ),
        )


def type_problems(path: Path, rule: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    type_id = rule.get("RuleTypeId")
    if not isinstance(type_id, dict):
        yield path, "a rule needs a RuleTypeId (API_RuleDeclaration: ruleTypeId Required: Yes)"
        return
    for field, value in FIXED.items():
        given = type_id.get(field)
        if (field == "Category" and given is None) or (isinstance(given, str) and given != value):
            yield (
                [*path, "RuleTypeId", *([field] if given is not None else [])],
                (
                    f"RuleTypeId {field} is {given!r}"
                    if given is not None
                    else f"RuleTypeId has no {field}"
                )
                + f"; rules take {field}: {value!r} (API_RuleTypeId, rule-reference)",
            )
    provider = type_id.get("Provider")
    if provider is None or (isinstance(provider, str) and provider not in PROVIDERS):
        yield (
            [*path, "RuleTypeId", *(["Provider"] if provider is not None else [])],
            (
                f"RuleTypeId Provider is {provider!r}"
                if provider is not None
                else "RuleTypeId has no Provider"
            )
            + f"; the rule providers are {', '.join(PROVIDERS)} (rule-reference)",
        )


def configuration_problems(path: Path, rule: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    type_id = rule.get("RuleTypeId")
    provider = type_id.get("Provider") if isinstance(type_id, dict) else None
    config = rule.get("Configuration")
    config = config if isinstance(config, dict) else {}
    where = [*path, "Configuration"] if "Configuration" in rule else path
    if provider == "CloudWatchAlarm" and not config.get("AlarmName"):
        yield (
            where,
            (
                "a CloudWatchAlarm rule needs Configuration AlarmName, the alarm's name "
                "(rule-reference-CloudWatchAlarm: AlarmName Required: Yes)"
            ),
        )
    if provider == "DeploymentWindow":
        cron = config.get("Cron")
        if not cron:
            yield (
                where,
                (
                    "a DeploymentWindow rule needs Configuration Cron "
                    "(rule-reference-DeploymentWindow: Cron Required: Yes)"
                ),
            )
        elif isinstance(cron, str) and len(cron.split()) not in CRON_FIELDS:
            yield (
                [*where, "Cron"],
                (
                    f"Cron {cron!r} has {len(cron.split())} fields; it takes 6 (seconds minutes "
                    "hours day-of-month month day-of-week) and an optional year "
                    "(rule-reference-DeploymentWindow)"
                ),
            )


class StageRuleDeclarations(CloudFormationLintRule):
    id = "E9311"
    shortdesc = "Stage condition rule that CodePipeline does not run"
    description = (
        "A condition's rule has a Name of 1 to 100 characters of [A-Za-z0-9.@-_], a "
        "RuleTypeId of Category Rule, Owner AWS, Version 1 and a documented Provider; a "
        "CloudWatchAlarm rule names its AlarmName, a DeploymentWindow rule a Cron of 6 or 7 "
        "fields."
    )
    source_url = "https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference.html"
    tags = ["resources", "codepipeline"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            for path, rule in pipeline_rules(props):
                problems = [
                    *name_problems(path, rule),
                    *type_problems(path, rule),
                    *configuration_problems(path, rule),
                ]
                matches.extend(
                    RuleMatch(["Resources", name, "Properties", *where], message)
                    for where, message in problems
                )
        return matches
