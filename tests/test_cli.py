"""The command line contract: exit codes, formats, check, lint, schema, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

from .conftest import ROOT, SPECS

ORDERS = SPECS / "orders-api.yaml"


def test_build_writes_both_formats_by_default(tmp_path: Path) -> None:
    assert main(["build", str(ORDERS), "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "orders-api-checks.json", "orders-api-checks.yaml",
        "orders-api-dev.json", "orders-api-dev.yaml",
        "orders-api-prod.json", "orders-api-prod.yaml",
    ]  # fmt: skip


def test_build_writes_one_format_when_asked(tmp_path: Path) -> None:
    assert main(["build", str(ORDERS), "-o", str(tmp_path), "--format", "yaml"]) == 0
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".yaml", ".yaml", ".yaml"]


def test_check_passes_then_detects_a_stale_template(tmp_path: Path, capsys) -> None:
    assert main(["build", str(ORDERS), "-o", str(tmp_path)]) == 0
    assert main(["check", str(ORDERS), "-o", str(tmp_path)]) == 0
    stale = tmp_path / "orders-api-dev.json"
    stale.write_text(stale.read_text().replace("develop", "main"))
    (tmp_path / "orders-api-prod.yaml").unlink()
    capsys.readouterr()
    assert main(["check", str(ORDERS), "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "orders-api-dev.json: differs" in err
    assert "orders-api-prod.yaml: missing" in err


def test_a_bad_spec_writes_nothing_and_changes_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["build", str(ORDERS), "-o", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "service: Bad_Name\nrepository: {url: https://bitbucket.org/a/b.git}\n"
        "environments: {dev: {branch: main, deploy: {s3: {bucket: abc}}}}\n"
    )
    capsys.readouterr()
    assert main(["build", str(ORDERS), str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1:10: service: must match" in err
    assert "nothing written" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main(["build", str(bad), "-o", str(tmp_path / "new")]) == 2
    assert not (tmp_path / "new").exists()


def test_lint_command_names_findings_in_existing_files(tmp_path: Path, capsys) -> None:
    template = json.loads((ROOT / "templates" / "orders-api-dev.json").read_text())
    template["Resources"]["BridgeProject"]["Properties"]["Triggers"]["FilterGroups"][0][0][
        "Pattern"
    ] = "PUSH, PULL_REQUEST_MERGED"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(template))
    assert main(["lint", str(broken)]) == 1
    assert "[E9103]" in capsys.readouterr().out
    assert main(["lint", str(ROOT / "templates" / "orders-api-dev.yaml")]) == 0
    assert main(["lint", str(tmp_path / "absent.json")]) == 2


def test_schema_is_generated_from_the_model(capsys) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"service", "repository", "environments"}
    assert "compute" in schema["$defs"]["Build"]["properties"]


@pytest.mark.slow
def test_python_dash_m_runs_and_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", str(tmp_path / "nope"), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "no such spec file or folder" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_output_is_byte_identical_across_hash_seeds_and_folders(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "12345"):
        project = tmp_path / f"project-{seed}"
        shutil.copytree(SPECS, project / "specs")
        env = dict(os.environ, PYTHONHASHSEED=seed, PIPELINE_GENERATOR_CACHE="off")
        subprocess.run(
            [sys.executable, "-m", "generator", "build"],
            check=True,
            capture_output=True,
            env=env,
            cwd=project,
        )
        templates = project / "templates"
        outputs.append({p.name: p.read_bytes() for p in sorted(templates.iterdir())})
    assert outputs[0] == outputs[1]
    committed = {p.name: p.read_bytes() for p in (ROOT / "templates").iterdir()}
    assert outputs[0] == committed


def test_field_reference_is_generated_from_the_model() -> None:
    from generator.spec.schema import with_reference

    reference = (ROOT / "docs" / "spec-reference.md").read_text()
    assert with_reference(reference) == reference, "field reference is stale: run make docs"
    assert "`environments.<name>.deploy.s3.key`" in reference


def test_command_reference_is_generated_from_the_parser() -> None:
    from generator.cli import parser
    from generator.commands_reference import with_commands

    commands = (ROOT / "docs" / "commands.md").read_text()
    stale = "command reference is stale: run make docs"
    assert with_commands(commands, parser()) == commands, stale
    assert "### `deploy-all`" in commands
    assert "| `--jobs N` | stacks deployed at a time (default: 4) |" in commands


def test_command_reference_names_every_command_and_option(tmp_path: Path, capsys) -> None:
    assert main(["reference", "--commands"]) == 0
    printed = capsys.readouterr().out
    names = ("build", "check", "diff", "lint", "guard", "deploy", "deploy-all", "schema", "init")
    for command in names:
        assert f"### `{command}`" in printed
    assert "python -m generator init [--provider {bitbucket,github}]" in printed
    assert "| `--format {both,json,yaml}` |" in printed
    page = tmp_path / "commands.md"
    page.write_text("# Commands\n\nno markers\n")
    assert main(["reference", "--commands", "--write", str(page)]) == 2
    assert "commands-reference:begin" in capsys.readouterr().err


def test_two_specs_building_the_same_stack_name_both_files(tmp_path: Path, capsys) -> None:
    copy = tmp_path / "orders-copy.yaml"
    copy.write_text(ORDERS.read_text())
    assert main(["build", str(ORDERS), str(copy), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    line = ORDERS.read_text().splitlines().index("service: orders-api") + 1
    assert f'{copy}:{line}:10: service: stack "orders-api-dev" is also built from {ORDERS}' in err
    assert not (tmp_path / "out").exists()
