"""The typed spec model (format v1): every field's type, default, allowed values
and description lives here. The JSON Schema and the field reference (docs/) are
generated from it.

Rules that span fields or depend on AWS (events a provider sends, one deploy
target) live in `validate.py`, which reports them with exact field paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from ..aws.enums import CHECKS_STACK, COMPUTE_TYPES, LOG_RETENTION_DAYS, SPEC_EVENTS
from .cron import CRON_PATTERN, TIMEZONE_PATTERN

# What a pattern means, for the message when a value does not match it (instead of the
# regular expression itself).
PATTERN_MEANINGS: dict[str, str] = {}


def meaning(pattern: str, text: str) -> str:
    """Register what pattern means; return the pattern."""
    PATTERN_MEANINGS[pattern] = text
    return pattern


BRANCH_PATTERN = meaning(
    r"^(?!/)(?!refs/)(?!origin/)(?!remotes/)(?!.*//)(?!.*\.\.)(?!.*/$)(?!.*\.lock$)"
    r"[A-Za-z0-9._/+-]+$",
    "must be a Git branch name (letters, digits, . _ / + -; no '..', no leading or trailing /)",
)
KMS_KEY_PATTERN = meaning(
    r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/([0-9a-f-]{36}|mrk-[0-9a-f]{32})$",
    "must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<key-id>; an alias "
    "cannot be used in key policies and grants)",
)
# An IAM policy names a KMS key by its key ARN: an alias or alias ARN in Resource does not
# control access to the key it points to (KMS developer guide, "Using aliases to control
# access to KMS keys" / "Specifying KMS keys in IAM policy statements").
KmsKeyArn = Annotated[str, StringConstraints(pattern=KMS_KEY_PATTERN)]
CONNECTION_PATTERN = meaning(
    r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:[0-9]{12}:"
    r"connection/[A-Za-z0-9_-]+$",
    "must be a CodeConnections ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)",
)
# `ssm:` + a Parameter Store name: a hierarchy starts with "/" (`/orders/db-password`), a
# name without "/" is a valid top-level name; `orders/db-password` is neither (Systems
# Manager user guide, "Parameter name requirements"). `secretsmanager:` + a secret name or
# ARN, then an optional `:json-key`.
_SECRET_CHARS = r"[A-Za-z0-9_/+=.@-]"
SECRET_PATTERN = meaning(
    r"^(ssm:((/[A-Za-z0-9_.-]+)+|[A-Za-z0-9_.-]+)"
    r"|secretsmanager:(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:"
    + _SECRET_CHARS
    + r"+|"
    + _SECRET_CHARS
    + r"{1,512})(:.*)?)$",
    "must be ssm:/parameter/path or secretsmanager:<secret-name-or-arn>[:json-key]",
)

# S3 user guide, "General purpose bucket naming rules": 3-63 characters of lower-case
# letters, digits, dots and hyphens, beginning and ending with a letter or digit, no two
# adjacent dots, not an IP address, none of the reserved prefixes and suffixes.
BUCKET_NAME_PATTERN = meaning(
    r"^(?!xn--|sthree-|amzn-s3-demo-)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)"
    r"(?!.*(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
    "must be an S3 bucket name (3-63 lower-case letters, digits, . and -, starting and "
    "ending with a letter or digit, no '..', not an IP address, no reserved prefix "
    "xn--, sthree-, amzn-s3-demo- or suffix -s3alias, --ol-s3, .mrap, --x-s3, --table-s3)",
)
SNS_TOPIC_PATTERN = meaning(
    r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$",
    "must be the ARN of an SNS topic (arn:aws:sns:<region>:<account>:<topic-name>)",
)
EMAIL_PATTERN = meaning(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$",
    "must be an e-mail address (name@example.com)",
)

# ProjectEnvironment.certificate: "the S3 bucket, path prefix, and object key that contains
# the PEM-encoded certificate" (CodeBuild API reference, API_ProjectEnvironment). A CA bundle
# saved as .crt or .cer is accepted: what matters is the PEM inside, not the extension.
CERTIFICATE_PATTERN = meaning(
    r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[A-Za-z0-9_!.*'()/-]+\.(pem|crt|cer|zip)$",
    "must be s3://<bucket>/<key> ending in .pem, .crt or .cer (a PEM-encoded certificate) "
    "or .zip (a zip holding one)",
)
BUILDSPEC_PATTERN = meaning(
    r"^(?!/)[A-Za-z0-9_./-]+$",
    "must be a path relative to the repository root (letters, digits, _ . / -; no leading /)",
)
PATH_GLOB_PATTERN = meaning(
    r"^(?!/)(?!\./)[A-Za-z0-9_.*?@+/-]+$",
    "must be a path glob relative to the repository root (letters, digits, _ . - @ + /, "
    "* within a folder, ** across folders, ? one character)",
)

# IAM user guide, "IAM identifiers" / Organizations API reference: an AWS account id is
# 12 digits (written in quotes: YAML would read 012345678901 as a number); an OU id is
# ou-<root id part>-<8 to 32 characters> (Organizations API_OrganizationalUnit, Id pattern).
ACCOUNT_PATTERN = meaning(
    r"^[0-9]{12}$", 'must be a 12-digit AWS account id, in quotes ("111122223333")'
)
AccountId = Annotated[str, StringConstraints(pattern=ACCOUNT_PATTERN)]
OU_PATTERN = meaning(
    r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$",
    "must be an organizational unit id (ou-<4-32 characters>-<8-32 characters>)",
)
OrganizationalUnitId = Annotated[str, StringConstraints(pattern=OU_PATTERN)]

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
SecretReference = Annotated[
    str, StringConstraints(pattern=SECRET_PATTERN, min_length=1, max_length=2048)
]
BranchName = Annotated[str, StringConstraints(pattern=BRANCH_PATTERN, min_length=1, max_length=255)]


def _allowed_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ValueError(f"must be one of {allowed}; got {days}")
    return days


# A whole number (never true/false, which a Literal of ints would take for 1 and 0) that
# CloudWatch Logs allows: an enum in the JSON Schema.
RetentionDays = Annotated[
    int,
    AfterValidator(_allowed_retention),
    WithJsonSchema({"type": "integer", "enum": list(LOG_RETENTION_DAYS)}),
]

Compute = Literal["small", "medium", "large", "2xlarge"]
VpcId = Annotated[str, StringConstraints(pattern=r"^vpc-([0-9a-f]{8}|[0-9a-f]{17})$")]
SubnetId = Annotated[str, StringConstraints(pattern=r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")]
SecurityGroupId = Annotated[str, StringConstraints(pattern=r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$")]
PathGlob = Annotated[str, StringConstraints(pattern=PATH_GLOB_PATTERN, max_length=255)]
LogicalId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,255}$")]
# Logical ID -> partial resource, merged into the generated template.
Overrides = dict[LogicalId, dict[str, Any]]
Event = Literal[
    "push",
    "pull-request-created",
    "pull-request-updated",
    "pull-request-merged",
    "pull-request-closed",
    "pull-request-reopened",
]
CheckEvent = Literal["pull-request-created", "pull-request-updated", "pull-request-reopened"]
NotificationEvent = Literal["failed", "approval-needed", "succeeded", "started"]
Email = Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254)]
assert set(Event.__args__) == set(SPEC_EVENTS)  # type: ignore[attr-defined]
assert set(Compute.__args__) == set(COMPUTE_TYPES)  # type: ignore[attr-defined]


# AWS Control Tower CT.CLOUDWATCH.PR.2: log groups keep logs for at least a year.
STRICT_MIN_RETENTION = 365


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
        pattern=CONNECTION_PATTERN,
    )


class Vpc(StrictModel):
    vpc: VpcId = Field(description="The VPC's ID, vpc-....")
    subnets: list[SubnetId] = Field(
        description="Private subnets with a NAT gateway (or VPC endpoints), subnet-....",
        min_length=1,
        max_length=16,
    )
    security_groups: list[SecurityGroupId] = Field(
        description="Security groups of the build's network interfaces, sg-....",
        min_length=1,
        max_length=5,
    )


class Build(StrictModel):
    image: str = Field(
        "aws/codebuild/standard:7.0",
        description="A current curated CodeBuild image (aws/codebuild/...), a public image "
        "(public.ecr.aws/..., docker.io/..., a Docker Hub name), or a private ECR image "
        "<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:digest], which "
        "the build role may pull.",
        min_length=1,
        max_length=256,
    )
    arch: Literal["x86_64", "arm64"] = Field(
        "x86_64",
        description="x86_64 (LINUX_CONTAINER) or arm64 (ARM_CONTAINER); must agree with a "
        "curated image.",
    )
    cache: Literal["none", "local", "s3"] = Field(
        "none",
        description="none; local (source and Docker layer cache on the build host: needs "
        "privileged, not in a VPC, not 2xlarge); s3 (cache/ in the artifact bucket).",
    )
    vpc: Vpc | None = Field(None, description="Run builds in these private subnets.")
    submodules: bool = Field(False, description="Fetch Git submodules (HTTPS ones).")
    certificate: str | None = Field(
        None,
        pattern=CERTIFICATE_PATTERN,
        description="s3://bucket/key.pem (.crt, .cer, or a .zip holding one): a PEM CA "
        "certificate CodeBuild installs in the build container; the build role may read that "
        "one object.",
    )
    compute: Compute = Field(
        "small", description="Build size: small, medium, large or 2xlarge (BUILD_GENERAL1_*)."
    )
    privileged: bool = Field(False, description="Run the Docker daemon (needed for Docker builds).")
    buildspec: str = Field(
        "buildspec.yml",
        description="Path of the buildspec in the repository.",
        pattern=BUILDSPEC_PATTERN,
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
    secret_keys: list[KmsKeyArn] = Field(
        default_factory=list,
        description="ARNs of the customer managed KMS keys that encrypt the secrets the spec "
        "reads (SSM SecureString parameters, Secrets Manager secrets): every role that reads "
        "secrets may kms:Decrypt with these keys only through the stores its secrets use "
        "(kms:ViaService ssm.<region> / secretsmanager.<region>). Not needed for the AWS "
        "managed keys aws/ssm and aws/secretsmanager.",
    )
    ecr: list[EcrRepositoryName] = Field(
        default_factory=list,
        description="ECR repositories (in the stack's account and region) the build may push to.",
        max_length=20,
    )


class Logs(StrictModel):
    retention: RetentionDays = Field(
        30,
        description="Days CloudWatch keeps build logs; one of "
        + ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        + " (CloudWatch Logs' allowed values). Under hardening: strict at least "
        f"{STRICT_MIN_RETENTION}, default {STRICT_MIN_RETENTION}.",
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
    task_roles: list[IamRoleName] = Field(
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


def _one_non_null_property(schema: dict[str, Any]) -> None:
    """JSON Schema of `Deploy`: exactly one target, never null (what the validator says)."""
    schema.update(minProperties=1, maxProperties=1)
    for prop in schema.get("properties", {}).values():
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        prop.update(options[0] if len(options) == 1 else {"anyOf": options})
        prop.pop("default", None)


class Deploy(StrictModel):
    model_config = ConfigDict(json_schema_extra=_one_non_null_property)

    ecs: EcsDeploy | None = Field(None, description="Deploy to an Amazon ECS service.")
    s3: S3Deploy | None = Field(None, description="Deploy to an S3 bucket.")

    @model_validator(mode="after")
    def _exactly_one_target(self) -> Deploy:
        given = [t for t in ("ecs", "s3") if t in self.model_fields_set]
        if len(given) != 1 or getattr(self, given[0]) is None:
            named = [t for t in given if getattr(self, t) is not None]
            got = " and ".join(named) if named else "none"
            raise ValueError(f"must name exactly one target, ecs or s3; got {got}")
        return self


# CloudWatch alarm names: 1-255 characters (CloudWatch API reference, PutMetricAlarm,
# AlarmName); one CloudWatchAlarm rule names one alarm (rule-reference-CloudWatchAlarm).
AlarmName = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f]{1,255}$")]
CronText = Annotated[
    str,
    StringConstraints(
        pattern=meaning(
            CRON_PATTERN,
            "must be a DeploymentWindow Cron: seconds (*) minutes hours day-of-month month "
            "day-of-week [year], with ? in day-of-month or day-of-week, names in capitals "
            '(e.g. "* * 8-16 ? * MON-THU")',
        )
    ),
]


# An AWS Region code (us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5).
REGION_PATTERN = meaning(
    r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$",
    "must be an AWS Region code (eu-west-1, us-east-1, ap-southeast-2)",
)
RegionName = Annotated[str, StringConstraints(pattern=REGION_PATTERN)]


class Gates(StrictModel):
    alarms: list[AlarmName] = Field(
        description="CloudWatch alarms (names, in the account and Region the environment "
        "deploys to) that roll the deploy stage back when one is in ALARM during the bake; "
        "1 to 5 (a condition holds at most 5 rules: CodePipeline API reference, Condition).",
        min_length=1,
        max_length=5,
    )
    bake: int = Field(
        description="The CloudWatchAlarm rule's WaitTime in minutes, 1 to 86400 (a rule runs "
        "at most 86400 minutes: API reference, RuleDeclaration timeoutInMinutes): an alarm in "
        "ALARM and not back to OK within it rolls the stage back (docs/promotion.md says "
        "what the AWS pages leave open).",
        ge=1,
        le=86400,
    )


class Window(StrictModel):
    cron: CronText = Field(description="When deploys may enter: the DeploymentWindow Cron.")

    @model_validator(mode="before")
    @classmethod
    def _cron_alone(cls, data: Any) -> Any:
        """`window: "<cron>"` is {cron: "<cron>"} in UTC."""
        return {"cron": data} if isinstance(data, str) else data

    timezone: str = Field(
        "UTC",
        pattern=meaning(
            TIMEZONE_PATTERN,
            "must be a time zone: Region/City (Europe/Berlin), UTC or UTC+HH:MM, or an "
            "abbreviation (EST)",
        ),
        description="The window's time zone: Europe/Berlin, UTC, UTC+05:30, EST.",
    )


def _branch_or_after(schema: dict[str, Any]) -> None:
    """JSON Schema of `Environment`: a branch of its own, or `after` (what the validator
    says); `branch` is no longer listed as required on its own."""
    schema["anyOf"] = [{"required": ["branch"]}, {"required": ["after"]}]


class Environment(StrictModel):
    model_config = ConfigDict(json_schema_extra=_branch_or_after)

    branch: BranchName | None = Field(
        None,
        description="Push events: the pushed branch (HEAD_REF). Pull-request events: the "
        "target branch (BASE_REF). Required unless the environment has `after`.",
    )
    after: EnvName | None = Field(
        None,
        description="Promotion: this environment deploys what the named environment "
        "deployed, as later stages of that environment's pipeline (built once, never "
        "rebuilt); it has no branch, events, paths, variables or secrets of its own.",
    )
    events: list[Event] = Field(
        default=["push"],
        description="Webhook events that start the pipeline: push, pull-request-created, "
        "pull-request-updated, pull-request-merged, pull-request-reopened (GitHub only). "
        "Not pull-request-closed: it would deploy declined pull requests.",
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
        "(CodeBuild's PullRequestBuildPolicy): all (AWS's default), fork (only from forks), "
        "none.",
    )
    production: bool | None = Field(
        None,
        description="Whether this environment is production (pull-request events need actors). "
        "Default: true when a word of the name is prod, production, prd or live.",
    )
    account: AccountId | None = Field(
        None,
        description="The AWS account this environment deploys into (needs delivery): its "
        "deploy action assumes the role <service>-<env>-deploy there. Absent = the tools "
        "account, with the pipeline's own role.",
    )
    deploy: Deploy = Field(description="Exactly one deploy target: ecs or s3.")
    regions: list[RegionName] = Field(
        default_factory=list,
        description="Deploy to these Regions, one deploy action each, in this order (the "
        "same cluster/service or bucket names in each). Default: the pipeline's own Region. "
        "Each Region other than the pipeline's needs the artifact store of the template "
        "regional-[<tools account>-]<region> (deploy-all deploys it first, in its Region). "
        "At most 50: a stage holds at most 50 "
        "actions (CodePipeline quotas).",
        max_length=50,
        json_schema_extra={"uniqueItems": True},
    )
    gates: Gates | None = Field(
        None,
        description="After the deploy, watch these alarms for `bake` minutes; an alarm in "
        "ALARM rolls the deploy stage back (a CodePipeline V2 stage condition).",
    )
    window: Annotated[
        Window,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "pattern": CRON_PATTERN},
                    {
                        "type": "object",
                        "properties": {
                            "cron": {"type": "string", "pattern": CRON_PATTERN},
                            "timezone": {"type": "string", "pattern": TIMEZONE_PATTERN},
                        },
                        "required": ["cron"],
                        "additionalProperties": False,
                    },
                ]
            }
        ),
    ] | None = Field(
        None,
        description="Deploys enter only inside this window: a DeploymentWindow Cron "
        '("* * 8-16 ? * MON-THU", UTC) or {cron, timezone}.',
    )
    variables: dict[EnvVarName, str] = Field(
        default_factory=dict,
        description="Plain build variables of this environment, merged over build.variables.",
        max_length=50,
    )
    secrets: dict[EnvVarName, SecretReference] = Field(
        default_factory=dict,
        description="Secrets of this environment, merged over build.secrets; its build role "
        "may read exactly the merged set.",
        max_length=50,
    )
    paths: list[PathGlob] = Field(
        default_factory=list,
        description="Monorepos: start only when a changed file matches one of these globs "
        "(webhook FILE_PATH filter).",
        max_length=20,
    )
    overrides: Overrides = Field(
        default_factory=dict,
        description="Logical ID -> partial resource, merged into this environment's stack "
        "after the spec-level overrides.",
    )


class Checks(StrictModel):
    branches: list[BranchName] = Field(
        description="Pull requests targeting these branches are checked (BASE_REF).",
        min_length=1,
        max_length=20,
    )
    events: list[CheckEvent] | None = Field(
        None,
        description="Pull-request events that start a check: pull-request-created, "
        "pull-request-updated, pull-request-reopened (GitHub only). Default: created and "
        "updated, and reopened on GitHub.",
        min_length=1,
    )
    buildspec: str | None = Field(
        None,
        description="Buildspec in the repository the checks run. Default: build.buildspec.",
        pattern=BUILDSPEC_PATTERN,
        max_length=255,
    )
    approval: Literal["all", "fork", "none"] = Field(
        "all",
        description="Which pull requests wait for an approver's comment before they build: "
        "all (AWS's default), fork (only from forks), none.",
    )
    actors: list[ActorId] = Field(
        default_factory=list,
        description="Only pull requests by these Git host account IDs are checked "
        "(ACTOR_ACCOUNT_ID).",
        max_length=50,
    )
    secrets: dict[EnvVarName, SecretReference] = Field(
        default_factory=dict,
        description="The only secrets pull-request code sees (never build.secrets); needs "
        "approval: all or actors.",
        max_length=50,
    )


class Notifications(StrictModel):
    topic: str | None = Field(
        None,
        pattern=SNS_TOPIC_PATTERN,
        description="An existing SNS topic (its policy must let "
        "codestar-notifications.amazonaws.com publish). Absent = a topic in each stack.",
    )
    emails: list[Email] = Field(
        default_factory=list,
        description="E-mail subscriptions on the created topic (each confirms by e-mail).",
        max_length=10,
    )
    events: list[NotificationEvent] = Field(
        default=["failed", "approval-needed"],
        description="failed, approval-needed, succeeded, started. The check project "
        "notifies failed builds only.",
        min_length=1,
    )


class Delivery(StrictModel):
    tools_account: AccountId = Field(
        description="The account the pipeline stacks (buckets, builds, pipelines) are "
        "deployed in; environments with another `account` deploy there through a role."
    )
    target_roles: Literal["stacks", "stackset"] = Field(
        "stacks",
        description="How the deploy roles reach the target accounts: stacks (the template "
        "<service>-targets, deployed in each target account) or stackset (a service-managed "
        "StackSet over organizational_units, deployed from the management or "
        "delegated-administrator account).",
    )
    organizational_units: list[OrganizationalUnitId] = Field(
        default_factory=list,
        description="stackset only: the OUs that hold the target accounts; the StackSet "
        "deploys to the environments' accounts inside them.",
        max_length=20,
        json_schema_extra={"uniqueItems": True},
    )
    stackset_admin: Literal["management", "delegated-admin"] = Field(
        "management",
        description="stackset only: the account that deploys the StackSet: the "
        "organization's management account, or a delegated administrator for StackSets "
        "(CallAs DELEGATED_ADMIN).",
    )


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
        pattern=KMS_KEY_PATTERN,
        description="ARN of an existing customer-managed KMS key for both buckets, the artifact "
        "store, the CodeBuild projects and the log groups (its key policy must let CloudWatch "
        "Logs use it). Absent = AWS-owned keys, no per-stack key cost.",
    )
    delivery: Delivery | None = Field(
        None,
        description="Many accounts: the tools account of the pipelines and how the deploy "
        "roles reach the environments' accounts. Absent = everything in one account.",
    )
    checks: Checks | None = Field(
        None,
        description="Pull-request checks: a stack <service>-checks whose project builds "
        "pull requests and reports the result on them.",
    )
    notifications: Notifications | None = Field(
        None, description="Pipeline and check events to an SNS topic (AWS CodeStar Notifications)."
    )
    access_logs: str | None = Field(
        None,
        pattern=BUCKET_NAME_PATTERN,
        description="Name of an existing bucket for the S3 server access logs of both "
        "buckets (prefix <stack>/source/ and <stack>/artifacts/); the stack creates no log "
        "bucket. S3 delivers logs only to a bucket in the same account and Region as the "
        "logged bucket, without SSE-KMS default encryption, without Object Lock, whose policy "
        "lets logging.s3.amazonaws.com put objects: Control Tower's log archive bucket, in "
        "another account, cannot be it; use a central log bucket per account and Region.",
    )
    hardening: Literal["standard", "strict"] = Field(
        "standard",
        description="standard: fails only the AWS Control Tower proactive controls "
        "docs/security.md lists, each a choice not to pay for it. strict: passes every "
        "Control Tower proactive control that applies (needs kms_key, access_logs, "
        f"logs.retention of at least {STRICT_MIN_RETENTION} days, no build.privileged; turns "
        "Object Lock on, with no default retention).",
    )
    tags: dict[TagKey, TagValue] = Field(
        default_factory=dict, description="Tags on every taggable resource.", max_length=40
    )
    overrides: Overrides = Field(
        default_factory=dict,
        description="Escape hatch: logical ID -> partial resource (Properties, Metadata, "
        "DeletionPolicy, UpdateReplacePolicy), deep-merged (lists replace) into every stack of "
        "the spec that has that ID, before every check. Never roles or policies.",
    )

    @property
    def stack_environments(self) -> list[str]:
        """The environments that start a pipeline (no `after`), then `checks` when the spec
        has checks: one stack each. An environment with `after` is stages of its chain's."""
        heads = [name for name, env in self.environments.items() if env.after is None]
        return heads + ([CHECKS_STACK] if self.checks is not None else [])

    def chain(self, head: str) -> list[str]:
        """The environments one pipeline deploys, in order: head, then each `after` it."""
        followers = {env.after: name for name, env in self.environments.items() if env.after}
        found = [head]
        while found[-1] in followers and followers[found[-1]] not in found:
            found.append(followers[found[-1]])
        return found

    def head_of(self, env: str) -> str:
        """The environment whose pipeline deploys env (env itself without `after`)."""
        seen = [env]
        while (after := self.environments[seen[-1]].after) is not None and after not in seen:
            seen.append(after)
        return seen[-1]

    @property
    def check_events(self) -> list[str]:
        """checks.events, or created and updated (and reopened on GitHub)."""
        assert self.checks is not None
        if self.checks.events is not None:
            return list(self.checks.events)
        default = ["pull-request-created", "pull-request-updated"]
        return default + (["pull-request-reopened"] if self.repository.provider == "github" else [])

    def variables_of(self, env: str) -> dict[str, str]:
        """The plain variables the stack's build project gets (checks: build.variables)."""
        if env == CHECKS_STACK:
            return dict(self.build.variables)
        return self.build.variables | self.environments[env].variables

    def secrets_of(self, env: str) -> dict[str, str]:
        """The secrets the stack's build project gets; checks get only checks.secrets."""
        if env == CHECKS_STACK:
            assert self.checks is not None
            return dict(self.checks.secrets)
        return self.build.secrets | self.environments[env].secrets

    @property
    def target_environments(self) -> list[str]:
        """Environments that deploy into another account than the tools account."""
        return [name for name, env in self.environments.items() if env.account is not None]

    def deploy_account(self, env: str) -> str | None:
        """The account env deploys into when that is not the tools account."""
        return self.environments[env].account if env in self.environments else None

    @property
    def strict(self) -> bool:
        return self.hardening == "strict"

    @property
    def log_retention(self) -> int:
        """logs.retention; under hardening: strict a year when the spec does not say."""
        if self.strict and "retention" not in self.logs.model_fields_set:
            return STRICT_MIN_RETENTION
        return self.logs.retention


# --- secret references ---------------------------------------------------------------

_SECRET_REFERENCE = re.compile(SECRET_PATTERN)
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
    """`ssm:/a/b` or `secretsmanager:name[:json-key]` / `secretsmanager:arn[:json-key]`;
    None when value has neither shape (the model refuses it: SECRET_PATTERN)."""
    if not _SECRET_REFERENCE.match(value):
        return None
    store, _, rest = value.partition(":")
    if store == "ssm":
        return SecretRef("ssm", rest)
    if rest.startswith("arn:"):
        parts = rest.split(":")
        return SecretRef("secretsmanager", ":".join(parts[:7]), ":".join(parts[7:]) or None)
    name, _, key = rest.partition(":")
    return SecretRef("secretsmanager", name, key or None)
