"""The AWS CLI as the deploy commands call it: the `aws` on PATH (AWS CLI v2) unless
AWS_CLI names another, with the run's --profile and --region on every call. The CLI reads
credentials, AWS_PROFILE and AWS_DEFAULT_REGION itself; AWS CLI v1 ignores AWS_REGION, so
that one is passed on as --region when --region is not given."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INSTALL_HINT = (
    "install AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/"
    "getting-started-install.html) or set AWS_CLI to its path"
)


class DeployRefused(Exception):
    """The deploy cannot start; the message says why and what to do."""


class AwsCliMissing(DeployRefused):
    """The AWS CLI cannot be started."""


@dataclass(frozen=True)
class Answer:
    """One CLI call: its JSON answer, or the CLI's own error text (verbatim)."""

    data: Any
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class AwsCli:
    def __init__(
        self,
        environ: Mapping[str, str],
        profile: str | None = None,
        region: str | None = None,
    ) -> None:
        self.environ = dict(environ)
        self.executable = environ.get("AWS_CLI") or "aws"
        self.profile = profile
        self.region = region or environ.get("AWS_REGION") or None

    def global_options(self) -> list[str]:
        """--profile and --region for every call of this run."""
        options = ["--profile", self.profile] if self.profile else []
        return options + (["--region", self.region] if self.region else [])

    def argv(self, command: Sequence[str]) -> list[str]:
        return [self.executable, *command[1:]] if command[0] == "aws" else list(command)

    def call(self, service: str, *args: str) -> Answer:
        """`aws <service> <args>` with JSON output; the CLI's stderr when it fails."""
        command = ["aws", service, *args, *self.global_options(), "--output", "json"]
        try:
            done = subprocess.run(
                self.argv(command), env=self.environ, capture_output=True, text=True
            )
        except FileNotFoundError:
            raise AwsCliMissing(
                f"the AWS CLI ({self.executable}) is not on PATH: {INSTALL_HINT}"
            ) from None
        if done.returncode != 0:
            return Answer(None, (done.stderr or done.stdout).strip() or f"exit {done.returncode}")
        try:
            return Answer(json.loads(done.stdout or "null"))
        except ValueError:
            return Answer(done.stdout)

    def query(self, *args: str) -> Any:
        """The JSON answer of `aws cloudformation <args>`, or None when it fails."""
        try:
            answer = self.call("cloudformation", *args)
        except AwsCliMissing:
            return None
        return answer.data if answer.ok else None

    def stack(self, name: str) -> dict[str, Any] | None:
        answer = self.query("describe-stacks", "--stack-name", name)
        stacks = (answer or {}).get("Stacks") if isinstance(answer, dict) else None
        return stacks[0] if stacks else None

    def events(self, name: str) -> list[dict[str, Any]]:
        """The stack's recent events, oldest first."""
        answer = self.query("describe-stack-events", "--stack-name", name, "--max-items", "200")
        events = answer.get("StackEvents", []) if isinstance(answer, dict) else []
        return list(reversed([e for e in events if isinstance(e, dict)]))

    def deploy_region(self) -> str | None:
        """The region the CLI deploys to: --region, AWS_REGION, AWS_DEFAULT_REGION, else the
        profile's configured region."""
        if self.region:
            return self.region
        if self.environ.get("AWS_DEFAULT_REGION"):
            return self.environ["AWS_DEFAULT_REGION"]
        command = ["aws", "configure", "get", "region"]
        command += ["--profile", self.profile] if self.profile else []
        try:
            done = subprocess.run(
                self.argv(command), env=self.environ, capture_output=True, text=True
            )
        except FileNotFoundError:
            return None
        return done.stdout.strip() or None if done.returncode == 0 else None
