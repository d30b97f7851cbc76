"""Our own checks on emitted templates, for what cfn-lint cannot see.

cfn-lint treats webhook FilterGroups as a bare array, never reads CodePipeline
action configurations, and does not judge IAM scope. These checks work on plain
template data (parsed JSON or YAML), so `lint` runs them on any file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..aws.enums import (
    ALL_WEBHOOK_EVENTS,
    KNOWN_COMPUTE_TYPES,
    SERVICE_PRINCIPALS,
    WEBHOOK_FILTER_TYPES,
)
from ..aws.iam import RESOURCE_WILDCARD_ALLOWLIST


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.message}"


def _resources(template: dict[str, Any], kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource in (template.get("Resources") or {}).items():
        if isinstance(resource, dict) and resource.get("Type") == kind:
            yield name, resource.get("Properties") or {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- CodeBuild -----------------------------------------------------------------------


def check_webhook_filters(template: dict[str, Any]) -> Iterator[Finding]:
    for name, props in _resources(template, "AWS::CodeBuild::Project"):
        groups = (props.get("Triggers") or {}).get("FilterGroups") or []
        for g, group in enumerate(groups):
            where = f"{name}.Triggers.FilterGroups[{g}]"
            filters = [f for f in _as_list(group) if isinstance(f, dict)]
            events = [f for f in filters if f.get("Type") == "EVENT"]
            if len(events) != 1:
                yield Finding("P101", where, f"needs exactly one EVENT filter; has {len(events)}")
            for f in filters:
                if f.get("Type") not in WEBHOOK_FILTER_TYPES:
                    yield Finding(
                        "P102",
                        where,
                        f"unknown filter type {f.get('Type')!r}; allowed: "
                        + ", ".join(WEBHOOK_FILTER_TYPES),
                    )
            for f in events:
                yield from _check_event_pattern(where, str(f.get("Pattern", "")))
            names = {e.strip() for f in events for e in str(f.get("Pattern", "")).split(",")}
            if "PUSH" in names and any(f.get("Type") == "BASE_REF" for f in filters):
                yield Finding(
                    "P104",
                    where,
                    "BASE_REF works only with pull-request events; CodeBuild refuses it "
                    "beside PUSH",
                )


def _check_event_pattern(where: str, pattern: str) -> Iterator[Finding]:
    if re.search(r"\s", pattern):
        yield Finding(
            "P103",
            where,
            f"EVENT pattern {pattern!r} has white space; join events with ',' only "
            "(with a space CodeBuild honours only the first event, aws/aws-cdk#33197)",
        )
    for event in pattern.split(","):
        if event.strip() not in ALL_WEBHOOK_EVENTS:
            yield Finding("P102", where, f"unknown webhook event {event.strip()!r}")


def check_codebuild_projects(template: dict[str, Any]) -> Iterator[Finding]:
    for name, props in _resources(template, "AWS::CodeBuild::Project"):
        source_type = (props.get("Source") or {}).get("Type")
        if props.get("BadgeEnabled") in (True, "true") and source_type in (
            "CODEPIPELINE",
            "NO_SOURCE",
            "S3",
        ):
            yield Finding(
                "P201",
                name,
                f"BadgeEnabled needs a repository source; Source.Type is {source_type}",
            )
        compute = (props.get("Environment") or {}).get("ComputeType")
        if isinstance(compute, str) and compute not in KNOWN_COMPUTE_TYPES:
            yield Finding(
                "P202",
                name,
                f"unknown ComputeType {compute!r}; allowed: "
                + ", ".join(sorted(KNOWN_COMPUTE_TYPES)),
            )


# --- CodePipeline and EventBridge ----------------------------------------------------------


def _actions(props: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for stage in props.get("Stages") or []:
        for action in stage.get("Actions") or []:
            yield f"{stage.get('Name')}.{action.get('Name')}", action


def _pipeline_rules(template: dict[str, Any], pipeline: str) -> list[str]:
    """Event rules whose target is this pipeline."""
    found = []
    for rule, props in _resources(template, "AWS::Events::Rule"):
        for target in props.get("Targets") or []:
            if _refers_to(target.get("Arn"), pipeline):
                found.append(rule)
    return found


def _refers_to(value: Any, logical_id: str) -> bool:
    if isinstance(value, dict):
        if value.get("Ref") == logical_id:
            return True
        sub = value.get("Fn::Sub")
        text = sub[0] if isinstance(sub, list) else sub
        if isinstance(text, str) and "${" + logical_id + "}" in text:
            return True
    return False


def check_pipelines(template: dict[str, Any]) -> Iterator[Finding]:
    for name, props in _resources(template, "AWS::CodePipeline::Pipeline"):
        produced: set[str] = set()
        started_by_rule = bool(_pipeline_rules(template, name))
        for where, action in _actions(props):
            where = f"{name}.{where}"
            type_id = action.get("ActionTypeId") or {}
            config = action.get("Configuration") or {}
            if type_id.get("Category") == "Source" and type_id.get("Provider") == "S3":
                for key in ("S3Bucket", "S3ObjectKey"):
                    if not config.get(key):
                        yield Finding("P301", where, f"S3 source action needs {key}")
                poll = str(config.get("PollForSourceChanges", "true")).lower()
                if started_by_rule and poll != "false":
                    yield Finding(
                        "P302",
                        where,
                        "PollForSourceChanges must be false when an event rule starts the "
                        "pipeline (it defaults to true: every change would run twice)",
                    )
            for artifact in action.get("InputArtifacts") or []:
                if artifact.get("Name") not in produced:
                    yield Finding(
                        "P303",
                        where,
                        f"input artifact {artifact.get('Name')!r} is not produced by an earlier "
                        "action",
                    )
            for artifact in action.get("OutputArtifacts") or []:
                produced.add(artifact.get("Name"))


def check_event_rules(template: dict[str, Any]) -> Iterator[Finding]:
    pipelines = [name for name, _ in _resources(template, "AWS::CodePipeline::Pipeline")]
    for name, props in _resources(template, "AWS::Events::Rule"):
        for t, target in enumerate(props.get("Targets") or []):
            if not any(_refers_to(target.get("Arn"), p) for p in pipelines):
                yield Finding(
                    "P304",
                    f"{name}.Targets[{t}]",
                    "target is not this stack's pipeline (expected a Sub naming ${Pipeline})",
                )


# --- IAM -----------------------------------------------------------------------------------


def _policy_documents(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, props in _resources(template, "AWS::IAM::Role"):
        for i, policy in enumerate(props.get("Policies") or []):
            yield f"{name}.Policies[{i}]", policy.get("PolicyDocument") or {}


def check_trust_policies(template: dict[str, Any]) -> Iterator[Finding]:
    for name, props in _resources(template, "AWS::IAM::Role"):
        statements = (props.get("AssumeRolePolicyDocument") or {}).get("Statement") or []
        principals = [
            service
            for s in statements
            for service in _as_list((s.get("Principal") or {}).get("Service", []))
        ]
        others = [s for s in statements if set(s.get("Principal") or {}) - {"Service"}]
        if len(principals) != 1 or others:
            yield Finding("P401", name, "a trust policy must name exactly one service principal")
        for service in principals:
            if service not in SERVICE_PRINCIPALS:
                yield Finding(
                    "P402",
                    name,
                    f"{service!r} is not a service principal this product uses; allowed: "
                    + ", ".join(sorted(SERVICE_PRINCIPALS)),
                )


def check_permissions(template: dict[str, Any]) -> Iterator[Finding]:
    for where, document in _policy_documents(template):
        for i, statement in enumerate(_as_list(document.get("Statement") or [])):
            if statement.get("Effect") != "Allow":
                continue
            at = f"{where}.Statement[{i}]"
            actions = [str(a) for a in _as_list(statement.get("Action") or [])]
            resources = _as_list(statement.get("Resource") or [])
            for action in actions:
                if "*" in action or "?" in action:
                    yield Finding("P403", at, f"action wildcard {action!r}; name each action")
            if "*" in resources:
                for action in actions:
                    if action not in RESOURCE_WILDCARD_ALLOWLIST:
                        yield Finding(
                            "P404",
                            at,
                            f'{action} supports resource-level permissions; Resource "*" is '
                            "allowed only for " + ", ".join(RESOURCE_WILDCARD_ALLOWLIST),
                        )
            if "iam:PassRole" in actions:
                condition = statement.get("Condition") or {}
                keys = {k for block in condition.values() for k in block}
                if "*" in resources or "iam:PassedToService" not in keys:
                    yield Finding(
                        "P405",
                        at,
                        "iam:PassRole needs named role ARNs and an iam:PassedToService condition",
                    )


# --- ARNs ------------------------------------------------------------------------------


_LITERAL_PARTITION = re.compile(r"arn:aws(-[a-z]+)*:")
_REGION = re.compile(r":([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+):")
_ACCOUNT_ID = re.compile(r":\d{12}:")


def _external_arns(template: dict[str, Any]) -> set[str]:
    """ARNs a spec gave literally (a connection, a secret, the KMS key on the artifact
    store and projects): allowed to be literal wherever they appear."""
    allowed = set()
    for _, props in _resources(template, "AWS::CodeBuild::Project"):
        auth = (props.get("Source") or {}).get("Auth") or {}
        if isinstance(auth.get("Resource"), str):
            allowed.add(auth["Resource"])
        if isinstance(props.get("EncryptionKey"), str):
            allowed.add(props["EncryptionKey"])
        for variable in (props.get("Environment") or {}).get("EnvironmentVariables") or []:
            value = variable.get("Value")
            if variable.get("Type") == "SECRETS_MANAGER" and isinstance(value, str):
                allowed.add(":".join(value.split(":")[:7]))
    for _, props in _resources(template, "AWS::CodePipeline::Pipeline"):
        key = ((props.get("ArtifactStore") or {}).get("EncryptionKey") or {}).get("Id")
        if isinstance(key, str):
            allowed.add(key)
    return allowed


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def check_literal_arns(template: dict[str, Any]) -> Iterator[Finding]:
    allowed = _external_arns(template)
    for path, text in _strings(template.get("Resources") or {}, ""):
        if any(arn and arn in text for arn in allowed):
            continue
        if _LITERAL_PARTITION.search(text):
            yield Finding("P501", path, "hard-coded partition in an ARN; use ${AWS::Partition}")
        match = _REGION.search(text) if "arn:" in text else None
        if match:
            yield Finding(
                "P502",
                path,
                f"hard-coded region {match.group(1)!r} in an ARN; use ${{AWS::Region}}",
            )
        if "arn:" in text and _ACCOUNT_ID.search(text):
            yield Finding("P503", path, "hard-coded account id; use ${AWS::AccountId}")


CHECKS = (
    check_webhook_filters,
    check_codebuild_projects,
    check_pipelines,
    check_event_rules,
    check_trust_policies,
    check_permissions,
    check_literal_arns,
)


def run_checks(template: dict[str, Any]) -> list[Finding]:
    """Every finding of every check, in a stable order."""
    return sorted(finding for check in CHECKS for finding in check(template))
