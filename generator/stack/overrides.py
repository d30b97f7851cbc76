"""The escape hatch: a spec's `overrides` (logical ID -> partial resource), deep-merged
into the generated template before every check runs.

Mappings merge key by key, anything else (lists included) replaces, and null removes a
key. Roles and policies are never overridden: permissions come from spec fields, so the
permission contract stays proven.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

ALLOWED_KEYS = ("Properties", "Metadata", "DeletionPolicy", "UpdateReplacePolicy")
# Property names that carry or choose permissions, anywhere in an override.
PERMISSION_KEYS = frozenset(
    {
        "AssumeRolePolicyDocument",
        "ManagedPolicyArns",
        "PermissionsBoundary",
        "Policies",
        "PolicyDocument",
        "RoleArn",
        "ServiceRole",
    }
)
PERMISSION_TYPES = ("AWS::IAM::", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy")
# Properties that carry a stack's safety, per resource type, and how the spec sets
# each. Triggers holds the webhook filter groups (production's ACTOR_ACCOUNT_ID filter)
# and PullRequestBuildPolicy (comment approval before a pull request runs with secrets):
# CloudFormation template reference, AWS::CodeBuild::Project ProjectTriggers.
SAFETY_PROPERTIES: dict[str, dict[tuple[str, ...], str]] = {
    "AWS::CodeBuild::Project": {
        (
            "Triggers",
        ): "set it with environments.<env>.branch/events/paths or checks.branches/events/"
        "approval/actors",
        (
            "Source",
        ): "set it with repository, build.buildspec, build.submodules or checks.buildspec",
        ("Environment", "EnvironmentVariables"): "set it with build.variables/secrets, "
        "environments.<env>.variables/secrets or checks.secrets",
        ("Environment", "ImagePullCredentialsType"): "set it with build.image",
        ("VpcConfig",): "set it with build.vpc",
        ("EncryptionKey",): "set it with kms_key",
    },
    "AWS::S3::Bucket": {
        ("BucketEncryption",): "set it with kms_key",
        ("PublicAccessBlockConfiguration",): "the buckets stay private",
        ("LoggingConfiguration",): "set it with hardening",
        ("ObjectLockConfiguration",): "set it with hardening",
    },
    "AWS::SNS::Topic": {("KmsMasterKeyId",): "set it with kms_key"},
}

Problem = tuple[tuple[str | int, ...], str]


def deep_merge(base: Any, patch: Any) -> Any:
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return patch
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = deep_merge(base.get(key), value)
    return merged


def apply_overrides(template: dict[str, Any], *layers: Mapping[str, Any]) -> dict[str, Any]:
    """The template with each layer's overrides merged in, in order; IDs the template does
    not have are skipped (a spec-level override applies to the stacks that have the ID)."""
    resources = dict(template["Resources"])
    for layer in layers:
        for logical_id, patch in layer.items():
            if logical_id in resources:
                resources[logical_id] = deep_merge(resources[logical_id], patch)
    return {**template, "Resources": resources}


def _permission_paths(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in PERMISSION_KEYS:
                yield path + (key,)
            else:
                yield from _permission_paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _permission_paths(item, path + (i,))


def _touched(patch: Any, prop: tuple[str, ...]) -> tuple[str, ...] | None:
    """Where a Properties patch sets, replaces or removes the property at `prop`: where it
    reaches it, or stops above it with a value that is not a mapping (null removes,
    anything else replaces the whole mapping); None when it leaves it alone."""
    value = patch
    for depth, key in enumerate(prop):
        if not isinstance(value, dict):
            return prop[:depth]
        if key not in value:
            return None
        value = value[key]
    return prop


def _safety_problems(
    kind: str, patch: dict[str, Any], path: tuple[str | int, ...]
) -> Iterator[Problem]:
    if "Properties" not in patch:
        return
    seen: set[tuple[str, ...]] = set()
    for prop, hint in SAFETY_PROPERTIES.get(kind, {}).items():
        found = _touched(patch["Properties"], prop)
        if found is not None and found not in seen:
            seen.add(found)
            yield (
                path + ("Properties",) + found,
                f"carries the stack's safety and is never overridden; {hint}",
            )


def override_problems(
    base: tuple[str | int, ...],
    overrides: Mapping[str, Any],
    types: Mapping[str, str],
    where: str,
) -> Iterator[Problem]:
    """What is wrong with one layer of overrides, given {logical ID: Type} of the stacks it
    applies to; `where` names those stacks for the message."""
    for logical_id, patch in overrides.items():
        path = base + (logical_id,)
        if logical_id not in types:
            known = ", ".join(sorted(types))
            yield path, f"is not a resource of {where}; its logical IDs: {known}"
            continue
        kind = types[logical_id]
        if kind.startswith(PERMISSION_TYPES):
            yield (
                path,
                f"is a {kind}: roles and policies are never overridden; permissions come "
                "from spec fields (or a change to the generator), so they stay proven",
            )
            continue
        for key in patch:
            if key == "Type":
                yield path + (key,), f"cannot change the resource type ({kind})"
            elif key not in ALLOWED_KEYS:
                yield path + (key,), f"is not overridable; allowed: {', '.join(ALLOWED_KEYS)}"
        if isinstance(patch, dict):
            yield from _safety_problems(kind, patch, path)
        for found in _permission_paths(patch, path):
            yield (
                found,
                "chooses permissions: roles and policies are never overridden; use a spec "
                "field (certificate, cache, vpc, secrets, ...) that grants what it needs",
            )
