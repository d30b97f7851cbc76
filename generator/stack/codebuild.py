"""CodeBuild projects: the webhook "source bridge", the pipeline's build project and the
pull-request check project."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from troposphere import GetAtt, Ref, Sub
from troposphere.codebuild import (
    Artifacts,
    CloudWatchLogs,
    Environment,
    EnvironmentVariable,
    GitSubmodulesConfig,
    LogsConfig,
    Project,
    ProjectCache,
    ProjectTriggers,
    PullRequestBuildPolicy,
    Source,
    SourceAuth,
    VpcConfig,
)
from troposphere.iam import Role
from troposphere.logs import LogGroup
from troposphere.s3 import Bucket

from ..aws.enums import (
    APPROVER_ROLES,
    COMPUTE_TYPES,
    PULL_REQUEST_APPROVAL,
    SOURCE_TYPES,
    SPEC_EVENTS,
)
from ..aws.images import ARCHES, Image, classify
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


def path_pattern(globs: Sequence[str]) -> str:
    """Globs -> one anchored pattern for a FILE_PATH filter: `**` crosses folders, `*`
    stays within one, `?` is one character (`services/orders/**` ->
    `^(services/orders/.*)$`)."""
    return "^(" + "|".join(_glob_regex(glob) for glob in globs) + ")$"


def _glob_regex(glob: str) -> str:
    """FILE_PATH patterns match each changed file's path from the repository root
    (CodeBuild API reference, WebhookFilter: "the path of a changed file matches the
    regular expression"). A name without wildcards is that file or the folder of that
    name (`services/catalog` and `services/catalog/` mean everything under it)."""
    if not any(wildcard in glob for wildcard in "*?"):
        return escape_regex(glob.rstrip("/")) + "(/.*)?"
    parts = re.split(r"(\*\*/?|\*|\?)", glob)
    wildcards = {"**/": "(.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return "".join(wildcards.get(part, escape_regex(part)) for part in parts)


def filter_groups(
    branch: str,
    events: Sequence[str],
    actors: Sequence[str] = (),
    paths: Sequence[str] = (),
) -> list[list[dict[str, Any]]]:
    """Webhook filter groups for one environment.

    A build starts when any group matches. Pushes are filtered on the pushed
    branch (HEAD_REF); pull-request events on the target branch (BASE_REF), which
    CodeBuild refuses beside PUSH, so the two kinds go in separate groups. Event
    names are joined with "," and no space: with a space CodeBuild was reported to
    honour only the first event (aws/aws-cdk#33197). With actors, every group also
    requires ACTOR_ACCOUNT_ID to be one of them; with paths, FILE_PATH to match one
    (CodeBuild API reference, WebhookFilter: FILE_PATH "works with push and pull request
    events").
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
    if paths:
        for group in groups:
            group.append(_filter("FILE_PATH", path_pattern(paths)))
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
    build: Build,
    badge: bool,
    kms_key: str | None,
    role: Role,
    log_group: LogGroup,
    source_bucket: Bucket,
    source_key: str,
) -> Project:
    source = repository_source(repository, build, GitCloneDepth=1, BuildSpec=BRIDGE_BUILDSPEC)
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


def pull_request_build_policy(provider: str, approval: str) -> PullRequestBuildPolicy:
    """Comment approval with the provider's write and admin roles as approvers; AWS uses
    ApproverRoles only when approval is required (API_PullRequestBuildPolicy)."""
    requires = PULL_REQUEST_APPROVAL[approval]
    if requires == "DISABLED":
        return PullRequestBuildPolicy(RequiresCommentApproval=requires)
    return PullRequestBuildPolicy(
        RequiresCommentApproval=requires, ApproverRoles=list(APPROVER_ROLES[provider])
    )


def _triggers(repository: Repository, environment: EnvironmentSpec) -> ProjectTriggers:
    events = list(environment.events)
    assert environment.branch is not None  # a pipeline's first environment has a branch
    triggers = ProjectTriggers(
        Webhook=True,
        BuildType="BUILD",
        FilterGroups=filter_groups(
            environment.branch, events, list(environment.actors), list(environment.paths)
        ),
    )
    if any(e != "push" for e in events):
        # Pull requests wait for an approver's comment (CodeBuild's own default for new
        # projects is ALL_PULL_REQUESTS; GitHub and Bitbucket both support it).
        triggers.PullRequestBuildPolicy = pull_request_build_policy(
            repository.provider, environment.pull_request_approval
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


def build_environment(
    build: Build, compute: object, variables: list[EnvironmentVariable]
) -> Environment:
    """The build container: image and architecture, privileged mode, variables, and the
    spec's CA certificate. A private ECR image is pulled with the project's own role
    (SERVICE_ROLE: "When you use a cross-account or private registry image, you must use
    SERVICE_ROLE credentials", CodeBuild API reference, ProjectEnvironment)."""
    environment = Environment(
        Type=ARCHES[build.arch],
        ComputeType=compute,
        Image=build.image,
        PrivilegedMode=build.privileged,
        EnvironmentVariables=variables,
    )
    image = classify(build.image)
    if isinstance(image, Image) and image.kind == "ecr":
        environment.ImagePullCredentialsType = "SERVICE_ROLE"
    if build.certificate is not None:
        environment.Certificate = build.certificate.removeprefix("s3://")
    return environment


def vpc_config(build: Build) -> VpcConfig | None:
    if build.vpc is None:
        return None
    return VpcConfig(
        VpcId=build.vpc.vpc,
        Subnets=list(build.vpc.subnets),
        SecurityGroupIds=list(build.vpc.security_groups),
    )


# build.cache: local = source and Docker layer cache on the build host (CodeBuild user
# guide, caching-local); s3 = the artifact bucket's cache/ prefix (caching-s3).
LOCAL_CACHE_MODES = ["LOCAL_SOURCE_CACHE", "LOCAL_DOCKER_LAYER_CACHE"]
CACHE_PREFIX = "cache"


def project_cache(build: Build, artifacts: Bucket | None) -> ProjectCache | None:
    """The project's cache; an S3 cache only where there is an artifact bucket."""
    if build.cache == "local":
        return ProjectCache(Type="LOCAL", Modes=LOCAL_CACHE_MODES)
    if build.cache == "s3" and artifacts is not None:
        return ProjectCache(Type="S3", Location=Sub("${" + artifacts.title + "}/" + CACHE_PREFIX))
    return None


def repository_source(repository: Repository, build: Build, **properties: object) -> Source:
    """The Git repository as a project's source, through the spec's connection if any,
    with its submodules when the spec asks for them."""
    source = Source(Type=SOURCE_TYPES[repository.provider], Location=repository.url, **properties)
    if build.submodules:
        source.GitSubmodulesConfig = GitSubmodulesConfig(FetchSubmodules=True)
    if repository.connection is not None:
        source.Auth = _source_auth(repository.connection)
        source.no_validation()
    return source


def _with_optional(project: Project, **values: object) -> Project:
    for name, value in values.items():
        if value is not None:
            setattr(project, name, value)
    return project


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
    artifacts: Bucket,
) -> Project:
    """The pipeline's build project; compute and timeout may be Parameter Refs."""
    environment = build_environment(build, compute, variables)
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
    return _with_optional(
        project,
        EncryptionKey=kms_key,
        VpcConfig=vpc_config(build),
        Cache=project_cache(build, artifacts),
    )


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
    source = repository_source(
        repository, build, BuildSpec=checks.buildspec or build.buildspec, ReportBuildStatus=True
    )
    triggers = ProjectTriggers(
        Webhook=True,
        BuildType="BUILD",
        FilterGroups=check_filter_groups(checks.branches, events, list(checks.actors)),
        PullRequestBuildPolicy=pull_request_build_policy(repository.provider, checks.approval),
    )
    project = Project(
        title,
        Name=name,
        Description=f"Checks pull requests to {', '.join(checks.branches)} of "
        f"{repository.url} and reports on them",
        Source=source,
        Artifacts=Artifacts(Type="NO_ARTIFACTS"),
        Environment=build_environment(build, compute, variables),
        ServiceRole=GetAtt(role, "Arn"),
        TimeoutInMinutes=timeout,
        BadgeEnabled=badge,
        LogsConfig=_logs(log_group),
        Triggers=triggers.no_validation(),
    )
    # The check stack has no bucket for an S3 cache.
    return _with_optional(project, VpcConfig=vpc_config(build), Cache=project_cache(build, None))
