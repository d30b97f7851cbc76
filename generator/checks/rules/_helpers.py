"""Shared, rule-free helpers for this product's cfn-lint rules (a file whose name starts
with "_" is not loaded as a rule by cfn-lint)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from generator.aws.images import PRIVATE_ECR

Path = list[str | int]


def resources(template: Any, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(logical ID, Properties) of every resource of this type."""
    for name, resource in (template.get("Resources") or {}).items():
        if isinstance(resource, dict) and resource.get("Type") == kind:
            props = resource.get("Properties")
            yield str(name), props if isinstance(props, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def refers_to(value: Any, logical_id: str) -> bool:
    """Whether value is a Ref to logical_id or a Sub that names it."""
    if isinstance(value, dict):
        if value.get("Ref") == logical_id:
            return True
        sub = value.get("Fn::Sub")
        text = sub[0] if isinstance(sub, list) and sub else sub
        if isinstance(text, str) and "${" + logical_id + "}" in text:
            return True
    return False


def strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """Every string inside value, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, [*path, str(key)])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, [*path, i])


def role_policies(template: Any) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path to the PolicyDocument, the document) of every inline policy of every role."""
    for name, props in resources(template, "AWS::IAM::Role"):
        for i, policy in enumerate(as_list(props.get("Policies") or [])):
            if isinstance(policy, dict) and isinstance(policy.get("PolicyDocument"), dict):
                yield (
                    ["Resources", name, "Properties", "Policies", i, "PolicyDocument"],
                    policy["PolicyDocument"],
                )


def allow_statements(template: Any) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path, document in role_policies(template):
        for i, statement in enumerate(as_list(document.get("Statement") or [])):
            if isinstance(statement, dict) and statement.get("Effect") == "Allow":
                yield [*path, "Statement", i], statement


def filter_groups(template: Any) -> Iterator[tuple[str, Path, list[dict[str, Any]]]]:
    """(project, path to the group, its filters) for every webhook filter group."""
    for name, props in resources(template, "AWS::CodeBuild::Project"):
        triggers = props.get("Triggers")
        groups = triggers.get("FilterGroups") if isinstance(triggers, dict) else None
        for g, group in enumerate(as_list(groups or [])):
            filters = [f for f in as_list(group) if isinstance(f, dict)]
            yield name, ["Resources", name, "Properties", "Triggers", "FilterGroups", g], filters


def event_names(filters: list[dict[str, Any]]) -> list[str]:
    return [
        event.strip()
        for f in filters
        if f.get("Type") == "EVENT"
        for event in str(f.get("Pattern", "")).split(",")
    ]


def pipeline_actions(props: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path below Properties, action) for every action of a pipeline, in stage order."""
    for s, stage in enumerate(as_list(props.get("Stages") or [])):
        if not isinstance(stage, dict):
            continue
        for a, action in enumerate(as_list(stage.get("Actions") or [])):
            if isinstance(action, dict):
                yield ["Stages", s, "Actions", a], action


LITERAL_PARTITION = re.compile(r"arn:aws(-[a-z]+)*:")
LITERAL_REGION = re.compile(r":([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+):")
LITERAL_ACCOUNT = re.compile(r":\d{12}:")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def external_arns(template: Any) -> set[str]:
    """ARNs a spec gave literally (a connection, a secret, the KMS key on the artifact
    store, projects, log groups and topics, a notification topic, a private build image's
    repository): allowed to be literal wherever they appear."""
    allowed = set()
    for _, props in resources(template, "AWS::CodeBuild::Project"):
        auth = _dict(_dict(props.get("Source")).get("Auth"))
        if isinstance(auth.get("Resource"), str):
            allowed.add(auth["Resource"])
        if isinstance(props.get("EncryptionKey"), str):
            allowed.add(props["EncryptionKey"])
        environment = _dict(props.get("Environment"))
        image = environment.get("Image")
        ecr = PRIVATE_ECR.match(image) if isinstance(image, str) else None
        if ecr:  # the spec's private build image, in whichever account and region it is
            allowed.add(f":ecr:{ecr['region']}:{ecr['account']}:repository/{ecr['repository']}")
        for variable in as_list(environment.get("EnvironmentVariables") or []):
            value = _dict(variable).get("Value")
            if _dict(variable).get("Type") == "SECRETS_MANAGER" and isinstance(value, str):
                allowed.add(":".join(value.split(":")[:7]))
    for kind, key_property in (
        ("AWS::Logs::LogGroup", "KmsKeyId"),
        ("AWS::SNS::Topic", "KmsMasterKeyId"),
    ):
        for _, props in resources(template, kind):
            if isinstance(props.get(key_property), str):
                allowed.add(props[key_property])
    for _, props in resources(template, "AWS::CodeStarNotifications::NotificationRule"):
        for target in as_list(props.get("Targets") or []):
            if isinstance(_dict(target).get("TargetAddress"), str):
                allowed.add(_dict(target)["TargetAddress"])
    for _, props in resources(template, "AWS::CodePipeline::Pipeline"):
        key = _dict(_dict(props.get("ArtifactStore")).get("EncryptionKey")).get("Id")
        if isinstance(key, str):
            allowed.add(key)
    for _, statement in allow_statements(template):
        if _decrypts_secrets(statement) or _decrypts_artifacts(statement):
            allowed.update(r for r in as_list(statement.get("Resource")) if isinstance(r, str))
    return allowed


def _decrypts_artifacts(statement: dict[str, Any]) -> bool:
    """kms:Decrypt usable only through S3 for named objects: a target account's deploy role
    reading artifacts encrypted with the tools account's key, which the spec's kms_key names."""
    condition = _dict(statement.get("Condition"))
    via = _dict(condition.get("StringEquals")).get("kms:ViaService")
    services = [_dict(v).get("Fn::Sub", v) for v in as_list(via or [])]
    return (
        as_list(statement.get("Action")) == ["kms:Decrypt"]
        and bool(services)
        and all(str(s).startswith("s3.") for s in services)
        and "kms:EncryptionContext:aws:s3:arn" in _dict(condition.get("StringLike"))
    )


def _decrypts_secrets(statement: dict[str, Any]) -> bool:
    """kms:Decrypt usable only through SSM or Secrets Manager: its keys are build.secret_keys,
    which encrypt secrets stored wherever the spec's author keeps them."""
    via = _dict(_dict(statement.get("Condition")).get("StringEquals")).get("kms:ViaService")
    services = [_dict(v).get("Fn::Sub", v) for v in as_list(via or [])]
    return (
        as_list(statement.get("Action")) == ["kms:Decrypt"]
        and bool(services)
        and all(str(s).startswith(("ssm.", "secretsmanager.")) for s in services)
    )


def stackset_body(path: Path, text: str) -> dict[str, Any] | None:
    """A StackSet's TemplateBody given as JSON, parsed: a template of its own, whose ARNs
    are judged by what that template allows."""
    if path[-2:] != ["Properties", "TemplateBody"] or not text.lstrip().startswith("{"):
        return None
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def literal_arn_strings(template: Any) -> Iterator[tuple[Path, str]]:
    """Strings under Resources that hold an ARN the spec did not give (inside a StackSet's
    JSON TemplateBody too, reported at the TemplateBody)."""
    allowed = external_arns(template)
    for path, text in strings(template.get("Resources") or {}, ["Resources"]):
        body = stackset_body(path, text)
        if body is not None:
            yield from ((path, inner) for _, inner in literal_arn_strings(body))
        elif "arn:" in text and not any(arn and arn in text for arn in allowed):
            yield path, text
