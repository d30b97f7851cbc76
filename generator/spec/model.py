"""The typed spec model (format v1): every field's type, default, allowed values
and description lives here. The JSON Schema and the README's field reference are
generated from it.

Rules that span fields or depend on AWS (events a provider sends, one deploy
target) live in `validate.py`, which reports them with exact field paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..aws.enums import COMPUTE_TYPES, LOG_RETENTION_DAYS, SPEC_EVENTS

ServiceName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,30}$")]
EnvName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,15}$")]
EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=128)]
TagKey = Annotated[
    str, StringConstraints(pattern=r"^(?!aws:)[A-Za-z0-9_ .:/=+@-]+$", max_length=128)
]
TagValue = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_ .:/=+@-]*$", max_length=256)]
EcrRepositoryName = Annotated[
    str,
    StringConstraints(
        pattern=r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$",
        max_length=256,
    ),
]
ActorId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9:{}_-]+$", max_length=128)]
# A role name, optionally behind its IAM path (`service-role/orders-task`): the part after
# `role/` in the role's ARN. IAM user guide, "IAM identifiers" (names up to 64 characters,
# paths of `/`-separated segments).
IamRoleName = Annotated[
    str,
    StringConstraints(
        pattern=r"^(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,64}$", max_length=512
    ),
]
# `ssm:/param/path` or `secretsmanager:<name-or-arn>`; shape checked in validate.py.
SecretReference = Annotated[str, StringConstraints(min_length=1, max_length=2048)]

Compute = Literal["small", "medium", "large", "2xlarge"]
Event = Literal[
    "push",
    "pull-request-created",
    "pull-request-updated",
    "pull-request-merged",
    "pull-request-closed",
    "pull-request-reopened",
]
assert set(Event.__args__) == set(SPEC_EVENTS)  # type: ignore[attr-defined]
assert set(Compute.__args__) == set(COMPUTE_TYPES)  # type: ignore[attr-defined]


class StrictModel(BaseModel):
    """Unknown keys are errors; values are not coerced ("60" is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, regex_engine="python-re")


class Repository(StrictModel):
    provider: Literal["bitbucket", "github"] = Field(
        "bitbucket",
        description="Git host. GitHub Enterprise is refused: CloudFormation cannot create "
        "its webhook.",
    )
    url: str = Field(
        description="HTTPS clone URL, e.g. https://bitbucket.org/acme/orders-api.git.",
        max_length=512,
    )
    connection: str | None = Field(
        None,
        description="CodeConnections ARN that CodeBuild uses to reach the repository; "
        "absent = the account's stored source credential for the provider.",
    )


class Build(StrictModel):
    image: str = Field(
        "aws/codebuild/standard:7.0",
        description="CodeBuild image: a curated aws/codebuild/... image or a public registry image "
        "(private ECR images need pull permissions this version does not grant).",
        min_length=1,
        max_length=256,
    )
    compute: Compute = Field(
        "small", description="Build size: small, medium, large or 2xlarge (BUILD_GENERAL1_*)."
    )
    privileged: bool = Field(False, description="Run the Docker daemon (needed for Docker builds).")
    buildspec: str = Field(
        "buildspec.yml",
        description="Path of the buildspec in the repository.",
        pattern=r"^[A-Za-z0-9_./-]+$",
        max_length=255,
    )
    timeout: int = Field(60, ge=5, le=480, description="Build timeout in minutes, 5..480.")
    variables: dict[EnvVarName, str] = Field(
        default_factory=dict,
        description="Plain environment variables for the build (never secrets: use `secrets`).",
        max_length=50,
    )
    secrets: dict[EnvVarName, SecretReference] = Field(
        default_factory=dict,
        description="Environment variables read at build time: NAME -> ssm:/parameter/path "
        "or secretsmanager:<secret-name-or-arn>. The build role may read only these.",
        max_length=50,
    )
    ecr: list[EcrRepositoryName] = Field(
        default_factory=list,
        description="ECR repositories (in the stack's account and region) the build may push to.",
        max_length=20,
    )


class Logs(StrictModel):
    retention: int = Field(
        30,
        description="Days CloudWatch keeps build logs; one of "
        + ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        + ".",
    )


class EcsDeploy(StrictModel):
    cluster: str = Field(
        description="Name of the existing ECS cluster.", pattern=r"^[A-Za-z0-9_-]+$", max_length=255
    )
    service: str = Field(
        description="Name of the existing ECS service.", pattern=r"^[A-Za-z0-9_-]+$", max_length=255
    )
    file: str = Field(
        "imagedefinitions.json",
        description="Image definitions file in the build output.",
        pattern=r"^[A-Za-z0-9_./-]+$",
        max_length=255,
    )
    task_roles: list[IamRoleName] | None = Field(
        None,
        description="The task definition's task and execution roles, by name (with their IAM "
        "path, e.g. service-role/orders-task, when they have one): the pipeline may pass only "
        "these, only to ecs-tasks.amazonaws.com. Required; write [] when the task definition "
        "has neither role.",
        max_length=10,
    )


class S3Deploy(StrictModel):
    bucket: str = Field(
        description="Name of the existing bucket to deploy to.",
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
    )
    extract: bool = Field(True, description="Unzip the build output into the bucket.")
    key: str | None = Field(
        None,
        description="Object key of the zipped output; required when extract is false.",
        pattern=r"^[A-Za-z0-9_!.*'()/-]+$",
        max_length=1024,
    )


class Deploy(StrictModel):
    ecs: EcsDeploy | None = Field(None, description="Deploy to an Amazon ECS service.")
    s3: S3Deploy | None = Field(None, description="Deploy to an S3 bucket.")


class Environment(StrictModel):
    branch: str = Field(
        description="Push events: the pushed branch (HEAD_REF). Pull-request events: the "
        "target branch (BASE_REF).",
        min_length=1,
        max_length=255,
    )
    events: list[Event] = Field(
        default=["push"],
        description="Webhook events that start the pipeline: push, pull-request-created, "
        "pull-request-updated, pull-request-merged, pull-request-closed, "
        "pull-request-reopened (GitHub only).",
        min_length=1,
    )
    approval: bool = Field(False, description="Manual approval stage before deploy.")
    actors: list[ActorId] = Field(
        default_factory=list,
        description="Only pushes and pull requests by these Git host account IDs start the "
        "pipeline (webhook ACTOR_ACCOUNT_ID filter). Required for pull-request events on a "
        "production environment.",
        max_length=50,
    )
    pull_request_approval: Literal["all", "fork", "none"] = Field(
        "all",
        description="Which pull requests wait for an approver's comment before they build "
        "(CodeBuild's PullRequestBuildPolicy): all (AWS's default), fork (GitHub: only from "
        "forks), none.",
    )
    production: bool | None = Field(
        None,
        description="Whether this environment is production (pull-request events need actors). "
        "Default: true when a word of the name is prod, production, prd or live.",
    )
    deploy: Deploy = Field(description="Exactly one deploy target: ecs or s3.")


class Spec(StrictModel):
    service: ServiceName = Field(
        description="Lower-case name that names every resource: ^[a-z][a-z0-9-]{1,30}$."
    )
    description: str | None = Field(None, description="What the service is.", max_length=512)
    repository: Repository = Field(description="The Git repository the webhook watches.")
    build: Build = Field(Build(), description="The build/test CodeBuild project.")
    logs: Logs = Field(Logs(), description="CloudWatch log groups.")
    badge: bool = Field(True, description="CodeBuild build badge on the bridge project.")
    environments: dict[EnvName, Environment] = Field(
        description="One stack per environment (name: ^[a-z][a-z0-9-]{0,15}$), at least one.",
        min_length=1,
    )
    kms_key: str | None = Field(
        None,
        description="ARN of an existing customer-managed KMS key for both buckets, the artifact "
        "store, the CodeBuild projects and the log groups (its key policy must let CloudWatch "
        "Logs use it). Absent = AWS-owned keys, no per-stack key cost.",
    )
    tags: dict[TagKey, TagValue] = Field(
        default_factory=dict, description="Tags on every taggable resource.", max_length=40
    )


# --- secret references ---------------------------------------------------------------

_SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$", re.ASCII
)
_SECRET_NAME = re.compile(r"^[\w/+=.@-]{1,512}$", re.ASCII)
# Parameter Store names: a hierarchy starts with "/" (`/orders/db-password`); a name
# without "/" is a valid top-level name. `orders/db-password` is neither.
# Systems Manager user guide, "Parameter name requirements" (sysman-parameter-name-constraints).
_SSM_NAME = re.compile(r"^(?:/[\w.-]+)+$|^[\w.-]+$", re.ASCII)
# Secrets Manager appends "-" and six random characters to a secret's name in its ARN;
# an ARN without them is a partial ARN. Secrets Manager user guide, "Troubleshoot":
# "ARN ... partial ARN"; IAM policies match a name with "-??????".
_SECRET_ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$", re.ASCII)


@dataclass(frozen=True)
class SecretRef:
    """A parsed `secrets` value."""

    store: str  # "ssm" | "secretsmanager"
    name: str  # parameter name, secret name or secret ARN
    json_key: str | None = None

    @property
    def is_complete_arn(self) -> bool:
        """A Secrets Manager ARN that ends in the secret's six random characters."""
        return self.name.startswith("arn:") and bool(_SECRET_ARN_SUFFIX.search(self.name))


def parse_secret(value: str) -> SecretRef | None:
    """`ssm:/a/b` or `secretsmanager:name[:json-key]` / `secretsmanager:arn[:json-key]`."""
    store, _, rest = value.partition(":")
    if store == "ssm" and _SSM_NAME.match(rest):
        return SecretRef("ssm", rest)
    if store != "secretsmanager" or not rest:
        return None
    if rest.startswith("arn:"):
        parts = rest.split(":")
        arn, key = ":".join(parts[:7]), ":".join(parts[7:]) or None
        return SecretRef("secretsmanager", arn, key) if _SECRET_ARN.match(arn) else None
    name, _, key = rest.partition(":")
    return SecretRef("secretsmanager", name, key or None) if _SECRET_NAME.match(name) else None
