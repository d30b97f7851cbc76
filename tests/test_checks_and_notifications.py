"""Pull-request checks, notifications and environment-aware builds in the example stacks
(specs/orders-api.yaml, payments-gateway.yaml and ledger-service.yaml use them)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator.aws.enums import CHECK_NOTIFICATION_EVENTS, PIPELINE_NOTIFICATION_EVENTS

from .conftest import resources_of

# The event type IDs the Developer Tools console user guide lists ("Events for
# notification rules on pipelines / on build projects", dtconsole/latest/userguide/concepts).
DOCUMENTED_EVENT_IDS = {
    "codepipeline-pipeline-pipeline-execution-failed",
    "codepipeline-pipeline-pipeline-execution-canceled",
    "codepipeline-pipeline-pipeline-execution-started",
    "codepipeline-pipeline-pipeline-execution-resumed",
    "codepipeline-pipeline-pipeline-execution-succeeded",
    "codepipeline-pipeline-pipeline-execution-superseded",
    "codepipeline-pipeline-manual-approval-failed",
    "codepipeline-pipeline-manual-approval-needed",
    "codepipeline-pipeline-manual-approval-succeeded",
    "codebuild-project-build-state-failed",
    "codebuild-project-build-state-succeeded",
    "codebuild-project-build-state-in-progress",
    "codebuild-project-build-state-stopped",
}
# CreateNotificationRule: Name is 1-64 characters of [A-Za-z0-9\-_ ].
RULE_NAME = re.compile(r"^[A-Za-z0-9\-_ ]{1,64}$")


def _stack(stacks: list[Any], name: str) -> Any:
    (found,) = [s for s in stacks if s.name == name]
    return found


def _props(stack: Any, logical_id: str) -> dict[str, Any]:
    return dict(stack.data["Resources"][logical_id]["Properties"])


def test_every_event_id_we_use_is_documented() -> None:
    used = set(PIPELINE_NOTIFICATION_EVENTS.values()) | set(CHECK_NOTIFICATION_EVENTS.values())
    assert used <= DOCUMENTED_EVENT_IDS


def test_check_stack_builds_pull_requests_and_reports_on_them(example_stacks) -> None:
    checks = _stack(example_stacks, "orders-api-checks")
    assert set(checks.data["Resources"]) == {
        "CheckLogGroup",
        "CheckRole",
        "CheckProject",
        "CheckNotificationRule",
        "NotificationTopic",
        "NotificationTopicPolicy",
        "NotificationEmail" + "EFBBD30D65",
    }
    project = _props(checks, "CheckProject")
    assert project["Source"]["ReportBuildStatus"] is True
    assert project["Source"]["Type"] == "BITBUCKET"
    assert project["Artifacts"] == {"Type": "NO_ARTIFACTS"}
    assert project["Triggers"]["FilterGroups"] == [
        [
            {"Type": "EVENT", "Pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED"},
            {"Type": "BASE_REF", "Pattern": "^refs/heads/(develop|main)$"},
        ]
    ]
    assert project["Triggers"]["PullRequestBuildPolicy"] == {
        "RequiresCommentApproval": "ALL_PULL_REQUESTS",
        "ApproverRoles": ["BITBUCKET_WRITE", "BITBUCKET_ADMIN"],
    }
    names = {v["Name"]: v["Value"] for v in project["Environment"]["EnvironmentVariables"]}
    assert names["PIPELINE_ENV"] == "checks" and names["STACK_NAME"] == "orders-api-checks"
    # build.secrets never reach pull-request code.
    assert "DB_PASSWORD" not in names and "SONAR_TOKEN" not in names


def test_github_checks_add_reopened_actors_and_their_own_secret(example_stacks) -> None:
    checks = _stack(example_stacks, "payments-gateway-checks")
    project = _props(checks, "CheckProject")
    (group,) = project["Triggers"]["FilterGroups"]
    assert group == [
        {
            "Type": "EVENT",
            "Pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED",
        },
        {"Type": "BASE_REF", "Pattern": "^refs/heads/(main|release/2\\.1)$"},
        {"Type": "ACTOR_ACCOUNT_ID", "Pattern": "^(12345678|87654321)$"},
    ]
    assert project["Source"]["BuildSpec"] == "ci/checks.yml"
    variables = project["Environment"]["EnvironmentVariables"]
    secrets = [v["Name"] for v in variables if v["Type"] != "PLAINTEXT"]
    assert secrets == ["SONAR_TOKEN"]


@pytest.mark.parametrize(
    "stack, events",
    [
        ("orders-api-dev", ["codepipeline-pipeline-pipeline-execution-failed"]),
        (
            "orders-api-prod",
            [
                "codepipeline-pipeline-pipeline-execution-failed",
                "codepipeline-pipeline-manual-approval-needed",
            ],
        ),
        (
            "payments-gateway-prod",
            [
                "codepipeline-pipeline-pipeline-execution-failed",
                "codepipeline-pipeline-manual-approval-needed",
                "codepipeline-pipeline-pipeline-execution-succeeded",
            ],
        ),
        ("orders-api-checks", ["codebuild-project-build-state-failed"]),
    ],
)
def test_notification_rules_carry_the_events_that_resource_emits(
    example_stacks, stack: str, events: list[str]
) -> None:
    found = _stack(example_stacks, stack)
    (rule,) = resources_of(found, "AWS::CodeStarNotifications::NotificationRule").values()
    props = rule["Properties"]
    assert props["EventTypeIds"] == events
    assert props["DetailType"] == "FULL"
    assert RULE_NAME.match(props["Name"])
    assert isinstance(props.get("Tags", {}), dict)  # a map on this resource type


def test_a_created_topic_lets_only_codestar_notifications_of_this_account_publish(
    example_stacks,
) -> None:
    stack = _stack(example_stacks, "orders-api-prod")
    policy = _props(stack, "NotificationTopicPolicy")["PolicyDocument"]
    assert policy["Statement"] == [
        {
            "Sid": "AWSCodeStarNotificationsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "codestar-notifications.amazonaws.com"},
            "Action": ["sns:Publish"],
            "Resource": [{"Ref": "NotificationTopic"}],
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
        }
    ]
    rule = _props(stack, "PipelineNotificationRule")
    assert rule["Targets"] == [{"TargetType": "SNS", "TargetAddress": {"Ref": "NotificationTopic"}}]
    # Created only once CodeStar Notifications may publish to the topic.
    assert stack.data["Resources"]["PipelineNotificationRule"]["DependsOn"] == [
        "NotificationTopicPolicy"
    ]
    assert stack.data["Outputs"]["NotificationTopicArn"]["Value"] == {"Ref": "NotificationTopic"}
    # No approval action publishes itself: the rule's FULL message carries the link.
    assert "NotificationArn" not in str(stack.data["Resources"]["Pipeline"])


def test_an_existing_topic_is_used_as_is(example_stacks) -> None:
    stack = _stack(example_stacks, "payments-gateway-prod")
    assert not resources_of(stack, "AWS::SNS::Topic")
    assert not resources_of(stack, "AWS::SNS::Subscription")
    assert "DependsOn" not in stack.data["Resources"]["PipelineNotificationRule"]
    rule = _props(stack, "PipelineNotificationRule")
    assert (
        rule["Targets"][0]["TargetAddress"] == "arn:aws:sns:eu-west-1:111122223333:payments-alerts"
    )


def test_a_created_topic_is_encrypted_with_the_spec_key(example_stacks) -> None:
    stack = _stack(example_stacks, "ledger-service-prod")
    topic = _props(stack, "NotificationTopic")
    assert topic["KmsMasterKeyId"].startswith("arn:aws:kms:")
    subscriptions = resources_of(stack, "AWS::SNS::Subscription")
    assert sorted(s["Properties"]["Endpoint"] for s in subscriptions.values()) == [
        "finance-oncall@example.com",
        "ledger-team@example.com",
    ]


def test_every_build_knows_its_environment_and_merged_secrets(pipeline_stacks) -> None:
    for stack in pipeline_stacks:
        variables = _props(stack, "BuildProject")["Environment"]["EnvironmentVariables"]
        named = {v["Name"]: v["Value"] for v in variables}
        assert named["PIPELINE_ENV"] == stack.name.rsplit("-", 1)[1]
        assert named["STACK_NAME"] == stack.name
    prod = _stack(pipeline_stacks, "payments-gateway-prod")
    variables = _props(prod, "BuildProject")["Environment"]["EnvironmentVariables"]
    named = {v["Name"]: v["Value"] for v in variables}
    assert named["SIGNING_KEY"] == "payments/prod-signing-key"  # the environment's wins
    assert named["API_URL"] == "https://api.payments.example.com"
    assert named["GRADLE_OPTS"] == "-Dorg.gradle.daemon=false"  # from build.variables


def test_created_buckets_are_retained_unless_their_first_create_rolls_back(
    example_stacks,
) -> None:
    # RetainExceptOnCreate: a failed first create leaves no empty bucket behind to block
    # the retry (CloudFormation template reference, aws-attribute-deletionpolicy).
    buckets = [b for s in example_stacks for b in resources_of(s, "AWS::S3::Bucket").values()]
    assert buckets
    for bucket in buckets:
        assert bucket["DeletionPolicy"] == "RetainExceptOnCreate"
        assert bucket["UpdateReplacePolicy"] == "Retain"
