"""CodeBuild projects: the webhook "source bridge", the pipeline's build project and the
pull-request check project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from troposphere import GetAtt, Ref
from troposphere.codebuild import (
    Artifacts,
    CloudWatchLogs,
    Environment,
    EnvironmentVariable,
    LogsConfig,
    Project,
    ProjectTriggers,
    PullRequestBuildPolicy,
    Source,
    SourceAuth,
)
from troposphere.iam import Role
from troposphere.logs import LogGroup
from troposphere.s3 import Bucket

from ..aws.enums import COMPUTE_TYPES, PULL_REQUEST_APPROVAL, SOURCE_TYPES, SPEC_EVENTS
from ..spec.model import Build, Checks, Repository, parse_secret
from ..spec.model import Environment as EnvironmentSpec

BRIDGE_IMAGE = "aws/codebuild/standard:7.0"
BRIDGE_TIMEOUT_MINUTES = 10

# The bridge builds nothing: it zips the checkout (with its shallow .git, so the
# build can still ask git for the commit) and ships it to the exact source key.
BRIDGE_BUILDSPEC = """\
version: 0.2
phases:
  build:
    commands:
      - zip -q -r -y /tmp/source.zip .
      - >-
        aws s3 cp /tmp/source.zip "s3://${SOURCE_BUCKET}/${SOURCE_KEY}"
        --only-show-errors
        --metadata "commit=${CODEBUILD_RESOLVED_SOURCE_VERSION}"
"""

_REGEX_SPECIALS = set(".^$*+?()[]{}|\\")


def escape_regex(text: str) -> str:
    """Escape text for a CodeBuild webhook pattern (Java regular expressions)."""
    return "".join("\\" + ch if ch in _REGEX_SPECIALS else ch for ch in text)


def branch_pattern(branch: str) -> str:
    """`release/1.0` -> `^refs/heads/release/1\\.0$`: exactly that branch, nothing else."""
    return f"^refs/heads/{escape_regex(branch)}$"


def branches_pattern(branches: Sequence[str]) -> str:
    """Exactly one of these branches: `^refs/heads/(develop|main)$`."""
    if len(branches) == 1:
        return branch_pattern(branches[0])
    return "^refs/heads/(" + "|".join(escape_regex(b) for b in branches) + ")$"


def _filter(kind: str, pattern: str) -> dict[str, Any]:
    return {"Type": kind, "Pattern": pattern}


def actor_pattern(actors: Sequence[str]) -> str:
    """Exactly these account IDs: `^(id1|id2)$`."""
    return "^(" + "|".join(escape_regex(actor) for actor in actors) + ")$"


def filter_groups(
    branch: str, events: Sequence[str], actors: Sequence[str] = ()
) -> list[list[dict[str, Any]]]:
    """Webhook filter groups for one environment.

    A build starts when any group matches. Pushes are filtered on the pushed
    branch (HEAD_REF); pull-request events on the target branch (BASE_REF), which
    CodeBuild refuses beside PUSH, so the two kinds go in separate groups. Event
    names are joined with "," and no space: with a space CodeBuild was reported to
    honour only the first event (aws/aws-cdk#33197). With actors, every group also
    requires ACTOR_ACCOUNT_ID to be one of them.
    """
    ordered = [aws for spec, aws in SPEC_EVENTS.items() if spec in events]
    groups = []
    if "PUSH" in ordered:
        groups.append([_filter("EVENT", "PUSH"), _filter("HEAD_REF", branch_pattern(branch))])
    pull_requests = [e for e in ordered if e != "PUSH"]
    if pull_requests:
        groups.append(
            [_filter("EVENT", ",".join(pull_requests)), _filter("BASE_REF", branch_pattern(branch))]
        )
    if actors:
        for group in groups:
            group.append(_filter("ACTOR_ACCOUNT_ID", actor_pattern(actors)))
    return groups


def check_filter_groups(
    branches: Sequence[str], events: Sequence[str], actors: Sequence[str] = ()
) -> list[list[dict[str, Any]]]:
    """One group: the pull-request events, on pull requests targeting the branches."""
    ordered = [aws for spec, aws in SPEC_EVENTS.items() if spec in events]
    group = [_filter("EVENT", ",".join(ordered)), _filter("BASE_REF", branches_pattern(branches))]
    if actors:
        group.append(_filter("ACTOR_ACCOUNT_ID", actor_pattern(actors)))
    return [group]


def _source_auth(connection: str) -> SourceAuth:
    # troposphere accepts only OAUTH, and only on GITHUB sources; CloudFormation
    # accepts CODECONNECTIONS on both, and the model has validated the ARN.
    return SourceAuth(Type="CODECONNECTIONS", Resource=connection).no_validation()


def _logs(log_group: LogGroup) -> LogsConfig:
    return LogsConfig(CloudWatchLogs=CloudWatchLogs(Status="ENABLED", GroupName=Ref(log_group)))


def bridge_project(
    title: str,
    *,
    name: str,
    repository: Repository,
    environment: EnvironmentSpec,
    badge: bool,
    kms_key: str | None,
    role: Role,
    log_group: LogGroup,
    source_bucket: Bucket,
    source_key: str,
) -> Project:
    source = Source(
        Type=SOURCE_TYPES[repository.provider],
        Location=repository.url,
        GitCloneDepth=1,
        BuildSpec=BRIDGE_BUILDSPEC,
    )
    if repository.connection is not None:
        source.Auth = _source_auth(repository.connection)
        source.no_validation()
    project = Project(
        title,
        Name=name,
        Description=f"Ships {repository.url} ({environment.branch}) to the pipeline's source "
        "bucket",
        Source=source,
        Artifacts=Artifacts(Type="NO_ARTIFACTS"),
        Environment=Environment(
            Type="LINUX_CONTAINER",
            ComputeType=COMPUTE_TYPES["small"],
            Image=BRIDGE_IMAGE,
            EnvironmentVariables=[
                EnvironmentVariable(
                    Name="SOURCE_BUCKET", Type="PLAINTEXT", Value=Ref(source_bucket)
                ),
                EnvironmentVariable(Name="SOURCE_KEY", Type="PLAINTEXT", Value=source_key),
            ],
        ),
        ServiceRole=GetAtt(role, "Arn"),
        TimeoutInMinutes=BRIDGE_TIMEOUT_MINUTES,
        BadgeEnabled=badge,
        LogsConfig=_logs(log_group),
        # troposphere's WebhookFilter knows 5 of CodeBuild's 11 filter types; the
        # groups are built from our own enums and checked by generator.checks.
        Triggers=_triggers(repository, environment),
    )
    if kms_key is not None:
        project.EncryptionKey = kms_key
    return project


def _triggers(repository: Repository, environment: EnvironmentSpec) -> ProjectTriggers:
    events = list(environment.events)
    triggers = ProjectTriggers(
        Webhook=True,
        BuildType="BUILD",
        FilterGroups=filter_groups(environment.branch, events, list(environment.actors)),
    )
    if any(e != "push" for e in events):
        # Pull requests wait for an approver's comment (CodeBuild's own default for new
        # projects is ALL_PULL_REQUESTS; GitHub and Bitbucket both support it).
        triggers.PullRequestBuildPolicy = PullRequestBuildPolicy(
            RequiresCommentApproval=PULL_REQUEST_APPROVAL[environment.pull_request_approval]
        )
    # troposphere's WebhookFilter knows 5 of CodeBuild's 11 filter types; the groups are
    # built from our own enums and checked by generator.checks.
    return triggers.no_validation()


def build_variables(
    variables: Mapping[str, object], secrets: Mapping[str, str]
) -> list[EnvironmentVariable]:
    """Plain variables, then secrets resolved by CodeBuild from SSM / Secrets Manager."""
    found = [
        EnvironmentVariable(Name=name, Type="PLAINTEXT", Value=value)
        for name, value in variables.items()
    ]
    for name, reference in secrets.items():
        secret = parse_secret(reference)
        assert secret is not None  # validated in the model
        if secret.store == "ssm":
            found.append(EnvironmentVariable(Name=name, Type="PARAMETER_STORE", Value=secret.name))
        else:
            value = secret.name + (f":{secret.json_key}" if secret.json_key else "")
            found.append(EnvironmentVariable(Name=name, Type="SECRETS_MANAGER", Value=value))
    return found


def build_project(
    title: str,
    *,
    name: str,
    build: Build,
    variables: list[EnvironmentVariable],
    compute: object,
    timeout: object,
    role: Role,
    log_group: LogGroup,
    kms_key: str | None,
) -> Project:
    """The pipeline's build project; compute and timeout may be Parameter Refs."""
    environment = Environment(
        Type="LINUX_CONTAINER",
        ComputeType=compute,
        Image=build.image,
        PrivilegedMode=build.privileged,
        EnvironmentVariables=variables,
    )
    project = Project(
        title,
        Name=name,
        Description=f"Builds and tests with {build.buildspec} from the repository",
        Source=Source(Type="CODEPIPELINE", BuildSpec=build.buildspec),
        Artifacts=Artifacts(Type="CODEPIPELINE"),
        Environment=environment,
        ServiceRole=GetAtt(role, "Arn"),
        TimeoutInMinutes=timeout,
        LogsConfig=_logs(log_group),
    )
    if kms_key is not None:
        project.EncryptionKey = kms_key
    return project


def check_project(
    title: str,
    *,
    name: str,
    repository: Repository,
    build: Build,
    checks: Checks,
    events: Sequence[str],
    variables: list[EnvironmentVariable],
    badge: bool,
    compute: object,
    timeout: object,
    role: Role,
    log_group: LogGroup,
) -> Project:
    """Builds each pull request with the repository's buildspec and reports the result on
    the pull request (ReportBuildStatus; CodeBuild API reference, ProjectSource: GitHub
    and Bitbucket, among others). No artifacts: pull-request code never reaches a pipeline."""
    source = Source(
        Type=SOURCE_TYPES[repository.provider],
        Location=repository.url,
        BuildSpec=checks.buildspec or build.buildspec,
        ReportBuildStatus=True,
    )
    if repository.connection is not None:
        source.Auth = _source_auth(repository.connection)
        source.no_validation()
    triggers = ProjectTriggers(
        Webhook=True,
        BuildType="BUILD",
        FilterGroups=check_filter_groups(checks.branches, events, list(checks.actors)),
        PullRequestBuildPolicy=PullRequestBuildPolicy(
            RequiresCommentApproval=PULL_REQUEST_APPROVAL[checks.approval]
        ),
    )
    return Project(
        title,
        Name=name,
        Description=f"Checks pull requests to {', '.join(checks.branches)} of "
        f"{repository.url} and reports on them",
        Source=source,
        Artifacts=Artifacts(Type="NO_ARTIFACTS"),
        Environment=Environment(
            Type="LINUX_CONTAINER",
            ComputeType=compute,
            Image=build.image,
            PrivilegedMode=build.privileged,
            EnvironmentVariables=variables,
        ),
        ServiceRole=GetAtt(role, "Arn"),
        TimeoutInMinutes=timeout,
        BadgeEnabled=badge,
        LogsConfig=_logs(log_group),
        Triggers=triggers.no_validation(),
    )
