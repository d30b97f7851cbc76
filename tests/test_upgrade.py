"""Upgrade safety: logical IDs are a contract, and `diff` shows what a regenerated
template would add, remove or replace."""

from __future__ import annotations

import json
from pathlib import Path

from generator.cli import main
from generator.ops.diff import resource_changes

from .conftest import ROOT, SPECS

RECORD = Path(__file__).parent / "logical_ids.json"


def current_ids(stacks) -> dict[str, dict[str, str]]:
    return {s.name: {name: r["Type"] for name, r in s.data["Resources"].items()} for s in stacks}


def test_logical_ids_match_the_record(example_stacks, request) -> None:
    ids = current_ids(example_stacks)
    if request.config.getoption("--update-logical-ids"):
        RECORD.write_text(json.dumps(ids, indent=2, sort_keys=True) + "\n")
    recorded = json.loads(RECORD.read_text())
    problems = []
    for stack in sorted(set(recorded) | set(ids)):
        old, new = recorded.get(stack, {}), ids.get(stack, {})
        for name in sorted(set(old) - set(new)):
            problems.append(f"{stack}: {name} ({old[name]}) is gone")
        for name in sorted(set(old) & set(new)):
            if old[name] != new[name]:
                problems.append(f"{stack}: {name} changed type {old[name]} -> {new[name]}")
        for name in sorted(set(new) - set(old)):
            problems.append(f"{stack}: {name} ({new[name]}) is new")
    assert not problems, (
        "logical IDs changed. Renaming a logical ID replaces the resource: CloudFormation "
        "deletes the old one (a renamed bucket is a deleted bucket). If this is deliberate, "
        "run `pytest --update-logical-ids`, commit tests/logical_ids.json and say in CHANGELOG.md "
        "what users will see.\n" + "\n".join(problems)
    )


def _template(**resources) -> dict:
    return {"Resources": resources}


def test_diff_names_added_removed_replaced_and_updated_resources() -> None:
    old = _template(
        Kept={"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
        Gone={"Type": "AWS::S3::Bucket"},
        Project={"Type": "AWS::CodeBuild::Project", "Properties": {"Name": "a"}},
    )
    new = _template(
        Kept={"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        Added={"Type": "AWS::S3::Bucket"},
        Project={"Type": "AWS::CodeBuild::Project", "Properties": {"Name": "b"}},
    )
    assert [str(c) for c in resource_changes(old, new)] == [
        "  + add     Added (AWS::S3::Bucket)",
        "  - remove  Gone (AWS::S3::Bucket): renaming a logical ID deletes the resource (its "
        "DeletionPolicy/UpdateReplacePolicy decides whether the data is kept)",
        "  ~ update  Kept (AWS::Logs::LogGroup): RetentionInDays\n      RetentionInDays: 30 -> 7",
        '  ! replace Project (AWS::CodeBuild::Project): Name changed\n      Name: "a" -> "b"',
    ]


def test_diff_command_against_committed_and_changed_templates(tmp_path: Path, capsys) -> None:
    assert main(["diff"]) == 0
    assert "no changes against templates" in capsys.readouterr().out
    out = tmp_path / "templates"
    out.mkdir()
    committed = json.loads((ROOT / "templates" / "orders-api-dev.json").read_text())
    committed["Resources"]["Pipeline"]["Properties"]["Name"] = "renamed"
    (out / "orders-api-dev.json").write_text(json.dumps(committed))
    assert main(["diff", str(SPECS / "orders-api.yaml"), "-o", str(out)]) == 1
    text = capsys.readouterr().out
    assert "! replace Pipeline (AWS::CodePipeline::Pipeline): Name changed" in text
    assert "orders-api-prod: new stack" in text
