"""Deploying like the tools users know (issue 19): --profile/--region on every AWS call,
checks before the first write with the fix in each message, the change set as a table,
termination protection and a "next" list after a first create, known failures with their
fix, stack names and template paths, deploy-all within one specs folder.

The real command line runs in a project folder against tests/fake_aws.py, which records
every call: a refused deploy asserts that nothing was written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.cli import main
from generator.ops.changeset import change_table

from .fake_aws import RECORDED, calls, event, install, write_events, writes

# every test runs the fake `aws` (a Python process) a dozen times
pytestmark = pytest.mark.slow

CONNECTION = "arn:aws:codeconnections:eu-central-1:111122223333:connection/0c9f1a2b-3c4d"
SHOP = """\
service: shop
repository: {url: "https://bitbucket.org/acme/shop.git"}
notifications: {emails: [web-team@example.com]}
environments:
  dev:
    branch: develop
    events: [pull-request-merged]
    deploy: {s3: {bucket: acme-shop-dev}}
  prod: {branch: main, deploy: {s3: {bucket: acme-shop-prod}}}
checks: {branches: [develop]}
tags: {team: web}
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """specs/shop.yaml, built, as the current directory; the stand-in `aws` first on PATH
    (no AWS_CLI: the product uses the `aws` on PATH)."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yaml").write_text(SHOP)
    monkeypatch.chdir(tmp_path)
    install(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    monkeypatch.delenv("AWS_CLI", raising=False)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIPELINE_GENERATOR_POLL_SECONDS", "0.02")
    assert main(["build"]) == 0
    return tmp_path


def fake(project: Path) -> Path:
    return project / "bin"


def deploy(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["deploy", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def answer(project: Path, name: str, data: object) -> None:
    (fake(project) / name).write_text(json.dumps(data))


def test_profile_and_region_go_on_every_aws_call(project: Path, capsys) -> None:
    status, out, _ = deploy(capsys, "shop-dev", "--profile", "p", "--region", "eu-west-1")
    assert status == 0
    made = calls(fake(project))
    assert [c[:2] for c in made][:2] == [
        ["sts", "get-caller-identity"],
        ["codebuild", "list-source-credentials"],
    ]
    for call in made:
        assert call[call.index("--profile") + 1] == "p", call
        assert call[call.index("--region") + 1] == "eu-west-1", call
    assert "account 111122223333 (arn:aws:sts::111122223333:assumed-role/Admin/alice), " in out


def test_a_dry_run_prints_the_change_set_as_a_table(project: Path, capsys) -> None:
    status, out, _ = deploy(capsys, "shop-dev", "--dry-run", "--region", "eu-west-1")
    assert status == 0
    (describe,) = [c for c in calls(fake(project)) if c[1] == "describe-change-set"]
    assert describe[3].startswith("arn:aws:cloudformation:eu-west-1:111122223333:changeSet/")
    assert (
        "Action    LogicalResourceId  ResourceType             Replacement\n"
        "--------  -----------------  -----------------------  -----------\n"
        "+ Add     SourceBucket       AWS::S3::Bucket          N/A\n"
        "* Modify  BridgeProject      AWS::CodeBuild::Project  False\n"
        "- Remove  OldTopic           AWS::SNS::Topic          N/A\n"
    ) in out
    assert [c[1] for c in writes(fake(project))] == ["deploy"]


def test_credentials_that_do_not_work_stop_before_any_write(project: Path, capsys) -> None:
    error = "The SSO session associated with this profile has expired or is otherwise invalid."
    (fake(project) / "identity.json.error").write_text(error)
    status, _, err = deploy(capsys, "shop-dev", "--profile", "p")
    assert status == 2
    assert f"--profile p cannot call sts get-caller-identity:\n{error}\n" in err
    assert "Sign in (`aws sso login --profile p` or `aws configure`)" in err
    assert writes(fake(project)) == []


def with_connection(project: Path, connection: str = CONNECTION) -> None:
    spec = project / "specs" / "shop.yaml"
    spec.write_text(
        spec.read_text().replace(
            'repository: {url: "https://bitbucket.org/acme/shop.git"}',
            'repository: {url: "https://bitbucket.org/acme/shop.git", '
            f'connection: "{connection}"}}',
        )
    )
    assert main(["build"]) == 0


def test_a_pending_connection_says_to_finish_the_handshake(project: Path, capsys) -> None:
    with_connection(project)
    answer(
        project,
        "connection.json",
        {
            "Connection": {
                "ConnectionName": "acme-bitbucket",
                "ConnectionArn": CONNECTION,
                "ProviderType": "Bitbucket",
                "OwnerAccountId": "111122223333",
                "ConnectionStatus": "PENDING",
            }
        },
    )
    status, _, err = deploy(capsys, "shop-dev", "--region", "eu-west-1")
    assert status == 2
    assert (
        "the connection acme-bitbucket is PENDING: finish the handshake in the console: "
        "Developer Tools > Settings > Connections > acme-bitbucket > Update pending connection"
    ) in err
    assert writes(fake(project)) == []


def test_a_connection_for_another_host_is_refused(project: Path, capsys) -> None:
    with_connection(project)
    recorded = {
        "ConnectionName": "acme-gh",
        "ProviderType": "GitHub",
        "ConnectionStatus": "AVAILABLE",
    }
    answer(project, "connection.json", {"Connection": recorded})
    status, _, err = deploy(capsys, "shop-dev")
    assert status == 2
    assert (
        "the connection acme-gh is for GitHub, but the spec's repository is on Bitbucket: use a "
        "Bitbucket connection in repository.connection"
    ) in err
    assert writes(fake(project)) == []


def test_a_connection_made_in_another_region_is_used(project: Path, capsys) -> None:
    """Connections are global resources (Developer Tools console user guide): the ARN's
    eu-central-1 is no reason to refuse a deploy to eu-west-1."""
    with_connection(project)
    status, _, err = deploy(capsys, "shop-dev", "--region", "eu-west-1")
    assert status == 0, err
    assert ["codeconnections", "get-connection", "--connection-arn", CONNECTION] == calls(
        fake(project)
    )[1][:4]


def test_a_connection_of_another_account_names_the_profile_to_use(project: Path, capsys) -> None:
    with_connection(project, CONNECTION.replace("111122223333", "444455556666"))
    status, _, err = deploy(capsys, "shop-dev")
    assert status == 2
    assert (
        "belongs to account 444455556666, but the credentials are for account 111122223333" in err
    )
    assert writes(fake(project)) == []


def test_without_a_connection_the_host_needs_a_stored_credential(project: Path, capsys) -> None:
    answer(project, "credentials.json", {"sourceCredentialsInfos": []})
    status, _, err = deploy(capsys, "shop-dev", "--region", "eu-west-1")
    assert status == 2
    assert (
        "no CodeBuild source credential for BITBUCKET in eu-west-1, which BridgeProject's webhook "
        "needs: deploy the bootstrap-bitbucket stack first"
    ) in err
    assert writes(fake(project)) == []


def test_a_topic_in_another_region_is_refused(project: Path, capsys) -> None:
    spec = project / "specs" / "shop.yaml"
    topic = "arn:aws:sns:us-east-1:111122223333:web-alerts"
    spec.write_text(
        spec.read_text().replace("{emails: [web-team@example.com]}", f'{{topic: "{topic}"}}')
    )
    assert main(["build"]) == 0
    status, _, err = deploy(capsys, "shop-dev", "--region", "eu-west-1")
    assert status == 2
    assert (
        f"the SNS topic {topic} is in us-east-1, but this deploy goes to eu-west-1; SNS topics "
        "are Regional"
    ) in err
    assert writes(fake(project)) == []
    assert deploy(capsys, "shop-dev", "--region", "us-east-1")[0] == 0


def test_a_rolled_back_stack_is_refused_with_the_delete_command(project: Path, capsys) -> None:
    answer(
        project,
        "stacks.json",
        {"Stacks": [{"StackName": "shop-dev", "StackStatus": "ROLLBACK_COMPLETE"}]},
    )
    status, _, err = deploy(capsys, "shop-dev", "--dry-run")
    assert status == 2
    assert (
        "stack shop-dev is ROLLBACK_COMPLETE: its first create failed and it cannot be updated. "
        "Delete it and deploy again:\n  aws cloudformation delete-stack --stack-name shop-dev"
    ) in err
    assert writes(fake(project)) == []


def test_role_arn_deployer_reads_the_deployer_stacks_output(project: Path, capsys) -> None:
    status, _, err = deploy(capsys, "shop-dev", "--role-arn", "deployer")
    assert status == 2
    assert (
        "--role-arn deployer: stack pipeline-bootstrap-deployer has no output DeployRoleArn"
    ) in err
    assert writes(fake(project)) == []
    role = "arn:aws:iam::111122223333:role/pipeline-bootstrap-deployer-DeployRole-1"
    outputs = [{"OutputKey": "DeployRoleArn", "OutputValue": role}]
    answer(
        project,
        "stacks.json",
        {"Stacks": [{"StackName": "x", "StackStatus": "CREATE_COMPLETE", "Outputs": outputs}]},
    )
    assert deploy(capsys, "shop-dev", "--role-arn", "deployer")[0] == 0
    (call,) = writes(fake(project))
    assert call[call.index("--role-arn") + 1] == role
    assert deploy(capsys, "shop-dev", "--role-arn", "arn:aws:iam::111122223333:role/cfn")[0] == 0
    assert writes(fake(project))[-1][writes(fake(project))[-1].index("--role-arn") + 1] == (
        "arn:aws:iam::111122223333:role/cfn"
    )


def test_a_first_create_of_production_turns_on_termination_protection(
    project: Path, capsys
) -> None:
    status, out, _ = deploy(capsys, "shop-prod")
    assert status == 0
    assert [c[1] for c in writes(fake(project))] == ["deploy", "update-termination-protection"]
    assert writes(fake(project))[1][2:5] == [
        "--enable-termination-protection", "--stack-name", "shop-prod",
    ]  # fmt: skip
    assert "Termination protection is on for shop-prod (a production stack)." in out
    # dev is not production: no protection
    deploy(capsys, "shop-dev")
    assert [c[1] for c in writes(fake(project))][2:] == ["deploy"]


def test_a_first_create_ends_with_what_to_do_next(project: Path, capsys) -> None:
    status, out, _ = deploy(capsys, "shop-dev")
    assert status == 0
    next_list = out[out.index("Next:") :]
    assert "  - confirm the SNS subscription e-mail AWS sent to web-team@example.com" in next_list
    assert (
        "  - in Bitbucket, Repository settings > Webhooks > the CodeBuild webhook: tick Pull "
        "Request: Merged" in next_list
    )
    assert (
        "fails in Source (NoSuchKey: no source.zip yet), as expected; push to develop" in next_list
    )
    assert "  - deploy the pull-request checks: pipeline-generator deploy shop-checks" in next_list
    # an update of an existing stack has no next list
    answer(
        project,
        "stacks.json",
        {"Stacks": [{"StackName": "shop-dev", "StackStatus": "CREATE_COMPLETE"}]},
    )
    assert "Next:" not in deploy(capsys, "shop-dev")[1]


def test_a_failed_webhook_prints_its_fix(project: Path, capsys, monkeypatch) -> None:
    reason = (
        "Failed to call CreateWebhook, reason: No Access token found, please visit AWS CodeBuild "
        "console to connect to Bitbucket (Service: AWSCodeBuild; Status Code: 400; Error Code: "
        "InvalidInputException)"
    )
    write_events(
        fake(project),
        [],
        [
            event(1, "shop-dev", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS"),
            event(2, "BridgeProject", "AWS::CodeBuild::Project", "CREATE_FAILED", reason),
            event(3, "shop-dev", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE"),
        ],
    )
    monkeypatch.setenv("FAKE_AWS_EXIT", "255")
    status, _, err = deploy(capsys, "shop-dev")
    assert status == 1
    assert f"BridgeProject (AWS::CodeBuild::Project) CREATE_FAILED: {reason}" in err
    assert "Fix: CodeBuild has no source credential for this Git host" in err


def test_cli_errors_are_shown_verbatim(project: Path, capsys, monkeypatch) -> None:
    said = (
        "An error occurred (InsufficientCapabilitiesException) when calling the CreateChangeSet "
        "operation: Requires capabilities : [CAPABILITY_NAMED_IAM]"
    )
    (fake(project) / "deploy.txt").write_text(said + "\n")
    monkeypatch.setenv("FAKE_AWS_EXIT", "254")
    status, _, err = deploy(capsys, "shop-dev")
    assert status == 1
    assert f"Deploying shop-dev failed: the AWS CLI exited with 254:\n{said}" in err


@pytest.mark.parametrize("name", ["shop-dev", "templates/shop-dev.yaml", "shop-dev.json"])
def test_a_stack_is_named_by_stem_or_template_path(project: Path, capsys, name: str) -> None:
    assert deploy(capsys, name)[0] == 0
    (call,) = writes(fake(project))
    assert call[call.index("--stack-name") + 1] == "shop-dev"


def test_a_bootstrap_stack_is_named_by_its_stack_name(project: Path, capsys) -> None:
    assert deploy(capsys, "pipeline-bootstrap-bitbucket", "--dry-run")[0] == 0
    (call,) = writes(fake(project))
    assert call[2:6] == [
        "--template-file", "templates/bootstrap-bitbucket.yaml",
        "--stack-name", "pipeline-bootstrap-bitbucket",
    ]  # fmt: skip


def test_an_unknown_stack_suggests_the_nearest_names(project: Path, capsys) -> None:
    status, _, err = deploy(capsys, "shop-dve")
    assert status == 2
    assert "no template for stack 'shop-dve' in templates: did you mean shop-dev or " in err
    assert "bootstrap" not in err  # the nearest names, not all of them
    assert calls(fake(project)) == []


def test_deploy_all_touches_only_the_stacks_of_the_specs_folder(project: Path, capsys) -> None:
    """A specs folder given with --specs: the examples built into the same templates folder
    (here a spec elsewhere) are not deployed."""
    (project / "examples").mkdir()
    (project / "examples" / "cart.yaml").write_text(SHOP.replace("service: shop", "service: cart"))
    assert main(["build", "examples"]) == 0
    assert (project / "templates" / "cart-dev.yaml").exists()
    capsys.readouterr()
    assert main(["deploy-all", "dev", "--specs", "specs"]) == 0
    stacks = [c[c.index("--stack-name") + 1] for c in writes(fake(project))]
    assert stacks == ["shop-dev"]


def test_the_change_table_of_a_recorded_answer() -> None:
    assert change_table({"Changes": []}) == "The change set has no resource changes."
    table = change_table(RECORDED["changeset.json"]).splitlines()
    assert table[0].split() == ["Action", "LogicalResourceId", "ResourceType", "Replacement"]
    assert [row.split()[-1] for row in table[2:]] == ["N/A", "False", "N/A"]
