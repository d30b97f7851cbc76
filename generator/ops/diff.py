"""What a regenerated template would do to a deployed stack: resources added,
removed, replaced or updated, and parameters and outputs added, removed or changed,
each with its old and new values, compared with the committed (or deployed) template.

A resource is replaced when its type changes or when a property that
CloudFormation cannot update in place changes (the resource schema's
createOnlyProperties, read from the schemas cfn-lint ships).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

STATEFUL_TYPES = frozenset({"AWS::S3::Bucket", "AWS::Logs::LogGroup"})


VALUE_WIDTH = 70


@dataclass(frozen=True)
class Change:
    action: str  # add | remove | replace | update
    logical_id: str
    resource_type: str  # a resource type, or "Parameter" / "Output"
    reason: str = ""
    values: tuple[str, ...] = ()  # "Name: old -> new" lines

    def __str__(self) -> str:
        mark = {"add": "+", "remove": "-", "replace": "!", "update": "~"}[self.action]
        text = f"  {mark} {self.action:<7} {self.logical_id} ({self.resource_type})"
        if self.reason:
            text += f": {self.reason}"
        return "\n".join([text, *(f"      {line}" for line in self.values)])


def show(value: Any) -> str:
    """A value as compact JSON, cut to VALUE_WIDTH characters."""
    if value is _MISSING:
        return "(none)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 3] + "..."


_MISSING = object()


def value_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """`key: old -> new` for every top-level key whose value differs."""
    return tuple(
        f"{key}: {show(old.get(key, _MISSING))} -> {show(new.get(key, _MISSING))}"
        for key in sorted(set(old) | set(new))
        if old.get(key, _MISSING) != new.get(key, _MISSING)
    )


@cache
def create_only_properties(resource_type: str) -> tuple[str, ...]:
    """Top-level properties whose change makes CloudFormation replace the resource."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except Exception:  # an unknown type: assume nothing is updatable in place
        return ("*",)
    paths = schema.get("createOnlyProperties", [])
    return tuple(sorted({p.split("/")[2] for p in paths if p.startswith("/properties/")}))


def _replaced_by(resource_type: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    create_only = create_only_properties(resource_type)
    if create_only == ("*",):
        return ["Properties"] if old != new else []
    return [p for p in create_only if old.get(p) != new.get(p)]


def _warning(resource_type: str, action: str) -> str:
    if resource_type in STATEFUL_TYPES and action in ("remove", "replace"):
        return " (its DeletionPolicy/UpdateReplacePolicy decides whether the data is kept)"
    return ""


def resource_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """Changes from the old template's resources to the new one's, by logical ID."""
    before = (old or {}).get("Resources") or {}
    after = (new or {}).get("Resources") or {}
    changes = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            changes.append(Change("add", name, after[name].get("Type", "?")))
            continue
        old_type = before[name].get("Type", "?")
        if name not in after:
            reason = "renaming a logical ID deletes the resource" + _warning(old_type, "remove")
            changes.append(Change("remove", name, old_type, reason))
            continue
        new_type = after[name].get("Type", "?")
        if old_type != new_type:
            changes.append(Change("replace", name, new_type, f"type was {old_type}"))
            continue
        old_props = before[name].get("Properties") or {}
        new_props = after[name].get("Properties") or {}
        replaced = _replaced_by(new_type, old_props, new_props)
        values = value_changes(old_props, new_props)
        if replaced:
            reason = f"{', '.join(replaced)} changed" + _warning(new_type, "replace")
            changes.append(Change("replace", name, new_type, reason, values))
        elif before[name] != after[name]:
            changed = sorted(
                k for k in set(old_props) | set(new_props) if old_props.get(k) != new_props.get(k)
            )
            attributes = value_changes(
                {k: v for k, v in before[name].items() if k != "Properties"},
                {k: v for k, v in after[name].items() if k != "Properties"},
            )
            reason = ", ".join(changed) or "attributes"
            changes.append(Change("update", name, new_type, reason, values + attributes))
    return changes


def section_changes(
    old: dict[str, Any] | None, new: dict[str, Any] | None, section: str
) -> list[Change]:
    """Parameters or Outputs added, removed or changed, with their old and new values."""
    kind = section.removesuffix("s")
    before = (old or {}).get(section) or {}
    after = (new or {}).get(section) or {}
    changes = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            changes.append(Change("add", name, kind, values=value_changes({}, after[name])))
        elif name not in after:
            changes.append(Change("remove", name, kind, values=value_changes(before[name], {})))
        elif before[name] != after[name]:
            changes.append(
                Change("update", name, kind, values=value_changes(before[name], after[name]))
            )
    return changes


def template_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """Everything a deploy of `new` over `old` would change, resources first."""
    return (
        resource_changes(old, new)
        + section_changes(old, new, "Parameters")
        + section_changes(old, new, "Outputs")
    )


# --- policies that let another account in -------------------------------------------------

# The policy property of each resource type whose statements can admit another account.
POLICY_PROPERTIES = {
    "AWS::IAM::Role": ("AssumeRolePolicyDocument", "trust policy"),
    "AWS::KMS::Key": ("KeyPolicy", "key policy"),
    "AWS::S3::BucketPolicy": ("PolicyDocument", "bucket policy"),
}
ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def principal_accounts(statement: Any) -> list[str]:
    """The literal account IDs in a statement's AWS principal (an account root or a role
    of it). The stack's own account is written ${AWS::AccountId}, never literally."""
    if not isinstance(statement, dict):
        return []
    principal = statement.get("Principal")
    if not isinstance(principal, dict) or "AWS" not in principal:
        return []
    return sorted(set(ACCOUNT_ID.findall(json.dumps(principal["AWS"], sort_keys=True))))


def cross_account_statements(document: Any) -> list[Any]:
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in statements or [] if principal_accounts(s)]


def _nested_template(properties: dict[str, Any]) -> dict[str, Any] | None:
    from .stackfiles import parse_template

    body = properties.get("TemplateBody")
    return parse_template(body) if isinstance(body, str) else None


def account_policies(
    template: dict[str, Any] | None, prefix: str = ""
) -> dict[tuple[str, str], list[Any]]:
    """(logical ID, which policy) -> its statements with another account's principal; a
    StackSet's roles template counts as its own (logical IDs StackSet/Role)."""
    found: dict[tuple[str, str], list[Any]] = {}
    for logical, resource in ((template or {}).get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        kind, properties = resource.get("Type"), resource.get("Properties") or {}
        if kind == "AWS::CloudFormation::StackSet":
            found.update(account_policies(_nested_template(properties), f"{prefix}{logical}/"))
        elif kind in POLICY_PROPERTIES:
            field, what = POLICY_PROPERTIES[kind]
            statements = cross_account_statements(properties.get(field))
            if statements:
                found[(f"{prefix}{logical}", what)] = statements
    return found


def cross_account_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """One line per trust, key or bucket policy whose statements naming another account
    were added, removed or changed, with the accounts they name, for the reviewer."""
    before, after = account_policies(old), account_policies(new)
    lines = []
    for logical, what in sorted(set(before) | set(after)):
        was, now = before.get((logical, what), []), after.get((logical, what), [])
        if was == now:
            continue
        accounts = sorted({a for s in was + now for a in principal_accounts(s)})
        verb = "added" if not was else "removed" if not now else "changed"
        plural = "s" if len(accounts) > 1 else ""
        lines.append(
            f"  cross-account: {logical} {what} {verb} (principals of account{plural} "
            f"{', '.join(accounts)})"
        )
    return lines
