"""Shared, rule-free helpers for the cross-account and StackSet rules: which account an
ARN names, which region a value names, whether a value is a KMS key ARN."""

from __future__ import annotations

import re
from typing import Any

from generator.checks.rules._helpers import as_list, resources

PIPELINE_ACCOUNT = "{AWS__AccountId}"
PIPELINE_REGION = "${AWS::Region}"
_ACCOUNT = re.compile(r"\d{12}")
_KEY_ARN = re.compile(r"^arn:[^:]+:kms:[^:]+:[^:]+:key/[^/]+$")


def _text(value: Any) -> str | None:
    """The string a value builds, intrinsic functions kept as ${...}; None when unknown."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((function, argument),) = value.items()
    if function == "Ref" and isinstance(argument, str):
        return "${" + argument + "}"
    if function == "Fn::GetAtt":
        parts = argument.split(".", 1) if isinstance(argument, str) else as_list(argument)
        if len(parts) == 2 and all(isinstance(p, str) for p in parts):
            return "${" + ".".join(parts) + "}"
        return None
    if function == "Fn::Sub":
        text = argument[0] if isinstance(argument, list) and argument else argument
        return text if isinstance(text, str) else None
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        delimiter, items = argument
        texts = [_text(item) for item in as_list(items)]
        if isinstance(delimiter, str) and all(t is not None for t in texts):
            return delimiter.join(t for t in texts if t is not None)
    return None


def _flat(text: str) -> str:
    """${AWS::Partition} -> {AWS__Partition}: so an ARN splits on ":" into its fields."""
    return re.sub(r"\$\{([^}]*)\}", lambda m: "{" + m[1].replace("::", "__") + "}", text)


def _resource_type(template: Any, logical_id: str) -> str | None:
    resource = (template.get("Resources") or {}).get(logical_id)
    return resource.get("Type") if isinstance(resource, dict) else None


def arn_account(value: Any, template: Any) -> str | None:
    """The account an ARN names: a 12-digit id, PIPELINE_ACCOUNT for ${AWS::AccountId} or
    a resource of this template (its GetAtt Arn), or None when the template cannot tell
    (a parameter, an import)."""
    text = _text(value)
    if text is None:
        return None
    getatt = re.fullmatch(r"\$\{([A-Za-z0-9]+)\.Arn\}", text)
    if getatt and _resource_type(template, getatt[1]):
        return PIPELINE_ACCOUNT
    fields = _flat(text).split(":")
    if len(fields) < 6 or fields[0] != "arn":
        return None
    account = fields[4]
    if account == PIPELINE_ACCOUNT or _ACCOUNT.fullmatch(account):
        return account
    return None


def region_name(value: Any, template: Any) -> str | None:
    """A region value as a literal name or PIPELINE_REGION; None when unknown."""
    text = _text(value)
    if text == PIPELINE_REGION or (text is not None and "${" not in text):
        return text
    return None


def is_key_arn(value: Any, template: Any) -> bool | None:
    """Whether an EncryptionKey Id names a KMS key by its key ARN (True), by something
    else (False: an alias, an alias ARN, a bare key id, a key's Ref or KeyId), or by a
    parameter the template cannot see into (None)."""
    text = _text(value)
    if text is None:
        return None
    whole = re.fullmatch(r"\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z]+))?\}", text)
    if whole:
        kind = _resource_type(template, whole[1])
        if kind == "AWS::KMS::Key":  # Ref and GetAtt KeyId give the key id; GetAtt Arn the ARN
            return whole[2] == "Arn"
        if kind is None and whole[2] is None and not whole[1].startswith("AWS::"):
            return None  # a parameter
    return bool(_KEY_ARN.match(_flat(text)))


def stack_sets(template: Any) -> list[tuple[str, dict[str, Any]]]:
    return list(resources(template, "AWS::CloudFormation::StackSet"))
