"""`aws cloudformation deploy` command lines for the templates in templates/.

The AWS CLI is the one AWS_CLI names (the Makefile sets .venv/bin/aws), else `aws`
on PATH.
The AWS CLI reads credentials, AWS_PROFILE and AWS_DEFAULT_REGION itself; AWS CLI
v1 ignores AWS_REGION, so that one is passed on as --region.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .bootstrap import stack_name_of

# The largest template body CloudFormation takes inline (CreateStack/UpdateStack
# TemplateBody, and so `aws cloudformation deploy` without --s3-bucket).
TEMPLATE_BODY_LIMIT = 51_200


class DeployRefused(Exception):
    """The deploy cannot start; the message says why and what to do."""


@dataclass
class DeployRequest:
    stack: str
    templates: Path = Path("templates")
    parameter_overrides: list[str] = field(default_factory=list)
    dry_run: bool = False
    s3_bucket: str | None = None


def oversized(files: Mapping[str, str], limit: int = TEMPLATE_BODY_LIMIT) -> list[str]:
    """One line per template too large for an inline template body."""
    return [
        f"{name}: {len(text.encode())} bytes is over CloudFormation's {limit}-byte inline "
        "template limit; build with --allow-large and deploy with --s3-bucket"
        for name, text in sorted(files.items())
        if len(text.encode()) > limit
    ]


def available_stacks(templates: Path) -> list[str]:
    return sorted(path.stem for path in templates.glob("*.yaml"))


def template_file(request: DeployRequest) -> Path:
    for suffix in (".yaml", ".json"):
        path = request.templates / f"{request.stack}{suffix}"
        if path.is_file():
            return path
    known = ", ".join(available_stacks(request.templates)) or "none (run make templates)"
    raise DeployRefused(
        f"no template for stack {request.stack!r} in {request.templates}; stacks: {known}"
    )


def stack_tags(template: Path) -> list[str]:
    """The spec's tags (as written on the pipeline) as Key=Value stack tags."""
    json_twin = template.with_suffix(".json")
    if not json_twin.is_file():
        return []
    resources = json.loads(json_twin.read_text(encoding="utf-8")).get("Resources", {})
    tags = resources.get("Pipeline", {}).get("Properties", {}).get("Tags", [])
    return [f"{tag['Key']}={tag['Value']}" for tag in tags]


def deploy_command(request: DeployRequest, environ: Mapping[str, str]) -> list[str]:
    template = template_file(request)
    name = cloudformation_stack(request.stack)
    command = [
        "aws", "cloudformation", "deploy",
        "--template-file", str(template),
        "--stack-name", name,
        "--capabilities", "CAPABILITY_IAM",
        "--no-fail-on-empty-changeset",
    ]  # fmt: skip
    size = template.stat().st_size
    if request.s3_bucket:
        command += ["--s3-bucket", request.s3_bucket]
    elif size > TEMPLATE_BODY_LIMIT:
        raise DeployRefused(
            f"{template} is {size} bytes, over the {TEMPLATE_BODY_LIMIT}-byte inline limit: "
            "pass --s3-bucket BUCKET (or DEPLOY_BUCKET=BUCKET with make) to upload it first"
        )
    if environ.get("AWS_REGION"):
        command += ["--region", environ["AWS_REGION"]]
    tags = stack_tags(template)
    if tags:
        command += ["--tags", *tags]
    if request.parameter_overrides:
        command += ["--parameter-overrides", *request.parameter_overrides]
    if request.dry_run:
        command.append("--no-execute-changeset")
    return command


def cloudformation_stack(stem: str) -> str:
    """The stack a template deploys to: `<service>-<env>`, or `pipeline-bootstrap-<host>`."""
    return stack_name_of(stem) or stem


def next_step(request: DeployRequest) -> str:
    name = cloudformation_stack(request.stack)
    if request.dry_run:
        return (
            f"Change set created for {name} and not executed. Review it in the CloudFormation "
            f"console (Stacks > {name} > Change sets) or with:\n"
            f"  aws cloudformation list-change-sets --stack-name {name}"
        )
    return (
        f"Stack {name} is deployed. Its outputs (pipeline and bridge console URLs):\n"
        f"  aws cloudformation describe-stacks --stack-name {name} --query 'Stacks[0].Outputs'"
    )


def run_deploy(request: DeployRequest, environ: Mapping[str, str] | None = None) -> int:
    """Run the AWS CLI; its exit status is ours."""
    environ = os.environ if environ is None else environ
    command = deploy_command(request, environ)
    print("+ " + shlex.join(command), flush=True)
    # AWS_CLI names the executable (the Makefile points it at .venv/bin/aws); else PATH's aws.
    executable = environ.get("AWS_CLI") or "aws"
    try:
        status = subprocess.run([executable, *command[1:]], env=dict(environ)).returncode
    except FileNotFoundError:
        raise DeployRefused(
            "the AWS CLI (aws) is not on PATH: run `make deploy`, which installs it into .venv"
        ) from None
    if status == 0:
        print(next_step(request))
    return status


def stacks_of_environment(templates: Path, environment: str) -> list[str]:
    """Every service stack `<service>-<environment>` in templates/."""
    return [s for s in available_stacks(templates) if s.endswith(f"-{environment}")]


def run_deploy_all(
    templates: Path, environment: str, dry_run: bool, extra: Sequence[str] = ()
) -> int:
    stacks = stacks_of_environment(templates, environment)
    if not stacks:
        raise DeployRefused(f"no stacks for environment {environment!r} in {templates}")
    for stack in stacks:
        status = run_deploy(DeployRequest(stack, templates, list(extra), dry_run=dry_run))
        if status != 0:
            print(f"stopped: deploying {stack} failed (exit {status})")
            return status
    return 0
