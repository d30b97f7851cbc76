"""The deploy path tells the truth (issue 10): what the spec says is what the stack gets.

Each test drives the real command line in a project folder of its own (specs/ and
templates/), with the stand-in `aws` of tests/fake_aws.py answering from recorded
CloudFormation responses."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from generator.cli import main

from .conftest import ROOT
from .fake_aws import deploy_calls, event, install, write_events

SHOP = """\
service: shop
repository: {url: "https://bitbucket.org/acme/shop.git"}
build: {timeout: 30}
environments:
  dev: {branch: develop, deploy: {s3: {bucket: acme-shop-dev}}}
  pre-dev: {branch: pre, deploy: {s3: {bucket: acme-shop-pre-dev}}}
  non-prod: {branch: staging, deploy: {s3: {bucket: acme-shop-non-prod}}}
  prod: {branch: main, deploy: {s3: {bucket: acme-shop-prod}}}
tags: {team: web}
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with specs/shop.yaml, built, as the current directory, and a
    stand-in `aws` as AWS_CLI."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yaml").write_text(SHOP)
    monkeypatch.chdir(tmp_path)
    aws = install(tmp_path / "aws")
    monkeypatch.setenv("AWS_CLI", str(aws))
    monkeypatch.setenv("PIPELINE_GENERATOR_POLL_SECONDS", "0.02")
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert main(["build"]) == 0
    return tmp_path


def aws_dir(project: Path) -> Path:
    return project / "aws"


def overrides(call: list[str]) -> list[str]:
    start = call.index("--parameter-overrides") + 1
    rest = call[start:]
    return [a for a in rest[: next((i for i, a in enumerate(rest) if a.startswith("--")), None)]]


def set_spec(project: Path, old: str, new: str) -> None:
    spec = project / "specs" / "shop.yaml"
    spec.write_text(spec.read_text().replace(old, new))


# 1. spec values reach the stack on every deploy ----------------------------------------------


@pytest.mark.slow
def test_the_specs_values_reach_the_stack_on_every_deploy(project: Path, capsys) -> None:
    """The values are literals in the template that deploys, so a changed spec reaches the
    stack through `deploy`, plain `aws cloudformation deploy` and the console alike."""
    deployed = project / "templates" / "shop-prod.yaml"
    assert main(["deploy", "shop-prod"]) == 0
    assert "TimeoutInMinutes: 30\n" in deployed.read_text()
    set_spec(project, "timeout: 30", "timeout: 90")
    assert main(["build"]) == 0
    assert main(["deploy", "shop-prod"]) == 0
    assert "TimeoutInMinutes: 90\n" in deployed.read_text()
    assert "Parameters" not in deployed.read_text()
    calls = deploy_calls(aws_dir(project))
    assert len(calls) == 2
    assert all("--parameter-overrides" not in call for call in calls)
    # A one-off value is no longer a deploy option: the spec is the one place to change it.
    capsys.readouterr()
    assert main(["deploy", "shop-prod", "--parameter-overrides", "BuildTimeoutInMinutes=45"]) == 2
    assert "set build.timeout in the spec" in capsys.readouterr().err
    assert len(deploy_calls(aws_dir(project))) == 2


# 2. deploy-all selects by the environment recorded in the template --------------------------


@pytest.mark.parametrize("environment, expected", [("prod", ["shop-prod"]), ("dev", ["shop-dev"])])
def test_deploy_all_picks_stacks_by_recorded_environment(
    project: Path, environment: str, expected: list[str], capsys
) -> None:
    # A template that merely ends in -prod / -dev, written by hand, is not selected either.
    (project / "templates" / f"legacy-{environment}.yaml").write_text("Resources: {}\n")
    assert main(["deploy-all", environment]) == 0
    deployed = [c[c.index("--stack-name") + 1] for c in deploy_calls(aws_dir(project))]
    assert deployed == expected


# 3. removed environments leave no template behind --------------------------------------------


def test_build_removes_the_templates_of_a_removed_environment(project: Path, capsys) -> None:
    templates = project / "templates"
    orphan = (templates / "shop-non-prod.json").read_text()
    (templates / "notes.json").write_text("{}\n")  # not ours: left alone
    set_spec(
        project, "  non-prod: {branch: staging, deploy: {s3: {bucket: acme-shop-non-prod}}}\n", ""
    )
    capsys.readouterr()
    assert main(["build"]) == 0
    err = capsys.readouterr().err
    assert (
        "templates/shop-non-prod.json, templates/shop-non-prod.yaml: removed (stack "
        "shop-non-prod; if it is deployed and no longer wanted: aws cloudformation "
        "delete-stack --stack-name shop-non-prod)" in err
    )
    assert "templates/notes.json: not written by this generator; left alone" in err
    assert not (templates / "shop-non-prod.json").exists()
    assert (templates / "notes.json").exists()
    assert main(["check"]) == 0  # check agrees with build
    (templates / "shop-non-prod.json").write_text(orphan)  # e.g. restored by a merge
    capsys.readouterr()
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "templates/shop-non-prod.json: no spec builds it any more" in err
    assert "templates are stale: run `pipeline-generator build`" in err  # no Makefile here
    assert main(["deploy-all", "non-prod"]) == 1  # refused: no spec builds it


# 4. one file deploys, and every command reads it ---------------------------------------------


def test_diff_reads_the_file_that_deploys_and_shows_values(project: Path, capsys) -> None:
    yaml_file = project / "templates" / "shop-dev.yaml"
    yaml_file.write_text(
        yaml_file.read_text().replace("TimeoutInMinutes: 10", "TimeoutInMinutes: 12")
    )
    set_spec(project, "timeout: 30", "timeout: 90")
    capsys.readouterr()
    assert main(["diff"]) == 1
    out = capsys.readouterr().out
    assert "shop-dev (templates/shop-dev.yaml):" in out
    assert "  ~ update  BridgeProject (AWS::CodeBuild::Project): TimeoutInMinutes" in out
    assert "      TimeoutInMinutes: 12 -> 10" in out
    assert (
        "  ~ update  BuildProject (AWS::CodeBuild::Project): TimeoutInMinutes\n"
        "      TimeoutInMinutes: 30 -> 90"
    ) in out


# 5. the size limit applies to the file that deploys ------------------------------------------


@pytest.mark.slow
def test_size_limit_is_checked_on_the_deployed_file(project: Path, capsys) -> None:
    tags = "".join(f"  tag-{i:02d}: {'v' * 90}\n" for i in range(16))
    set_spec(project, "tags: {team: web}\n", "tags:\n" + tags)
    assert main(["build"]) == 0  # JSON is over the limit, the YAML that deploys is not
    sizes = {p.suffix: p.stat().st_size for p in (project / "templates").glob("shop-prod.*")}
    assert sizes[".json"] > 51_200 > sizes[".yaml"]
    print(f"\n16 tags: JSON {sizes['.json']} bytes, YAML {sizes['.yaml']} bytes")
    capsys.readouterr()
    assert main(["build", "--format", "json", "-o", "json-only"]) == 1
    assert "shop-prod.json: " in capsys.readouterr().err
    shutil.rmtree(project / "templates")
    assert main(["build", "--format", "yaml"]) == 0
    assert main(["deploy", "shop-prod"]) == 0
    (call,) = deploy_calls(aws_dir(project))
    tags_given = call[call.index("--tags") + 1 :]
    assert len(tags_given) == 16  # read from the YAML: no JSON twin needed


# 6. files are written with the user's umask ----------------------------------------------------


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_files_are_written_with_the_users_umask(project: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        shutil.rmtree(project / "templates")
        assert main(["build"]) == 0
        readme = project / "spec-reference.md"
        original = (ROOT / "docs" / "spec-reference.md").read_text()
        readme.write_text(original.replace("## Field reference", "## Fields"))
        os.chmod(readme, mode)
        assert main(["reference", "--write", str(readme)]) == 0
    finally:
        os.umask(previous)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (project / "templates").iterdir()}
    assert modes == {mode}
    assert stat.S_IMODE(readme.stat().st_mode) == mode


# 7. deploy refuses a template that is not what its spec builds today -------------------------


def test_deploy_refuses_a_stale_template(project: Path, capsys) -> None:
    set_spec(project, "timeout: 30", "timeout: 90")
    capsys.readouterr()
    assert main(["deploy", "shop-prod"]) == 2
    err = capsys.readouterr().err
    assert (
        "refused: templates/shop-prod.yaml is not what its spec builds today: run "
        "`make templates`, review the change (`python -m generator diff`), and deploy again"
    ) in err
    assert deploy_calls(aws_dir(project)) == []
    assert main(["build"]) == 0
    assert main(["deploy", "shop-prod"]) == 0


# 8. messages that say what is wrong and what to do ---------------------------------------------


def test_check_names_the_command_that_fixes_its_folder(project: Path, capsys) -> None:
    assert main(["build", "specs", "-o", "other", "--format", "yaml"]) == 0
    set_spec(project, "timeout: 30", "timeout: 90")
    capsys.readouterr()
    assert main(["check", "specs", "-o", "other", "--format", "yaml"]) == 1
    assert (
        "templates are stale: run `python -m generator build specs -o other --format yaml`"
        in capsys.readouterr().err
    )


def test_check_of_one_format_ignores_the_other(project: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["check", "--format", "yaml"]) == 0
    assert "not built from any spec" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "output, expected",
    [
        ("a-file", "error: a-file is a file, not a folder: name a folder with -o"),
        ("a-file/sub", "error: cannot create a-file/sub: Not a directory"),
    ],
)
def test_an_unusable_output_folder_is_named(project: Path, output, expected, capsys) -> None:
    (project / "a-file").write_text("")
    capsys.readouterr()
    assert main(["build", "specs", "-o", output]) == 2
    err = capsys.readouterr().err
    assert expected in err and ".tmp" not in err


def test_an_unwritable_output_folder_names_the_folder(project: Path, capsys, monkeypatch) -> None:
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/x/.shop-dev.json.abc.tmp")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    capsys.readouterr()
    assert main(["build", "specs", "-o", "fresh"]) == 2
    err = capsys.readouterr().err
    assert "error: cannot write to fresh: Permission denied" in err and ".tmp" not in err


@pytest.mark.parametrize(
    "text, expected",
    [
        (SHOP.replace("build: {timeout: 30}", "build:\n\ttimeout: 30"),
         "specs/shop.yaml:4:1: a tab indents this line; YAML indents with spaces only"),
        (SHOP + "---\nservice: other\n",
         "specs/shop.yaml:10:1: this file holds more than one YAML document (---): one service "
         "per spec file"),
    ],
)  # fmt: skip
def test_yaml_mistakes_are_named_in_the_authors_terms(
    project: Path, text, expected, capsys
) -> None:
    (project / "specs" / "shop.yaml").write_text(text)
    capsys.readouterr()
    assert main(["build"]) == 2
    assert expected in capsys.readouterr().err


def test_upper_case_suffixes_and_nested_folders_are_found(project: Path) -> None:
    team = project / "specs" / "team"
    team.mkdir()
    (team / "Cart.YAML").write_text(SHOP.replace("service: shop", "service: cart"))
    (project / "specs" / ".hidden.yaml").write_text("not: a spec")
    assert main(["build"]) == 0
    assert (project / "templates" / "cart-prod.yaml").exists()


# what users of cdk deploy / sam deploy expect -----------------------------------------------

OLD = event(1, "shop-prod", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE")


def test_deploy_shows_new_events_then_the_outputs(project: Path, capsys) -> None:
    folder = aws_dir(project)
    created = [
        event(2, "shop-prod", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
        event(3, "SourceBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS"),
        event(4, "SourceBucket", "AWS::S3::Bucket", "CREATE_COMPLETE"),
        event(5, "shop-prod", "AWS::CloudFormation::Stack", "CREATE_COMPLETE"),
    ]
    write_events(folder, [OLD], [OLD, *created[:2]], [OLD, *created])
    (folder / "stacks.json").write_text(
        json.dumps(
            {
                "Stacks": [
                    {
                        "StackName": "shop-prod",
                        "StackStatus": "CREATE_COMPLETE",
                        "Outputs": [{"OutputKey": "PipelineName", "OutputValue": "shop-prod"}],
                    }
                ]
            }
        )
    )
    capsys.readouterr()
    assert main(["deploy", "shop-prod"]) == 0
    out = capsys.readouterr().out
    assert "UPDATE_COMPLETE" not in out  # an event of an earlier deploy
    assert "  10:00:03  CREATE_IN_PROGRESS     SourceBucket (AWS::S3::Bucket)" in out
    assert out.count("SourceBucket (AWS::S3::Bucket)") == 2  # each event printed once
    assert out.rstrip().endswith(
        "Stack shop-prod is deployed. Outputs:\n  PipelineName = shop-prod"
    )


def test_a_failed_first_create_names_the_resource_and_the_cleanup(
    project: Path, capsys, monkeypatch
) -> None:
    folder = aws_dir(project)
    write_events(
        folder,
        [],
        [
            event(1, "shop-prod", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS"),
            event(2, "PipelineRole", "AWS::IAM::Role", "CREATE_FAILED",
                  "Resource handler returned message: \"User is not authorized to perform: "
                  "iam:CreateRole\""),
            event(3, "BuildRole", "AWS::IAM::Role", "CREATE_FAILED", "Resource creation cancelled"),
            event(4, "shop-prod", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE"),
        ],
    )  # fmt: skip
    (folder / "stacks-after-deploy.json").write_text(
        json.dumps({"Stacks": [{"StackName": "shop-prod", "StackStatus": "ROLLBACK_COMPLETE"}]})
    )
    monkeypatch.setenv("FAKE_AWS_EXIT", "255")
    capsys.readouterr()
    assert main(["deploy", "shop-prod"]) == 1
    err = capsys.readouterr().err
    assert (
        "Deploying shop-prod failed: PipelineRole (AWS::IAM::Role) CREATE_FAILED: Resource "
        'handler returned message: "User is not authorized to perform: iam:CreateRole"' in err
    )
    assert "aws cloudformation delete-stack --stack-name shop-prod" in err


def test_a_dry_run_of_a_new_stack_says_it_leaves_review_in_progress(project: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["deploy", "shop-prod", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "shop-prod did not exist: CloudFormation created it in REVIEW_IN_PROGRESS" in out
    assert "delete-stack --stack-name shop-prod" in out


def test_deploy_all_keeps_going_past_a_failure_and_ends_with_a_table(project: Path, capsys) -> None:
    stale = project / "templates" / "shop-dev.yaml"
    stale.write_text(stale.read_text() + "# edited by hand\n")
    (project / "specs" / "cart.yaml").write_text(SHOP.replace("service: shop", "service: cart"))
    assert main(["build", "specs/cart.yaml"]) == 0
    capsys.readouterr()
    assert main(["deploy-all", "dev", "--jobs", "2"]) == 1
    table = capsys.readouterr().out.splitlines()[-3:]
    assert table[0].split() == ["stack", "result", "seconds", "reason"]
    assert table[1].split()[:2] == ["cart-dev", "deployed"]
    assert table[2].split()[:2] == ["shop-dev", "refused"]
    assert "is not what its spec builds today" in table[2]


def test_diff_against_the_deployed_stack(project: Path, capsys) -> None:
    folder = aws_dir(project)
    deployed = json.loads((project / "templates" / "shop-prod.json").read_text())
    deployed["Resources"]["BridgeProject"]["Properties"]["TimeoutInMinutes"] = 15
    (folder / "template.json").write_text(json.dumps({"TemplateBody": deployed}))
    capsys.readouterr()
    assert main(["diff", "--deployed", "shop-prod"]) == 1
    out = capsys.readouterr().out
    assert "      TimeoutInMinutes: 15 -> 10" in out
    assert "Parameter" not in out
    (folder / "template.json").unlink()
    assert main(["diff", "--deployed", "shop-prod"]) == 2


def test_diff_of_a_stack_deployed_with_the_parameters_of_an_earlier_release(
    project: Path, capsys
) -> None:
    """Upgrading: the stack's parameter (here overridden to 60 at an earlier deploy) goes
    away, and the template's literal, the spec's value, takes its place."""
    folder = aws_dir(project)
    deployed = json.loads((project / "templates" / "shop-prod.json").read_text())
    deployed["Parameters"] = {"BuildTimeoutInMinutes": {"Type": "Number", "Default": 30}}
    build = deployed["Resources"]["BuildProject"]["Properties"]
    build["TimeoutInMinutes"] = {"Ref": "BuildTimeoutInMinutes"}
    (folder / "template.json").write_text(json.dumps({"TemplateBody": deployed}))
    parameters = [{"ParameterKey": "BuildTimeoutInMinutes", "ParameterValue": "60"}]
    (folder / "stacks.json").write_text(
        json.dumps({"Stacks": [{"StackName": "shop-prod", "Parameters": parameters}]})
    )
    capsys.readouterr()
    assert main(["diff", "--deployed", "shop-prod"]) == 1
    out = capsys.readouterr().out
    assert '      TimeoutInMinutes: {"Ref":"BuildTimeoutInMinutes"} -> 30' in out
    assert "  - remove  BuildTimeoutInMinutes (Parameter)" in out
    assert (
        "  - value   BuildTimeoutInMinutes (Parameter value): 60 -> the spec's build.timeout, "
        "a literal in the template"
    ) in out


def test_check_and_deploy_name_a_wrong_folder(project: Path, capsys) -> None:
    (project / "a-file").write_text("")
    capsys.readouterr()
    assert main(["check", "-o", "a-file"]) == 2
    assert "a-file is a file, not a folder: name a folder with -o" in capsys.readouterr().err
    assert main(["build", "specs", "-o", "elsewhere"]) == 0
    shutil.move(project / "specs", project / "team-specs")
    assert main(["deploy", "shop-prod", "-o", "elsewhere"]) == 2
    err = capsys.readouterr().err
    assert (
        "(no spec in specs has service: shop): if its spec lives in another folder, pass "
        "--specs DIR"
    ) in err
    assert main(["deploy", "shop-prod", "-o", "elsewhere", "--specs", "team-specs"]) == 0
