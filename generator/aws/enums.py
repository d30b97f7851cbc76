"""AWS value lists the generator owns, each with the reference it comes from.

troposphere's validators lag CloudFormation (its WebhookFilter knows 5 of the 11
filter types) and cfn-lint does not look inside webhook filter groups, so these
lists are the single source of truth for the spec model and our own checks.
"""

from __future__ import annotations

# CodeBuild API reference, WebhookFilter.type:
# https://docs.aws.amazon.com/codebuild/latest/APIReference/API_WebhookFilter.html
WEBHOOK_FILTER_TYPES: tuple[str, ...] = (
    "EVENT",
    "ACTOR_ACCOUNT_ID",
    "HEAD_REF",
    "BASE_REF",
    "FILE_PATH",
    "COMMIT_MESSAGE",
    "TAG_NAME",
    "RELEASE_NAME",
    "REPOSITORY_NAME",
    "ORGANIZATION_NAME",
    "WORKFLOW_NAME",
)

# Spec event name -> CodeBuild webhook EVENT value.
# CodeBuild user guide, "Bitbucket webhook events" and "GitHub webhook events".
SPEC_EVENTS: dict[str, str] = {
    "push": "PUSH",
    "pull-request-created": "PULL_REQUEST_CREATED",
    "pull-request-updated": "PULL_REQUEST_UPDATED",
    "pull-request-merged": "PULL_REQUEST_MERGED",
    "pull-request-closed": "PULL_REQUEST_CLOSED",
    "pull-request-reopened": "PULL_REQUEST_REOPENED",
}

# Webhook events each provider sends (Bitbucket has no reopened or release events).
PROVIDER_EVENTS: dict[str, frozenset[str]] = {
    "bitbucket": frozenset(
        {
            "PUSH",
            "PULL_REQUEST_CREATED",
            "PULL_REQUEST_UPDATED",
            "PULL_REQUEST_MERGED",
            "PULL_REQUEST_CLOSED",
        }
    ),
    "github": frozenset(
        {
            "PUSH",
            "PULL_REQUEST_CREATED",
            "PULL_REQUEST_UPDATED",
            "PULL_REQUEST_MERGED",
            "PULL_REQUEST_CLOSED",
            "PULL_REQUEST_REOPENED",
            "RELEASED",
            "PRERELEASED",
            "WORKFLOW_JOB_QUEUED",
        }
    ),
}
ALL_WEBHOOK_EVENTS: frozenset[str] = frozenset().union(*PROVIDER_EVENTS.values())

# Bitbucket webhook events that CodeBuild filters on but Bitbucket sends only when the
# repository webhook has that trigger ticked (CodeBuild user guide, "Bitbucket webhook
# events": PULL_REQUEST_MERGED needs "Merged", PULL_REQUEST_CLOSED needs "Declined").
BITBUCKET_WEBHOOK_TRIGGERS: dict[str, str] = {
    "pull-request-merged": "Pull Request: Merged",
    "pull-request-closed": "Pull Request: Declined",
}

# Spec pull_request_approval -> PullRequestBuildPolicy.RequiresCommentApproval.
# CodeBuild API reference, PullRequestBuildPolicy; user guide, "Pull request comment
# approval": new projects default to ALL_PULL_REQUESTS.
PULL_REQUEST_APPROVAL: dict[str, str] = {
    "all": "ALL_PULL_REQUESTS",
    "fork": "FORK_PULL_REQUESTS",
    "none": "DISABLED",
}

# Provider -> PullRequestBuildPolicy.ApproverRoles: the repository roles whose own pull
# requests build without a comment and who may approve others' (CodeBuild API reference,
# API_PullRequestBuildPolicy, approverRoles: GITHUB_READ | GITHUB_TRIAGE | GITHUB_WRITE |
# GITHUB_MAINTAIN | GITHUB_ADMIN | GITLAB_* | BITBUCKET_READ | BITBUCKET_WRITE |
# BITBUCKET_ADMIN; "only applicable when requiresCommentApproval is not DISABLED").
# Everyone who may push to the repository, so developers' own pull requests are not held.
APPROVER_ROLES: dict[str, list[str]] = {
    "github": ["GITHUB_WRITE", "GITHUB_MAINTAIN", "GITHUB_ADMIN"],
    "bitbucket": ["BITBUCKET_WRITE", "BITBUCKET_ADMIN"],
}

# Words that make an environment name production (`prod`, `prod-eu`, `eu-live`): pull-request
# code may not deploy there unless the triggering actors are restricted.
PRODUCTION_WORDS = frozenset({"prod", "production", "live", "prd"})

# Plain variable names that look like secrets; they belong in `secrets`.
SECRET_LIKE_NAME = r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)"

# CodeBuild source type per spec provider.
SOURCE_TYPES: dict[str, str] = {"bitbucket": "BITBUCKET", "github": "GITHUB"}

# Spec compute size -> CodeBuild ComputeType (general-purpose Linux containers).
# CodeBuild user guide, "Build environment compute modes and types".
COMPUTE_TYPES: dict[str, str] = {
    "small": "BUILD_GENERAL1_SMALL",
    "medium": "BUILD_GENERAL1_MEDIUM",
    "large": "BUILD_GENERAL1_LARGE",
    "2xlarge": "BUILD_GENERAL1_2XLARGE",
}
# Every ComputeType CloudFormation accepts for AWS::CodeBuild::Project, for our checks.
KNOWN_COMPUTE_TYPES: frozenset[str] = frozenset(
    {
        *COMPUTE_TYPES.values(),
        "BUILD_GENERAL1_XLARGE",
        "BUILD_LAMBDA_1GB",
        "BUILD_LAMBDA_2GB",
        "BUILD_LAMBDA_4GB",
        "BUILD_LAMBDA_8GB",
        "BUILD_LAMBDA_10GB",
        "ATTRIBUTE_BASED_COMPUTE",
        "CUSTOM_INSTANCE_TYPE",
    }
)

# CloudWatch Logs PutRetentionPolicy, retentionInDays valid values.
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Service principals our roles trust; our checks refuse any other trust principal.
SERVICE_PRINCIPALS: frozenset[str] = frozenset(
    {"codebuild.amazonaws.com", "codepipeline.amazonaws.com", "events.amazonaws.com"}
)
# The CloudFormation execution role (bootstrap-deployer) trusts CloudFormation, and only
# that template's role may (CloudFormation user guide, using-iam-servicerole).
CLOUDFORMATION_PRINCIPAL = "cloudformation.amazonaws.com"
# The only service the pipeline may pass ECS task roles to (iam:PassedToService).
ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"


# The stack `<service>-checks` holds a spec's pull-request checks; no environment may use
# the name.
CHECKS_STACK = "checks"
# The template of a multi-account spec's deploy roles: <service>-targets.
TARGETS_STACK = "targets"

# Variables every build project gets from the generator (not settable in a spec).
GENERATED_VARIABLES = ("PIPELINE_ENV", "STACK_NAME")

# Spec notification event -> AWS CodeStar Notifications event type IDs, per resource
# (Developer Tools console user guide, "Events for notification rules on pipelines" and
# "... on build projects": https://docs.aws.amazon.com/dtconsole/latest/userguide/concepts.html).
PIPELINE_NOTIFICATION_EVENTS: dict[str, str] = {
    "failed": "codepipeline-pipeline-pipeline-execution-failed",
    "approval-needed": "codepipeline-pipeline-manual-approval-needed",
    "succeeded": "codepipeline-pipeline-pipeline-execution-succeeded",
    "started": "codepipeline-pipeline-pipeline-execution-started",
}
# The check project notifies failed builds only: a pass shows on the pull request.
CHECK_NOTIFICATION_EVENTS: dict[str, str] = {
    "failed": "codebuild-project-build-state-failed",
}
