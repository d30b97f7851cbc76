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
# The spec's values, passed on every deploy (aws cloudformation deploy would keep a stack's
# previous values otherwise).
SPEC_VALUES = [
    "BuildComputeType=BUILD_GENERAL1_MEDIUM", "BuildTimeoutInMinutes=60", "LogRetentionInDays=30"
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
    assert calls(log) == [BASE + ["--parameter-overrides", *SPEC_VALUES]]
    assert "describe-stacks --stack-name orders-api-dev" in result.stdout


def test_dry_run_overrides_and_region(fake_aws) -> None:
    bin_dir, log = fake_aws
    result = run(
        [
            "scripts/deploy.sh",
            "orders-api-dev",
            "--parameter-overrides",
            "BuildTimeoutInMinutes=30",
            "LogRetentionInDays=7",
            "--dry-run",
        ],
        bin_dir,
        AWS_REGION="eu-west-1",
    )
    assert result.returncode == 0, result.stderr
    assert calls(log) == [
        BASE[:9]
        + ["--region", "eu-west-1"]
        + BASE[9:]
        + [
            "--parameter-overrides",
            "BuildComputeType=BUILD_GENERAL1_MEDIUM",
            "BuildTimeoutInMinutes=30",
            "LogRetentionInDays=7",
            "--no-execute-changeset",
        ]
    ]
    assert "list-change-sets --stack-name orders-api-dev" in result.stdout


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
    assert calls(log) == [BASE + ["--parameter-overrides", *SPEC_VALUES, "--no-execute-changeset"]]
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
    table = result.stdout.splitlines()[-1 - len(prod) :]
    assert table[0].split() == ["stack", "result", "seconds", "reason"]
    assert [row.split()[:2] for row in table[1:]] == [[name, "deployed"] for name in prod]


def test_templates_over_the_inline_limit_are_named() -> None:
    big = "x" * (TEMPLATE_BODY_LIMIT + 1)
    assert oversized({"a.json": big, "b.json": "{}"}) == [
        f"a.json: {TEMPLATE_BODY_LIMIT + 1} bytes is over CloudFormation's 51200-byte inline "
        "template limit; build with --allow-large (make templates ALLOW_LARGE=1) and deploy "
        "with --s3-bucket (make deploy DEPLOY_BUCKET=...)"
    ]


def test_a_checks_stack_deploys_like_any_other_and_a_strict_one_has_no_retention_parameter(
    fake_aws,
) -> None:
    bin_dir, log = fake_aws
    result = run(["scripts/deploy.sh", "orders-api-checks"], bin_dir)
    assert result.returncode == 0, result.stderr
    (call,) = calls(log)
    assert call[call.index("--stack-name") + 1] == "orders-api-checks"
    assert call[call.index("--parameter-overrides") + 1 :] == SPEC_VALUES
    result = run(["scripts/deploy.sh", "ledger-service-prod"], bin_dir)
    assert result.returncode == 0, result.stderr
    strict = calls(log)[1]
    overrides = strict[strict.index("--parameter-overrides") + 1 :]
    assert overrides == ["BuildComputeType=BUILD_GENERAL1_MEDIUM", "BuildTimeoutInMinutes=60"]


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
