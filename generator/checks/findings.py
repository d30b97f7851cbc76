"""Our rules on template data, outside a full lint: `run_checks(template)` runs only this
product's cfn-lint rules and returns one Finding per match (the API the property and
mutation tests use)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True, order=True)
class Finding:
    rule: str  # the former P-id (E9102 -> P102), kept for callers of the 0.1.0 API
    where: str  # line:column in the JSON text of the template
    message: str
    rule_id: str = ""  # the cfn-lint rule id, E9102

    def __str__(self) -> str:
        return f"[{self.rule_id or self.rule}] {self.where}: {self.message}"


@cache
def _our_rules() -> Any:
    from cfnlint.rules import RulesCollection

    rules = RulesCollection()
    rules.create_from_module("generator.checks.rules")
    return rules


def run_checks(template: dict[str, Any]) -> list[Finding]:
    """Every match of this product's rules on template (plain data), in a stable order."""
    from cfnlint.api import lint

    matches = lint(json.dumps(template, indent=1), rules=_our_rules(), regions=["us-east-1"])
    return sorted(
        Finding(
            "P" + m.rule.id[2:],
            f"{m.linenumber}:{m.columnnumber}",
            m.message,
            m.rule.id,
        )
        for m in matches
    )
