"""The deploy path runs the real scripts against a stand-in `aws` that records its
arguments: exact command lines, refusals and exit codes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from generator.ops.deploy import TEMPLATE_BODY_LIMIT, oversized

from .conftest import ROOT
from .fake_aws import deploy_calls, install

# the real scripts and make targets in subprocesses: `make test-fast` skips them
pytestmark = pytest.mark.slow

BASE = [
    "cloudformation", "deploy",
    "--template-file", "templates/orders-api-dev.yaml",
    "--stack-name", "orders-api-dev",
    "--capabilities", "CAPABILITY_IAM",
    "--no-fail-on-empty-changeset",
    "--tags", "cost-center=4711", "team=payments",
]  # fmt: skip


@pytest.fixture()
def fake_aws(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in `aws` first on PATH (tests/fake_aws.py): (its folder, its folder)."""
    folder = tmp_path / "bin"
    install(folder)
    return folder, folder


def run(args: list[str], bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ |= {"PATH": f"{bin_dir}:{environ['PATH']}", "PIPELINE_GENERATOR_POLL_SECONDS": "0.05"}
    environ |= env
    return subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True)


def calls(folder: Path) -> list[list[str]]:
    return deploy_calls(folder)


def test_deploy_script_runs_the_exact_command_and_prints_the_next_step(fake_aws) -> None:
    bin_dir, log = fake_aws
    result = run(["scripts/deploy.sh", "orders-api-dev"], bin_dir)
    assert result.returncode == 0, result.stderr
    # No --parameter-overrides: the spec's values are literals in the template.
    assert calls(log) == [BASE]
    assert "describe-stacks --stack-name orders-api-dev" in result.stdout


def test_dry_run_and_region(fake_aws) -> None:
    bin_dir, log = fake_aws
    result = run(
        ["scripts/deploy.sh", "orders-api-dev", "--dry-run"], bin_dir, AWS_REGION="eu-west-1"
    )
    assert result.returncode == 0, result.stderr
    assert calls(log) == [
        BASE[:9] + ["--region", "eu-west-1"] + BASE[9:] + ["--no-execute-changeset"]
    ]
    # the change set as `sam deploy --no-execute-changeset` shows it
    assert "Action    LogicalResourceId  ResourceType             Replacement" in result.stdout
    assert "* Modify  BridgeProject      AWS::CodeBuild::Project  False" in result.stdout
    assert "+ Add     SourceBucket       AWS::S3::Bucket          N/A" in result.stdout


def test_an_override_of_a_parameter_the_template_lacks_is_refused(fake_aws) -> None:
    """A script written for an earlier release (PARAMS="BuildTimeoutInMinutes=30") is told
    where the value lives now, instead of CloudFormation's own error."""
    bin_dir, log = fake_aws
    result = run(
        [
            "scripts/deploy.sh",
            "orders-api-dev",
            "--parameter-overrides",
            "BuildTimeoutInMinutes=30",
        ],
        bin_dir,
    )
    assert result.returncode == 2
    assert (
        "refused: --parameter-overrides BuildTimeoutInMinutes=30: "
        "templates/orders-api-dev.yaml has no parameter BuildTimeoutInMinutes (it has none); "
        "set build.timeout in the spec and run `make templates`"
    ) in result.stderr
    result = run(
        ["scripts/deploy.sh", "bootstrap-github", "--parameter-overrides", "TokenSecret=x"],
        bin_dir,
    )
    assert result.returncode == 2
    assert (
        "refused: --parameter-overrides TokenSecret=x: templates/bootstrap-github.yaml has no "
        "parameter TokenSecret (its parameters: TokenSecretName)"
    ) in result.stderr
    assert calls(log) == []


def test_unknown_stack_is_refused_without_calling_aws(fake_aws) -> None:
    bin_dir, log = fake_aws
    result = run(["scripts/deploy.sh", "orders-api-staging"], bin_dir)
    assert result.returncode == 2
    assert "refused: no template for stack 'orders-api-staging'" in result.stderr
    assert "orders-api-dev" in result.stderr
    assert calls(log) == []


def test_a_failing_aws_cli_fails_the_deploy(fake_aws) -> None:
    bin_dir, log = fake_aws
    result = run(["scripts/deploy.sh", "orders-api-dev"], bin_dir, FAKE_AWS_EXIT="255")
    assert result.returncode == 1
    assert "is deployed" not in result.stdout
    assert "Deploying orders-api-dev failed: the AWS CLI exited with 255" in result.stderr


@pytest.mark.parametrize(
    "stem, parameters",
    [
        ("bootstrap-bitbucket", ["AtlassianEmail=ci@example.com", "TokenSecretName=ci/bb"]),
        ("bootstrap-github", ["TokenSecretName=ci/github-token"]),
    ],
)
def test_each_git_host_has_its_own_bootstrap_stack(fake_aws, stem, parameters) -> None:
    bin_dir, log = fake_aws
    result = run(["scripts/deploy.sh", stem, "--parameter-overrides", *parameters], bin_dir)
    assert result.returncode == 0, result.stderr
    (call,) = calls(log)
    assert call[:8] == [
        "cloudformation",
        "deploy",
        "--template-file",
        f"templates/{stem}.yaml",
        "--stack-name",
        f"pipeline-{stem}",
        "--capabilities",
        "CAPABILITY_IAM",
    ]


def test_make_deploy_and_deploy_all_use_the_cli_the_makefile_names(fake_aws) -> None:
    bin_dir, log = fake_aws
    aws = str(bin_dir / "aws")
    result = run(
        [
            "make",
            "--no-print-directory",
            "deploy",
            "STACK=orders-api-dev",
            "DRY_RUN=1",
            f"AWS_CLI={aws}",
        ],
        bin_dir,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls(log) == [BASE + ["--no-execute-changeset"]]
    print("\nmake deploy ran: aws " + " ".join(calls(log)[0]))
    result = run(
        ["make", "--no-print-directory", "deploy-all", "ENV=prod", f"AWS_CLI={aws}"], bin_dir
    )
    assert result.returncode == 0, result.stdout + result.stderr
    stacks = sorted(call[call.index("--stack-name") + 1] for call in calls(log)[1:])
    prod = [
        "inventory-api-prod",
        "ledger-service-prod",
        "orders-api-prod",
        "payments-gateway-prod",
        "storefront-web-prod",
    ]
    assert stacks == prod
    lines = result.stdout.splitlines()
    header = [
        i
        for i, line in enumerate(lines)
        if line.split() == ["stack", "result", "seconds", "reason"]
    ]
    table = lines[header[-1] : header[-1] + 1 + len(prod)]
    # shipping-api (many accounts) is left to credentials of its accounts, and said so
    assert "Not deployed with these credentials" in result.stdout
    assert [row.split()[:2] for row in table[1:]] == [[name, "deployed"] for name in prod]


def test_templates_over_the_inline_limit_are_named() -> None:
    big = "x" * (TEMPLATE_BODY_LIMIT + 1)
    assert oversized({"a.json": big, "b.json": "{}"}) == [
        f"a.json: {TEMPLATE_BODY_LIMIT + 1} bytes is over CloudFormation's 51200-byte inline "
        "template limit; build with --allow-large (make templates ALLOW_LARGE=1) and deploy "
        "with --s3-bucket (make deploy DEPLOY_BUCKET=...)"
    ]


def test_a_checks_stack_and_a_strict_stack_deploy_like_any_other(fake_aws) -> None:
    bin_dir, log = fake_aws
    for stack in ("orders-api-checks", "ledger-service-prod"):
        result = run(["scripts/deploy.sh", stack], bin_dir)
        assert result.returncode == 0, result.stderr
    for call, stack in zip(calls(log), ("orders-api-checks", "ledger-service-prod"), strict=True):
        assert call[call.index("--stack-name") + 1] == stack
        assert "--parameter-overrides" not in call


def test_the_execution_role_deploys_as_its_own_bootstrap_stack(fake_aws) -> None:
    bin_dir, log = fake_aws
    result = run(["scripts/deploy.sh", "bootstrap-deployer"], bin_dir)
    assert result.returncode == 0, result.stderr
    (call,) = calls(log)
    assert call[:8] == [
        "cloudformation",
        "deploy",
        "--template-file",
        "templates/bootstrap-deployer.yaml",
        "--stack-name",
        "pipeline-bootstrap-deployer",
        "--capabilities",
        "CAPABILITY_IAM",
    ]
