"""The permission contract, made executable: every role of every stack grants each
(action, resource) that AWS documents for the operations it performs (generator/aws/contract.py),
on this stack's own resources, and nothing beyond them; the bucket policies let exactly
the writer roles write."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from generator.aws.contract import OPERATIONS, Need
from generator.aws.images import Image, classify
from generator.render.formats import template_data
from generator.spec.loader import load_spec_text
from generator.spec.model import Spec, parse_secret
from generator.spec.validate import validate_spec
from generator.stack.compose import compose
from generator.stack.operations import role_operations, target_role_operations
from generator.stack.targets import camel, compose_targets

from .conftest import SPECS, examples
from .iam_eval import Request, decide
from .policy_audit import IMPORTED, PSEUDO, get_att, ref, resolve
from .strategies import specs

REGION, ACCOUNT = PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"]
LOG_GROUPS = {
    "BridgeRole": "BridgeLogGroup",
    "BuildRole": "BuildLogGroup",
    "CheckRole": "CheckLogGroup",
}
PROJECTS = {"BuildRole": "BuildProject", "CheckRole": "CheckProject"}
# Every request our roles make arrives over TLS (the AWS SDKs and CLI use HTTPS).
TLS = {"aws:SecureTransport": "true"}


def regional(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"


def _secret(name: str) -> tuple[str, str]:
    """(the pattern a policy should hold, a concrete ARN of that secret)."""
    secret = parse_secret("secretsmanager:" + name)
    assert secret is not None
    if secret.is_complete_arn:
        return secret.name, secret.name
    base = (
        secret.name
        if secret.name.startswith("arn:")
        else regional("secretsmanager", f"secret:{secret.name}")
    )
    return base + "-??????", base + "-AbC123"


def scopes(
    kind: str, role: str, spec: Spec, env: str, template: dict[str, Any], region: str = REGION
) -> list[tuple[str, str]]:
    """[(the resource pattern the grant must name, a concrete ARN inside it)] for a kind,
    in region (an environment's `regions`) where the kind is regional."""

    def regional(service: str, rest: str) -> str:
        return f"arn:aws:{service}:{region}:{ACCOUNT}:{rest}"

    resources = template["Resources"]
    if "SourceBucket" in resources:
        source, artifacts = ref(template, "SourceBucket"), ref(template, "ArtifactBucket")
        pipeline = resources["Pipeline"]["Properties"]["Name"]
    if env in spec.environments:
        deploy = spec.environments[env].deploy
    secrets = [parse_secret(v) for v in spec.secrets_of(env).values()]
    if kind == "log-streams":
        group = ref(template, LOG_GROUPS[role])
        prefix = regional("logs", f"log-group:{group}:log-stream:")
        return [(prefix + "*", prefix + "5f2c-build-1")]
    if kind == "source-object":
        return [(f"arn:aws:s3:::{source}/source.zip",) * 2]
    if kind == "source-bucket":
        return [(f"arn:aws:s3:::{source}",) * 2]
    if kind == "artifact-objects":
        return [
            (
                f"arn:aws:s3:::{artifacts}/*",
                f"arn:aws:s3:::{artifacts}/{pipeline}/SourceOutput/Ab12",
            )
        ]
    if kind == "artifact-bucket":
        return [(f"arn:aws:s3:::{artifacts}",) * 2]
    if kind == "report-groups":
        project = resources[PROJECTS[role]]["Properties"]["Name"]
        prefix = regional("codebuild", f"report-group/{project}-")
        return [(prefix + "*", prefix + "junit")]
    if kind == "build-project":
        return [(get_att(template, "BuildProject", "Arn"),) * 2]
    if kind == "pipeline":
        return [(regional("codepipeline", pipeline),) * 2]
    if kind == "any":
        return [("*", "*")]
    if kind == "ecs-service":
        assert deploy.ecs is not None
        return [(regional("ecs", f"service/{deploy.ecs.cluster}/{deploy.ecs.service}"),) * 2]
    if kind == "task-definitions":
        assert deploy.ecs is not None
        return [
            (
                regional("ecs", "task-definition/*"),
                regional("ecs", f"task-definition/{deploy.ecs.service}:7"),
            )
        ]
    if kind == "task-roles":
        assert deploy.ecs is not None
        return [
            (f"arn:aws:iam::{ACCOUNT}:role/{name}",) * 2 for name in deploy.ecs.task_roles or []
        ]
    if kind == "deploy-objects":
        assert deploy.s3 is not None
        key = deploy.s3.key
        return [
            (
                f"arn:aws:s3:::{deploy.s3.bucket}/{key or '*'}",
                f"arn:aws:s3:::{deploy.s3.bucket}/{key or 'index.html'}",
            )
        ]
    if kind == "deploy-bucket":
        assert deploy.s3 is not None
        return [(f"arn:aws:s3:::{deploy.s3.bucket}",) * 2]
    if kind == "connection":
        assert spec.repository.connection is not None
        return [(spec.repository.connection,) * 2]
    if kind == "kms-key":
        assert spec.kms_key is not None
        return [(spec.kms_key,) * 2]
    if kind == "tools-artifact-objects":
        head = spec.head_of(env)  # a chain's artifacts are its first environment's stack's
        bucket = f"{spec.service}-{head}-{spec.delivery.tools_account}"  # type: ignore[union-attr]
        return [(f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}/{bucket}/BuildOutput/Ab12")]
    if kind == "artifact-key" and role.endswith("DeployRole"):
        # Seen from the target account: the spec's key, or any key of the tools account
        # in this Region, narrowed by the encryption context of this stack's bucket.
        tools = spec.delivery.tools_account  # type: ignore[union-attr]
        delivery_key = IMPORTED["pipeline-delivery-ArtifactKeyArn"].replace(ACCOUNT, tools)
        if spec.kms_key is not None:
            return [(spec.kms_key,) * 2]
        return [(f"arn:aws:kms:{REGION}:{tools}:key/*", delivery_key)]
    if kind == "artifact-key":
        key = spec.kms_key or IMPORTED["pipeline-delivery-ArtifactKeyArn"]
        return [(key,) * 2]
    if kind == "regional-bucket":
        return [(f"arn:aws:s3:::pipeline-artifacts-{_pipeline_account(spec)}-{region}",) * 2]
    if kind == "regional-objects":
        bucket = f"arn:aws:s3:::pipeline-artifacts-{_pipeline_account(spec)}-{region}"
        return [(bucket + "/*", bucket + "/checkout-api-dev/BuildOutput/Ab12")]
    if kind == "regional-key":
        assert spec.kms_key is not None
        parts = spec.kms_key.split(":")
        return [(":".join([*parts[:3], region, *parts[4:]]),) * 2]
    if kind == "alarms":
        gates = spec.environments[env].gates
        assert gates is not None
        return [(regional("cloudwatch", f"alarm:{name}"),) * 2 for name in gates.alarms]
    if kind == "deploy-role":
        account = spec.environments[env].account
        return [
            (f"arn:aws:iam::{account}:role/pipeline-generator/{spec.service}-{env}-deploy",) * 2
        ]
    if kind == "secret-keys":
        return [(key, key) for key in spec.build.secret_keys]
    if kind == "ssm-parameters":
        return [
            (regional("ssm", "parameter/" + s.name.lstrip("/")),) * 2
            for s in secrets
            if s is not None and s.store == "ssm"
        ]
    if kind == "secrets":
        return [_secret(s.name) for s in secrets if s is not None and s.store == "secretsmanager"]
    if kind == "image-repository":
        image = classify(spec.build.image)
        assert isinstance(image, Image)
        arn = f"arn:aws:ecr:{image.region}:{image.account}:repository/{image.repository}"
        return [(arn, arn)]
    if kind == "certificate-object":
        assert spec.build.certificate is not None
        return [("arn:aws:s3:::" + spec.build.certificate.removeprefix("s3://"),) * 2]
    if kind == "cache-objects":
        return [(f"arn:aws:s3:::{artifacts}/cache/*", f"arn:aws:s3:::{artifacts}/cache/Ab12")]
    if kind == "network-interfaces":
        prefix = regional("ec2", "network-interface/")
        return [(prefix + "*", prefix + "eni-0123456789abcdef0")]
    if kind in ("vpc-subnets", "vpc-security-groups"):
        assert spec.build.vpc is not None
        if kind == "vpc-subnets":
            return [(regional("ec2", f"subnet/{s}"),) * 2 for s in spec.build.vpc.subnets]
        groups = spec.build.vpc.security_groups
        return [(regional("ec2", f"security-group/{g}"),) * 2 for g in groups]
    if kind == "ecr-repositories":
        return [(regional("ecr", f"repository/{name}"),) * 2 for name in spec.build.ecr]
    raise AssertionError(f"unknown resource kind {kind}")


def _pipeline_account(spec: Spec) -> str:
    return spec.delivery.tools_account if spec.delivery is not None else ACCOUNT


def context_of(
    need: Need, template: dict[str, Any], role_arn: str, spec: Spec, region: str = REGION
) -> dict[str, str]:
    values = {"{region}": region}
    values["{regional-bucket}"] = (
        f"arn:aws:s3:::pipeline-artifacts-{_pipeline_account(spec)}-{region}"
    )
    if spec.build.vpc is not None:
        values["{subnet}"] = regional("ec2", f"subnet/{spec.build.vpc.subnets[-1]}")
    if spec.delivery is not None:
        bucket = f"{spec.service}-{{env}}-{spec.delivery.tools_account}"
        values["{tools-artifact-bucket}"] = "arn:aws:s3:::" + bucket
    if "SourceBucket" in template["Resources"]:
        values["{source-bucket}"] = get_att(template, "SourceBucket", "Arn")
        values["{artifact-bucket}"] = get_att(template, "ArtifactBucket", "Arn")
    context = {"aws:PrincipalArn": role_arn, **TLS}
    for key, value in need.context:
        for placeholder, actual in values.items():
            value = value.replace(placeholder, actual)
        context[key] = value
    return context


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def granted_pairs(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (action, resource)
        for statement in document["Statement"]
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
        for resource in _as_list(statement["Resource"])
    }


def bucket_policies(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        resolve(r["Properties"]["PolicyDocument"], template)
        for r in template["Resources"].values()
        if r["Type"] == "AWS::S3::BucketPolicy"
    ]


def check_stack(spec: Spec, env: str) -> None:
    """Every role of the stack (the check stack too) grants exactly its operations."""
    template = template_data(compose(spec, env))
    buckets = bucket_policies(template)
    for role, operations in role_operations(spec, env).items():
        (policy,) = template["Resources"][role]["Properties"]["Policies"]
        document = resolve(policy["PolicyDocument"], template)
        role_arn = get_att(template, role, "Arn")
        expected: set[tuple[str, str]] = set()
        for operation_at in operations:
            # "<operation>@<environment>": a later stage of the chain, on its own targets
            # "...#<region>": in that Region of the environment's `regions`
            operation_at, _, region = operation_at.partition("#")
            operation, _, stage_env = operation_at.partition("@")
            for need in OPERATIONS[operation].needs:
                context = context_of(need, template, role_arn, spec, region or REGION)
                scoped = scopes(
                    need.resource, role, spec, stage_env or env, template, region or REGION
                )
                for pattern, example in scoped:
                    expected.add((need.action, pattern))
                    request = Request(need.action, example, context)
                    assert decide([document], request, buckets) == "Allow", (
                        f"{role} cannot {need.action} on {example} ({operation}: "
                        f"{OPERATIONS[operation].source})"
                    )
                    for key, _ in need.context:
                        narrowed = dict(context, **{key: context[key] + "-elsewhere"})
                        assert (
                            decide([document], Request(need.action, example, narrowed)) != "Allow"
                        ), f"{role}: {need.action} does not depend on {key}"
        beyond = granted_pairs(document) - expected
        assert not beyond, f"{role} grants beyond the contract: {sorted(beyond)}"


def check_target_roles(spec: Spec) -> None:
    """Every deploy role of the spec's target-account template grants exactly its
    operations: its deploy action's documented permissions, in its own account, and the
    reads of its stack's artifacts in the tools account."""
    template = template_data(compose_targets(spec))
    for env in spec.target_environments:
        role = f"{camel(env)}DeployRole"
        (policy,) = template["Resources"][role]["Properties"]["Policies"]
        document = resolve(policy["PolicyDocument"], template)
        role_arn = get_att(template, role, "Arn")
        expected: set[tuple[str, str]] = set()
        for operation_in in target_role_operations(spec, env):
            operation, _, region = operation_in.partition("#")
            for need in OPERATIONS[operation].needs:
                context = context_of(need, template, role_arn, spec, region or REGION)
                head = spec.head_of(env)
                context = {k: v.replace("{env}", head) for k, v in context.items()}
                scoped = scopes(need.resource, role, spec, env, template, region or REGION)
                for pattern, example in scoped:
                    expected.add((need.action, pattern))
                    request = Request(need.action, example, context)
                    assert decide([document], request) == "Allow", (
                        f"{role} cannot {need.action} on {example} ({operation})"
                    )
                    for key, _ in need.context:
                        narrowed = dict(context, **{key: context[key] + "-elsewhere"})
                        assert decide([document], Request(need.action, example, narrowed)) != (
                            "Allow"
                        ), f"{role}: {need.action} does not depend on {key}"
        beyond = granted_pairs(document) - expected
        assert not beyond, f"{role} grants beyond the contract: {sorted(beyond)}"


MULTI_ACCOUNT_S3 = """
service: web-shop
repository: {url: https://bitbucket.org/acme/web-shop.git}
delivery: {tools_account: "111111111111"}
kms_key: arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab
environments:
  dev: {branch: develop, deploy: {s3: {bucket: web-shop-dev}}}
  staging:
    branch: main
    account: "333333333333"
    deploy: {s3: {bucket: web-shop-staging, extract: false, key: site.zip}}
  prod:
    branch: main
    approval: true
    account: "333333333333"
    deploy: {ecs: {cluster: prod, service: web-shop, task_roles: [web-shop-task]}}
"""


def test_target_deploy_roles_grant_exactly_the_contract() -> None:
    examples = [s for _, s in _example_specs() if s.target_environments]
    assert {s.service for s in examples} >= {"shipping-api", "checkout-api"}
    other = validate_spec(load_spec_text(MULTI_ACCOUNT_S3, "web-shop.yaml"))
    for spec in (*examples, other):
        assert spec.target_environments
        check_target_roles(spec)
        for env in spec.stack_environments:
            check_stack(spec, env)


def _example_specs() -> list[tuple[str, Spec]]:
    found = []
    for path in sorted(SPECS.glob("*.yaml")):
        found.append((path.name, validate_spec(load_spec_text(path.read_text(), str(path)))))
    return found


@pytest.mark.parametrize(
    "name, spec", _example_specs(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_example_stacks_grant_exactly_the_contract(name: str, spec: Spec) -> None:
    for env in spec.stack_environments:
        check_stack(spec, env)


def test_the_check_role_never_gets_deploy_permissions_or_build_secrets() -> None:
    (spec,) = [s for n, s in _example_specs() if n == "payments-gateway.yaml"]
    assert spec.checks is not None and spec.checks.secrets
    operations = role_operations(spec, "checks")
    assert set(operations) == {"CheckRole"}
    allowed = {"codebuild-logs", "codebuild-reports", "codeconnections", "secrets-manager"}
    # checks.secrets are all in Secrets Manager: the secret keys only through it, never SSM.
    allowed.add("kms-secrets-manager")
    assert set(operations["CheckRole"]) == allowed
    template = template_data(compose(spec, "checks"))
    policy = json.dumps(template["Resources"]["CheckRole"]["Properties"]["Policies"])
    for secret in ("payments/db-password", "payments/psp", "payments/signing-key"):
        assert secret in json.dumps(compose(spec, "audit").to_dict())
        assert secret not in policy, secret
    assert "sonar-token" in policy


@pytest.mark.slow
@settings(max_examples=examples(150))
@given(specs())
def test_drawn_stacks_grant_exactly_the_contract(spec_data: dict[str, Any]) -> None:
    spec = validate_spec(load_spec_text(yaml.safe_dump(spec_data), "drawn.yaml"))
    for env in spec.stack_environments:
        check_stack(spec, env)
    if spec.target_environments:
        check_target_roles(spec)


def test_only_the_stacks_writer_roles_may_write_its_buckets(example_stacks) -> None:
    stack = example_stacks[0]
    template = stack.data
    buckets = bucket_policies(template)
    admin = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    everything = [{"Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}]}]
    source = get_att(template, "SourceBucket", "Arn")
    artifacts = get_att(template, "ArtifactBucket", "Arn")
    writers = {
        f"{source}/source.zip": {"BridgeRole"},
        f"{artifacts}/{stack.name}/BuildOutput/Xy12": {"PipelineRole", "BuildRole"},
    }
    for obj, roles in writers.items():
        for principal in ["BridgeRole", "BuildRole", "PipelineRole", "SourceEventRole"]:
            context = {"aws:PrincipalArn": get_att(template, principal, "Arn"), **TLS}
            for action in ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"):
                decision = decide(everything, Request(action, obj, context), buckets)
                assert (decision == "Allow") is (principal in roles), (principal, action, obj)
        admin_context = {"aws:PrincipalArn": admin, **TLS}
        assert (
            decide(everything, Request("s3:PutObject", obj, admin_context), buckets)
            == "ExplicitDeny"
        )
        assert decide(everything, Request("s3:GetObject", obj, admin_context), buckets) == "Allow"
        plain = {"aws:PrincipalArn": admin, "aws:SecureTransport": "false"}
        assert decide(everything, Request("s3:GetObject", obj, plain), buckets) == "ExplicitDeny"
    # Administrators keep control of the buckets themselves.
    for bucket in (source, artifacts):
        request = Request("s3:PutBucketPolicy", bucket, {"aws:PrincipalArn": admin, **TLS})
        assert decide(everything, request, buckets) == "Allow"


def test_every_operation_cites_an_aws_page() -> None:
    for operation in OPERATIONS.values():
        assert operation.source.startswith("https://docs.aws.amazon.com/"), operation.name
        assert operation.needs, operation.name


SECRET_KEY = "arn:aws:kms:eu-west-1:111122223333:key/9f8e7d6c-5b4a-4c3d-8e2f-0a1b2c3d4e5f"
SSM_ONLY = f"""\
service: ledger
repository: {{provider: github, url: https://github.com/acme/ledger.git}}
build:
  secrets: {{DB_PASSWORD: "ssm:/ledger/db-password"}}
  secret_keys: [{SECRET_KEY}]
environments:
  prod:
    branch: main
    events: [push]
    deploy: {{s3: {{bucket: acme-ledger}}}}
"""


def _decrypt_statements(spec: Spec, env: str, role: str) -> list[dict[str, Any]]:
    template = template_data(compose(spec, env))
    (policy,) = template["Resources"][role]["Properties"]["Policies"]
    document = resolve(policy["PolicyDocument"], template)
    return [s for s in document["Statement"] if s["Action"] == ["kms:Decrypt"]]


def test_secret_keys_decrypt_only_through_the_stores_the_role_reads() -> None:
    spec = validate_spec(load_spec_text(SSM_ONLY, "ledger.yaml"))
    assert _decrypt_statements(spec, "prod", "BuildRole") == [
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [SECRET_KEY],
            "Condition": {"StringEquals": {"kms:ViaService": [f"ssm.{REGION}.amazonaws.com"]}},
        }
    ]
    (both,) = _decrypt_statements(
        *[(s, "prod", "BuildRole") for n, s in _example_specs() if n == "payments-gateway.yaml"][0]
    )
    assert both["Resource"] == [SECRET_KEY]
    assert both["Condition"]["StringEquals"]["kms:ViaService"] == [
        f"secretsmanager.{REGION}.amazonaws.com",
        f"ssm.{REGION}.amazonaws.com",
    ]


def test_without_secret_keys_no_role_may_decrypt_secrets() -> None:
    spec = validate_spec(
        load_spec_text(SSM_ONLY.replace(f"  secret_keys: [{SECRET_KEY}]\n", ""), "l.yaml")
    )
    assert _decrypt_statements(spec, "prod", "BuildRole") == []
