"""A small IAM policy evaluator for the permission contract test.

It decides one request (action, resource, condition keys) against resolved policy
documents the way IAM's policy evaluation logic does for a single account: an
explicit Deny in any policy wins, else an Allow in an identity policy allows, else the
request is implicitly denied. Supported: Action/Resource with `*` and `?`; the
condition operators our templates use (String*, Arn*, Bool; `...IfExists` is not).
Anything else (NotAction, NotResource, NotPrincipal, another operator) raises, so a
template that grows one fails the test instead of being judged wrongly.
IAM user guide, "Policy evaluation logic" and "IAM JSON policy elements: Condition
operators".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


class Unsupported(ValueError):
    """A policy element this evaluator does not model."""


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return bool(_glob(pattern, ignore_case).match(value))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition_holds(operator: str, key: str, wanted: Any, context: Mapping[str, str]) -> bool:
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(wanted)]
    negated = "Not" in operator
    if key not in context:
        # A missing key matches no value; the negated operators then hold.
        return negated
    actual = context[key]
    if operator in ("StringEquals", "StringNotEquals"):
        hit = actual in values
    elif operator in (
        "StringLike",
        "StringNotLike",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
    ):
        hit = any(glob_match(v, actual) for v in values)
    elif operator == "Bool":
        hit = actual.lower() in [v.lower() for v in values]
    else:
        raise Unsupported(f"condition operator {operator}")
    return not hit if negated else hit


def _conditions_hold(condition: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    return all(
        _condition_holds(operator, key, wanted, context)
        for operator, block in condition.items()
        for key, wanted in block.items()
    )


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    for element in ("NotAction", "NotResource", "NotPrincipal"):
        if element in statement:
            raise Unsupported(element)
    actions = _as_list(statement.get("Action", []))
    resources = _as_list(statement.get("Resource", []))
    return (
        any(glob_match(a, request.action, ignore_case=True) for a in actions)
        and any(glob_match(r, request.resource) for r in resources)
        and _conditions_hold(statement.get("Condition", {}), request.context)
    )


def decide(
    identity: Iterable[Mapping[str, Any]],
    request: Request,
    resource_policies: Iterable[Mapping[str, Any]] = (),
) -> str:
    """ "Allow", "ExplicitDeny" or "ImplicitDeny" for request under the policy documents."""
    identity, resource_policies = list(identity), list(resource_policies)
    statements = [
        s for doc in [*identity, *resource_policies] for s in _as_list(doc.get("Statement", []))
    ]
    if any(s.get("Effect") == "Deny" and statement_applies(s, request) for s in statements):
        return "ExplicitDeny"
    allowed = any(
        s.get("Effect") == "Allow" and statement_applies(s, request)
        for doc in identity
        for s in _as_list(doc.get("Statement", []))
    )
    return "Allow" if allowed else "ImplicitDeny"
