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
        for found in _permission_paths(patch, path):
            yield (
                found,
                "chooses permissions: roles and policies are never overridden; use a spec "
                "field (certificate, cache, vpc, secrets, ...) that grants what it needs",
            )
