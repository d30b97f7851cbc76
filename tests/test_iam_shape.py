"""IAM shape of every example stack: exact actions, scoped resources, one principal."""

from __future__ import annotations

import json

from generator.aws.iam import RESOURCE_WILDCARD_ALLOWLIST

from .conftest import resources_of


def _allow_statements(stack):
    for name, role in resources_of(stack, "AWS::IAM::Role").items():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                yield name, statement


def test_no_action_wildcards_and_star_only_for_allowlisted_actions(example_stacks) -> None:
    counted = 0
    for stack in example_stacks:
        for role, statement in _allow_statements(stack):
            counted += 1
            assert statement["Effect"] == "Allow"
            for action in statement["Action"]:
                assert "*" not in action and "?" not in action, (stack.name, role, action)
            if "*" in statement["Resource"]:
                assert statement["Resource"] == ["*"]
                for action in statement["Action"]:
                    assert action in RESOURCE_WILDCARD_ALLOWLIST, (stack.name, role, action)
    assert counted > 40
    print(f"\naudited {counted} IAM statements")


def test_every_trust_policy_names_one_service_principal(pipeline_stacks) -> None:
    expected = {
        "BridgeRole": "codebuild.amazonaws.com",
        "BuildRole": "codebuild.amazonaws.com",
        "PipelineRole": "codepipeline.amazonaws.com",
        "SourceEventRole": "events.amazonaws.com",
    }
    for stack in pipeline_stacks:
        roles = resources_of(stack, "AWS::IAM::Role")
        assert set(roles) == set(expected)
        cross_account = "DeployAccount" in stack.data["Metadata"]["PipelineGenerator"]
        for name, role in roles.items():
            props = role["Properties"]
            if cross_account and name == "PipelineRole":
                # Named so the target account's trust policy can name it exactly.
                assert props["RoleName"] == f"{stack.name}-pipeline"
            else:
                assert "RoleName" not in props, "named roles would need CAPABILITY_NAMED_IAM"
            (statement,) = props["AssumeRolePolicyDocument"]["Statement"]
            assert statement["Principal"] == {"Service": expected[name]}
            assert statement["Action"] == ["sts:AssumeRole"]


def test_no_literal_partition_in_generated_arns(example_stacks) -> None:
    for stack in example_stacks:
        for role, statement in _allow_statements(stack):
            for resource in statement["Resource"]:
                if isinstance(resource, str) and resource != "*":
                    # only ARNs the spec gave literally (a connection, a secret, a KMS key)
                    literal = (":codeconnections:", ":kms:", ":secretsmanager:")
                    assert any(k in resource for k in literal), (stack.name, role, resource)


def test_pass_role_is_limited_to_task_roles_and_ecs_tasks(example_stacks, example_specs) -> None:
    expected = sum(
        bool(env.deploy.ecs and env.deploy.ecs.task_roles)
        for spec in example_specs
        for env in spec.environments.values()
        if env.account is None  # else its deploy role in the target account passes them
    )
    seen = 0
    for stack in example_stacks:
        for _role, statement in _allow_statements(stack):
            if "iam:PassRole" in statement["Action"]:
                seen += 1
                assert statement["Action"] == ["iam:PassRole"]
                assert statement["Condition"] == {
                    "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
                }
                service = stack.name.rsplit("-", 1)[0]
                arns = json.dumps(statement["Resource"])
                assert f"role/{service}-task" in arns and f"role/{service}-exec" in arns
    assert seen == expected > 0


def test_bridge_may_only_put_the_one_source_object(pipeline_stacks) -> None:
    for stack in pipeline_stacks:
        role = resources_of(stack, "AWS::IAM::Role")["BridgeRole"]
        statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        s3 = [s for s in statements if any(a.startswith("s3:") for a in s["Action"])]
        assert s3 == [
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": [{"Fn::Sub": "${SourceBucket.Arn}/source.zip"}],
            }
        ]


def test_build_role_reads_only_listed_secrets(example_stacks) -> None:
    billing = next(s for s in example_stacks if s.name == "billing-worker-dev")
    role = resources_of(billing, "AWS::IAM::Role")["BuildRole"]
    text = json.dumps(role)
    assert "parameter/billing/db-url" in text and "parameter/ci/npm-token" in text
    assert "secret:billing/stripe-??????" in text
    storefront = next(s for s in example_stacks if s.name == "storefront-web-prod")
    text = json.dumps(resources_of(storefront, "AWS::IAM::Role")["BuildRole"])
    assert "ssm:" not in text and "secretsmanager:" not in text and "ecr:" not in text


def test_secret_references_become_resources_that_match_the_secret() -> None:
    from generator.spec.model import parse_secret
    from generator.stack.iam import secret_resource

    arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ci/sonar"
    cases = {
        # A complete ARN ends in the six characters Secrets Manager appends: exact.
        f"secretsmanager:{arn}-AbC123:token": f"{arn}-AbC123",
        # A partial ARN (no suffix) would never match as written: add the wildcard.
        f"secretsmanager:{arn}:token": f"{arn}-??????",
    }
    for value, expected in cases.items():
        secret = parse_secret(value)
        assert secret is not None and secret_resource(secret) == expected
    by_name = parse_secret("secretsmanager:ci/sonar")
    assert by_name is not None
    resource = secret_resource(by_name)
    assert not isinstance(resource, str)
    assert resource.to_dict() == {
        "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:"
        "secret:ci/sonar-??????"
    }
