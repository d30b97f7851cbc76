"""Promotion: the stage conditions of an environment's deploy stage (CodePipeline V2).

- gates: an OnSuccess condition whose CloudWatchAlarm rules watch the alarms for `bake`
  minutes (WaitTime) after the deploy; an alarm in ALARM fails the condition and its
  Result ROLLBACK rolls the stage back to the last successful execution's artifacts
  (CodePipeline user guide, stage-conditions, rule-reference-CloudWatchAlarm, and
  "Configure stage rollback": not for the source stage, V2 only).
- window: a BeforeEntry condition with the DeploymentWindow rule and Result FAIL: a deploy
  reaching the stage outside the window does not enter it (stage-conditions: entry
  conditions result FAIL or SKIP; SKIP only with LambdaInvoke and VariableCheck rules;
  rule-reference-DeploymentWindow).

A condition holds one to five rules (CodePipeline API reference, Condition); the model
allows at most five alarms. A rule in another account runs as the environment's deploy
role there, where its alarms are (RuleDeclaration roleArn: "assumed through the roleArn
for the pipeline").
"""

from __future__ import annotations

import json

from awacs import cloudwatch
from awacs.aws import Allow, Statement
from troposphere.codepipeline import (
    Actions,
    BeforeEntryConditions,
    Condition,
    RuleDeclaration,
    RuleTypeId,
    SuccessConditions,
)

from ..spec.model import Spec
from . import accounts, iam

# The release record: one pipeline execution carries one build to every environment of a
# chain. The build learns the execution and the source object's version from pipeline
# variables (CodePipeline user guide, reference-variables: codepipeline.PipelineExecutionId,
# and the S3 source action's output variable VersionId under its namespace); its buildspec
# writes release.json (commit, image digest, both ids) into the build output that every
# deploy stage takes as input, and each approval shows the ids it is approving.
SOURCE_NAMESPACE = "SourceVariables"
RELEASE_VARIABLES = {
    "RELEASE_PIPELINE_EXECUTION": "#{codepipeline.PipelineExecutionId}",
    "RELEASE_SOURCE_VERSION": "#{" + SOURCE_NAMESPACE + ".VersionId}",
}
APPROVAL_TEXT = (
    "Release: pipeline execution #{codepipeline.PipelineExecutionId}, source.zip version "
    "#{" + SOURCE_NAMESPACE + ".VersionId}; release.json in the build output names its "
    "commit and image."
)


def record_release(source: Actions, build: Actions, approvals: list[Actions]) -> None:
    """Namespaces and variables that tie every stage of a chain to one release."""
    source.Namespace = SOURCE_NAMESPACE
    variables = [
        {"name": name, "type": "PLAINTEXT", "value": value}
        for name, value in RELEASE_VARIABLES.items()
    ]
    # The CodeBuild action's EnvironmentVariables: a JSON array as a string
    # (action-reference-CodeBuild, configuration parameters).
    build.Configuration["EnvironmentVariables"] = json.dumps(variables, separators=(",", ":"))
    for approval in approvals:
        approval.Configuration = {"CustomData": APPROVAL_TEXT}


def _rule(name: str, provider: str, configuration: dict[str, str]) -> RuleDeclaration:
    return RuleDeclaration(
        Name=name,
        RuleTypeId=RuleTypeId(Category="Rule", Owner="AWS", Provider=provider, Version="1"),
        Configuration=configuration,
    )


def gate_conditions(spec: Spec, env: str) -> SuccessConditions | None:
    gates = spec.environments[env].gates
    if gates is None:
        return None
    rules = []
    # With regions, each Region's alarms are watched there (the rule's Region).
    where: list[str | None] = list(spec.environments[env].regions) or [None]
    for region in where:
        suffix = f"-{region}" if region else ""
        for number, alarm in enumerate(gates.alarms, start=1):
            rule = _rule(
                f"{env}{suffix}-alarm-{number}",
                "CloudWatchAlarm",
                {"AlarmName": alarm, "WaitTime": str(gates.bake)},
            )
            if region is not None:
                rule.Region = region
            if accounts.is_cross_account(spec, env):
                rule.RoleArn = accounts.deploy_role_arn(spec, env)
            rules.append(rule)
    return SuccessConditions(Conditions=[Condition(Result="ROLLBACK", Rules=rules)])


def window_conditions(spec: Spec, env: str) -> BeforeEntryConditions | None:
    window = spec.environments[env].window
    if window is None:
        return None
    rule = _rule(
        f"{env}-window", "DeploymentWindow", {"Cron": window.cron, "TimeZone": window.timezone}
    )
    return BeforeEntryConditions(Conditions=[Condition(Result="FAIL", Rules=[rule])])


def stage_conditions(spec: Spec, env: str) -> dict[str, object]:
    """The Deploy stage's BeforeEntry / OnSuccess properties for env (none: {})."""
    found: dict[str, object] = {}
    if (window := window_conditions(spec, env)) is not None:
        found["BeforeEntry"] = window
    if (gates := gate_conditions(spec, env)) is not None:
        found["OnSuccess"] = gates
    return found


def grant_watch_alarms(spec: Spec, env: str) -> list[Statement]:
    """Read the gate alarms' state, in the account and Region of the role that evaluates
    the rule. CodePipeline documents no permission list for the CloudWatchAlarm rule;
    reading an alarm's state is cloudwatch:DescribeAlarms, which takes the alarm's ARN
    (Service Authorization Reference, Amazon CloudWatch)."""
    gates = spec.environments[env].gates
    if gates is None:
        return []
    regions = spec.environments[env].regions
    alarms = [
        arn
        for name in gates.alarms
        for arn in iam.in_regions("cloudwatch", f"alarm:{name}", regions)
    ]
    return [Statement(Effect=Allow, Action=[cloudwatch.DescribeAlarms], Resource=alarms)]
