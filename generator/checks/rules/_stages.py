"""Shared, rule-free helpers for the stage-condition rules: a pipeline's stages, their
BeforeEntry/OnSuccess/OnFailure conditions and rules, where a stage rolls back, and the
values an Fn::If can give a property."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks.rules._helpers import Path, as_list

CONDITION_KINDS = ("BeforeEntry", "OnSuccess", "OnFailure")
STAGE_CONDITIONS = "https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html"


def branches(value: Any) -> list[Any]:
    """The values a property can take: each branch of an Fn::If (nested ones too), none for
    Ref AWS::NoValue, else the value itself."""
    if isinstance(value, dict) and len(value) == 1:
        if value.get("Ref") == "AWS::NoValue":
            return []
        choice = value.get("Fn::If")
        if isinstance(choice, list) and len(choice) == 3:
            return [*branches(choice[1]), *branches(choice[2])]
    return [value]


def stages(props: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path below Properties, stage) of every stage, in order."""
    for s, stage in enumerate(as_list(props.get("Stages") or [])):
        if isinstance(stage, dict):
            yield ["Stages", s], stage


def conditions(
    stage_path: Path, stage: dict[str, Any]
) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    """(path, kind, condition) of every condition of a stage: kind is BeforeEntry,
    OnSuccess or OnFailure."""
    for kind in CONDITION_KINDS:
        block = stage.get(kind)
        if not isinstance(block, dict):
            continue
        for c, condition in enumerate(as_list(block.get("Conditions") or [])):
            if isinstance(condition, dict):
                yield [*stage_path, kind, "Conditions", c], kind, condition


def condition_rules(
    condition_path: Path, condition: dict[str, Any]
) -> Iterator[tuple[Path, dict[str, Any]]]:
    for r, rule in enumerate(as_list(condition.get("Rules") or [])):
        if isinstance(rule, dict):
            yield [*condition_path, "Rules", r], rule


def pipeline_rules(props: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path below Properties, rule) of every rule of every stage condition."""
    for stage_path, stage in stages(props):
        for condition_path, _, condition in conditions(stage_path, stage):
            yield from condition_rules(condition_path, condition)


def rollbacks(stage_path: Path, stage: dict[str, Any]) -> Iterator[Path]:
    """Paths of every Result of a stage that can be ROLLBACK: OnFailure's own Result
    (automatic rollback) and each condition's Result."""
    on_failure = stage.get("OnFailure")
    if isinstance(on_failure, dict) and "ROLLBACK" in branches(on_failure.get("Result")):
        yield [*stage_path, "OnFailure", "Result"]
    for condition_path, _, condition in conditions(stage_path, stage):
        if "ROLLBACK" in branches(condition.get("Result")):
            yield [*condition_path, "Result"]


def provider(rule_or_action: dict[str, Any]) -> Any:
    type_id = rule_or_action.get("RuleTypeId") or rule_or_action.get("ActionTypeId")
    return type_id.get("Provider") if isinstance(type_id, dict) else None


def is_source_stage(index: int, stage: dict[str, Any]) -> bool:
    """The first stage, or a stage whose actions are all of Category Source."""
    actions = [a for a in as_list(stage.get("Actions") or []) if isinstance(a, dict)]
    categories = [
        type_id.get("Category") if isinstance(type_id := a.get("ActionTypeId"), dict) else None
        for a in actions
    ]
    return index == 0 or (bool(categories) and all(c == "Source" for c in categories))
