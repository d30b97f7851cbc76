"""The CloudFormation execution role (templates/bootstrap-deployer.json): it may do what
CloudFormation's resource handlers call for every resource type our stacks contain, on
resources our stacks name the way CloudFormation names them, and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from generator.aws.deployer import (
    EXCLUDED_FOR_TYPE,
    EXCLUDED_PERMISSIONS,
    HANDLER_PERMISSIONS,
    granted_actions,
)

from .conftest import TEMPLATES
from .iam_eval import Request, decide
from .policy_audit import audit_statement, role_policies

DEPLOYER = TEMPLATES / "bootstrap-deployer.json"
ARN = "arn:aws:{service}:eu-west-1:123456789012:{rest}"
OUR_ROLE = "arn:aws:iam::123456789012:role/pipeline-generator/orders-api-dev-BuildRole-1AB2CD3EF4GH"
BUCKET = "arn:aws:s3:::orders-api-dev-sourcebucket-1ab2cd3ef4gh"

# A resource of each service as a deployed orders-api-dev stack names it (CloudFormation
# generates <stack>-<logical id>-<random> where the template gives no name).
EXAMPLE_RESOURCE = {
    "codebuild": ARN.format(service="codebuild", rest="project/orders-api-dev-build"),
    "codepipeline": ARN.format(service="codepipeline", rest="orders-api-dev"),
    "codestar-notifications": ARN.format(
        service="codestar-notifications", rest="notificationrule/0123456789abcdef"
    ),
    "codestar-connections": ARN.format(service="codestar-connections", rest="connection/a1b2"),
    "codeconnections": ARN.format(service="codeconnections", rest="connection/a1b2"),
    "events": ARN.format(service="events", rest="rule/orders-api-dev-SourceEventRule-1AB2"),
    "iam": OUR_ROLE,
    "logs": ARN.format(service="logs", rest="log-group:orders-api-dev-BuildLogGroup-1AB2"),
    "s3": BUCKET,
    "sns": ARN.format(service="sns", rest="orders-api-dev-NotificationTopic-1AB2"),
}
OBJECT_ACTIONS = {"s3:DeleteObject", "s3:PutObjectAcl"}
NO_RESOURCE_TYPE = {  # the Service Authorization Reference gives these no resource type
    "logs:DescribeLogGroups",
    "logs:DescribeIndexPolicies",
    "logs:DescribeResourcePolicies",
    "sns:GetSubscriptionAttributes",
    "sns:SetSubscriptionAttributes",
    "sns:Unsubscribe",
}


def _policies() -> list[dict[str, Any]]:
    template = json.loads(DEPLOYER.read_text())
    return [document for _, document in role_policies(template)]


def _request(action: str) -> Request:
    if action in NO_RESOURCE_TYPE:
        return Request(action, "*")
    resource = EXAMPLE_RESOURCE[action.split(":")[0]]
    if action in OBJECT_ACTIONS:
        resource += "/source.zip"
    context = {"iam:PassedToService": "codebuild.amazonaws.com"} if action == "iam:PassRole" else {}
    return Request(action, resource, context)


def _schema_permissions(resource_type: str) -> set[str]:
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    handlers = schema.get("handlers", {})
    return {
        permission
        for handler in ("create", "read", "update", "delete")
        for permission in handlers.get(handler, {}).get("permissions", [])
    }


def _stack_types(example_stacks) -> set[str]:
    return {r["Type"] for s in example_stacks for r in s.data["Resources"].values()}


def test_the_table_covers_every_resource_type_of_every_example_stack(example_stacks) -> None:
    names = {s.name for s in example_stacks}
    assert any(n.endswith("-checks") for n in names)  # checks and strict stacks are in
    assert _stack_types(example_stacks) <= set(HANDLER_PERMISSIONS)


@pytest.mark.parametrize("resource_type", sorted(HANDLER_PERMISSIONS))
def test_the_table_is_the_schema_handlers_minus_the_exclusions(resource_type: str) -> None:
    schema = _schema_permissions(resource_type)
    if not schema:  # AWS::CodeBuild::Project: no registry handlers; from CodeBuild's API
        assert resource_type == "AWS::CodeBuild::Project"
        return
    excluded = set(EXCLUDED_PERMISSIONS) | set(EXCLUDED_FOR_TYPE.get(resource_type, {}))
    assert set(HANDLER_PERMISSIONS[resource_type]) == schema - excluded


def test_the_role_grants_every_handler_permission_of_every_stack_type(example_stacks) -> None:
    policies = _policies()
    missing = [
        f"{resource_type}: {action}"
        for resource_type in sorted(_stack_types(example_stacks))
        for action in HANDLER_PERMISSIONS[resource_type]
        if decide(policies, _request(action)) != "Allow"
    ]
    assert missing == []


def test_the_role_grants_no_action_outside_the_table() -> None:
    granted = {a for doc in _policies() for s in doc["Statement"] for a in s["Action"]}
    assert granted == granted_actions()
    assert not any("*" in action for action in granted)


@pytest.mark.parametrize(
    "request_",
    [
        # its own role and any role outside our path
        Request("iam:PutRolePolicy", "arn:aws:iam::123456789012:role/pipeline-deployer/x"),
        Request("iam:CreateRole", "arn:aws:iam::123456789012:role/Admin"),
        Request("iam:AttachRolePolicy", OUR_ROLE),
        Request("iam:CreateUser", "arn:aws:iam::123456789012:user/x"),
        Request("iam:PassRole", OUR_ROLE, {"iam:PassedToService": "ec2.amazonaws.com"}),
        Request("iam:PassRole", "arn:aws:iam::123456789012:role/Admin",
                {"iam:PassedToService": "codebuild.amazonaws.com"}),
        # a bucket no stack of ours names, and an object in ours
        Request("s3:DeleteBucket", "arn:aws:s3:::acme-data-lake"),
        Request("s3:GetObject", BUCKET + "/source.zip"),
        # another Region
        Request("codebuild:DeleteProject", "arn:aws:codebuild:us-east-1:123456789012:project/x"),
    ],
)  # fmt: skip
def test_the_role_refuses_what_our_stacks_never_do(request_: Request) -> None:
    assert decide(_policies(), request_) == "ImplicitDeny"


def test_the_role_passes_the_policy_audit() -> None:
    problems = [p for doc in _policies() for s in doc["Statement"] for p in audit_statement(s)]
    assert problems == []


def test_only_cloudformation_may_assume_the_role() -> None:
    role = json.loads(DEPLOYER.read_text())["Resources"]["DeployRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": ["sts:AssumeRole"],
            "Effect": "Allow",
            "Principal": {"Service": "cloudformation.amazonaws.com"},
        }
    ]
    assert role["Path"] == "/pipeline-deployer/"


def test_every_stack_role_is_under_the_path_the_deployer_may_manage(example_stacks) -> None:
    roles = [
        r["Properties"]
        for s in example_stacks
        for r in s.data["Resources"].values()
        if r["Type"] == "AWS::IAM::Role"
    ]
    assert roles and all(p.get("Path") == "/pipeline-generator/" for p in roles)
    assert not any("ManagedPolicyArns" in p for p in roles)
    # Only a cross-account pipeline's role has a name (<stack>-pipeline), under the path.
    assert all(p["RoleName"].endswith("-pipeline") for p in roles if "RoleName" in p)
