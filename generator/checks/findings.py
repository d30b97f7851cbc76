"""Our rules on template data, outside a full lint: `run_checks(template)` runs only this
product's cfn-lint rules, straight on the data (no parsing, no cfn-lint graph: fast enough
for property tests over thousands of templates), and returns one Finding per match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..spec.errors import format_path


@dataclass(frozen=True, order=True)
class Finding:
    rule: str  # the former P-id (E9102 -> P102), kept for callers of the 0.1.0 API
    where: str  # the path of the offending value, e.g. Resources.BridgeProject.Properties
    message: str
    rule_id: str = ""  # the cfn-lint rule id, E9102

    def __str__(self) -> str:
        return f"[{self.rule_id or self.rule}] {self.where}: {self.message}"


@dataclass(frozen=True)
class _TemplateView:
    """The one attribute our rules read from cfn-lint's Template."""

    template: dict[str, Any]


def run_checks(template: dict[str, Any]) -> list[Finding]:
    """Every match of this product's rules on template (plain data), in a stable order."""
    from .rules import RULES

    view = _TemplateView(template)
    return sorted(
        Finding("P" + rule.id[2:], format_path(match.path), match.message, rule.id)
        for rule in (rule_class() for rule_class in RULES)
        for match in rule.match(view)
    )
