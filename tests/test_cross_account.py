"""Both sides of every cross-account call, proven offline over resolved example ARNs.

The templates of multi-account specs are "deployed" in their accounts (the pipeline and
delivery stacks in the tools account, the roles template or the StackSet's body in each
target account: only the roles whose condition names that account exist there); their
intrinsics are resolved to the names the stacks would create; then tests/iam_eval.py
decides each request with the caller's identity policy AND the resource's policy
(bucket policy, key policy, trust policy), as IAM does across accounts (IAM user guide,
"Cross-account policy evaluation logic").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.aws.contract import OPERATIONS
from generator.checks.lint import lint_texts
from generator.ops.generate import Stack, compose_stacks, delivery_stacks
from generator.render.formats import to_json
from generator.spec.loader import load_spec_text
from generator.spec.model import Spec
from generator.spec.validate import validate_spec
from generator.stack import accounts
from generator.stack.naming import METADATA_KEY, stack_name

from .conftest import SPECS, examples
from .iam_eval import Caller, Request, decide_as

REGION = "eu-west-1"
TOOLS = "111111111111"
# The delivery key's id once created (any fixed UUID: its ARN is what the policies name).
DELIVERY_KEY_ID = "0f1e2d3c-4b5a-4697-8877-665544332211"
# Every request our roles make arrives over TLS (the AWS SDKs and CLI use HTTPS).
TLS = {"aws:SecureTransport": "true"}
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def delivery_key_arn(account: str) -> str:
    return f"arn:aws:kms:{REGION}:{account}:key/{DELIVERY_KEY_ID}"


IMPORTS = {accounts.ARTIFACT_KEY_EXPORT: delivery_key_arn}


@dataclass
class Deployed:
    """One template as a stack in one account: its intrinsics resolved."""

    name: str
    account: str
    template: dict[str, Any]

    def live(self, logical: str) -> bool:
        """A resource whose condition holds in this account (only InXAccount equals)."""
        condition = self.template["Resources"][logical].get("Condition")
        if condition is None:
            return True
        ref, account = self.template["Conditions"][condition]["Fn::Equals"]
        assert ref == {"Ref": "AWS::AccountId"}, condition
        return account == self.account

    def resources(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical, resource in self.template["Resources"].items():
            if resource["Type"] == kind and self.live(logical):
                yield logical, resource

    def pseudo(self, name: str) -> str:
        return {
            "AWS::Partition": "aws",
            "AWS::Region": REGION,
            "AWS::AccountId": self.account,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.name,
        }[name]

    def ref(self, logical: str) -> str:
        if logical.startswith("AWS::"):
            return self.pseudo(logical)
        resource = self.template["Resources"][logical]
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::S3::Bucket":
            return str(props.get("BucketName", f"{self.name}-{logical.lower()}-1a2b3c"))
        if kind == "AWS::IAM::Role":
            return str(props.get("RoleName", f"{self.name}-{logical}-1A2B3C"))
        if kind == "AWS::KMS::Key":
            return DELIVERY_KEY_ID
        if kind in ("AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline"):
            return str(props["Name"])
        if kind == "AWS::Logs::LogGroup":
            return str(props.get("LogGroupName", f"/example/{self.name}/{logical}"))
        return f"{self.name}-{logical}"

    def arn(self, logical: str) -> str:
        resource = self.template["Resources"][logical]
        kind, name = resource["Type"], self.ref(logical)
        if kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{name}"
        if kind == "AWS::IAM::Role":
            path = resource["Properties"].get("Path", "/")
            return f"arn:aws:iam::{self.account}:role{path}{name}"
        if kind == "AWS::KMS::Key":
            return delivery_key_arn(self.account)
        if kind == "AWS::CodeBuild::Project":
            return f"arn:aws:codebuild:{REGION}:{self.account}:project/{name}"
        if kind == "AWS::Logs::LogGroup":
            return f"arn:aws:logs:{REGION}:{self.account}:log-group:{name}:*"
        raise AssertionError(f"no ARN for {kind}")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical, attribute = value["Fn::GetAtt"]
            assert attribute == "Arn", attribute
            return self.arn(logical)
        if set(value) == {"Fn::ImportValue"}:
            return IMPORTS[value["Fn::ImportValue"]](self.account)
        if set(value) == {"Fn::Sub"}:

            def substitute(match: re.Match[str]) -> str:
                logical, _, attribute = match.group(1).partition(".")
                return self.arn(logical) if attribute else self.ref(logical)

            return re.sub(r"\$\{([^}!]+)\}", substitute, value["Fn::Sub"])
        if set(value) == {"Fn::Join"}:
            delimiter, parts = value["Fn::Join"]
            return delimiter.join(self.resolve(parts))
        return {key: self.resolve(item) for key, item in value.items()}


@dataclass
class Role:
    arn: str
    account: str
    identity: list[dict[str, Any]]
    trust: dict[str, Any]
    stack: str
    logical: str


@dataclass
class World:
    """Every stack of some specs, deployed: roles, bucket policies, key policies."""

    deployed: list[Deployed]
    roles: dict[str, Role] = field(default_factory=dict)
    buckets: dict[str, tuple[str, list[dict[str, Any]], dict[str, Any]]] = field(
        default_factory=dict
    )
    keys: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for stack in self.deployed:
            for logical, role in stack.resources("AWS::IAM::Role"):
                props = role["Properties"]
                arn = stack.arn(logical)
                identity = [stack.resolve(p["PolicyDocument"]) for p in props.get("Policies", [])]
                trust = stack.resolve(props["AssumeRolePolicyDocument"])
                assert arn not in self.roles, f"{arn} created twice"
                self.roles[arn] = Role(arn, stack.account, identity, trust, stack.name, logical)
            for logical, bucket in stack.resources("AWS::S3::Bucket"):
                policies = [
                    stack.resolve(p["Properties"]["PolicyDocument"])
                    for _, p in stack.resources("AWS::S3::BucketPolicy")
                    if p["Properties"]["Bucket"] == {"Ref": logical}
                ]
                self.buckets[stack.ref(logical)] = (stack.account, policies, bucket["Properties"])
            for logical, key in stack.resources("AWS::KMS::Key"):
                policy = stack.resolve(key["Properties"]["KeyPolicy"])
                self.keys[stack.arn(logical)] = (stack.account, policy)

    def identity_of(self, caller: str) -> list[dict[str, Any]]:
        return self.roles[caller].identity if caller in self.roles else [ADMIN]

    def can_assume(self, caller: str, role: str, identity: list[dict] | None = None) -> str:
        target = self.roles[role]
        return decide_as(
            Caller(caller),
            self.identity_of(caller) if identity is None else identity,
            Request("sts:AssumeRole", role, TLS),
            target.account,
            [target.trust],
            resource_policy_required=True,
        )

    def can_read(self, caller: str, obj: str, identity: list[dict] | None = None) -> str:
        bucket = obj.removeprefix("arn:aws:s3:::").split("/")[0]
        account, policies, _ = self.buckets[bucket]
        return decide_as(
            Caller(caller),
            self.identity_of(caller) if identity is None else identity,
            Request("s3:GetObject", obj, TLS),
            account,
            policies,
        )

    def can_decrypt_via_s3(
        self,
        caller: str,
        key: str,
        obj: str,
        key_policy: dict[str, Any] | None = None,
        identity: list[dict] | None = None,
    ) -> str:
        """kms:Decrypt as S3 calls it for a GetObject of an SSE-KMS object: through S3,
        with the object's ARN as encryption context, or the bucket's with an S3 Bucket Key
        (S3 user guide, "Using SSE-KMS", "Encryption context")."""
        bucket = obj.removeprefix("arn:aws:s3:::").split("/")[0]
        _, _, props = self.buckets[bucket]
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        context = f"arn:aws:s3:::{bucket}" if rule.get("BucketKeyEnabled") else obj
        account = key.split(":")[4]
        policy = key_policy if key_policy is not None else self.keys[key][1]
        return decide_as(
            Caller(caller),
            self.identity_of(caller) if identity is None else identity,
            Request(
                "kms:Decrypt",
                key,
                {
                    "kms:ViaService": f"s3.{REGION}.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": context,
                    **TLS,
                },
            ),
            account,
            [policy],
            resource_policy_required=True,
        )


def _targets_body(stack: Stack) -> dict[str, Any]:
    kind = stack.data["Metadata"][METADATA_KEY]["Kind"]
    if kind == "targets":
        return stack.data
    (stackset,) = stack.data["Resources"].values()
    return json.loads(stackset["Properties"]["TemplateBody"])


def deploy_everywhere(stacks: list[Stack]) -> list[Deployed]:
    """Pipeline and delivery stacks in their tools account; the roles template (or the
    StackSet's body) in every target account it names."""
    deployed = []
    for stack in stacks:
        metadata = stack.data["Metadata"][METADATA_KEY]
        kind = metadata.get("Kind")
        if kind in ("targets", "stackset"):
            body = _targets_body(stack)
            deployed += [Deployed(stack.name, a, body) for a in metadata["Accounts"]]
        else:
            deployed.append(Deployed(stack.name, metadata.get("Account", TOOLS), stack.data))
    return deployed


def spec_of(text: str, name: str) -> Spec:
    return validate_spec(load_spec_text(text, name))


def _yaml_header(service: str, target_roles: str = "stacks", kms_key: str = "") -> str:
    key = f"kms_key: {kms_key}\n" if kms_key else ""
    units = "  organizational_units: [ou-ab12-34cd5678]\n" if target_roles == "stackset" else ""
    return (
        f"service: {service}\n"
        f"repository: {{provider: github, url: https://github.com/acme/{service}.git}}\n"
        f'delivery:\n  tools_account: "{TOOLS}"\n  target_roles: {target_roles}\n{units}'
        f"{key}"
    )


SPEC_KEY = f"arn:aws:kms:{REGION}:{TOOLS}:key/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
EXTRA = {
    # An S3 deploy into another account; roles template as stacks.
    "docs-site.yaml": _yaml_header("docs-site")
    + """environments:
  prod:
    branch: main
    account: "333333333333"
    deploy: {s3: {bucket: acme-docs-site, extract: true}}
""",
    # Its own artifact key in the tools account: no delivery key for it.
    "ledger-x.yaml": _yaml_header("ledger-x", kms_key=SPEC_KEY)
    + """environments:
  prod:
    branch: main
    account: "444444444444"
    deploy:
      ecs: {cluster: prod, service: ledger-x, task_roles: [ledger-x-task]}
""",
    # Two environments in one target account.
    "billing-api.yaml": _yaml_header("billing-api")
    + """environments:
  dev:
    branch: develop
    account: "555555555555"
    deploy: {ecs: {cluster: shared, service: billing-api-dev, task_roles: []}}
  staging:
    branch: main
    account: "555555555555"
    deploy:
      ecs: {cluster: shared, service: billing-api-staging, task_roles: [billing-task]}
  qa:
    branch: qa
    deploy: {s3: {bucket: acme-billing-qa, extract: false, key: site.zip}}
""",
}


def _specs() -> list[tuple[Path, Spec]]:
    found = [
        (
            SPECS / "shipping-api.yaml",
            spec_of((SPECS / "shipping-api.yaml").read_text(), "shipping-api.yaml"),
        )
    ]
    found += [(Path(name), spec_of(text, name)) for name, text in EXTRA.items()]
    return found


@pytest.fixture(scope="module")
def specs() -> list[Spec]:
    return [spec for _, spec in _specs()]


@pytest.fixture(scope="module")
def stacks() -> list[Stack]:
    found = _specs()
    return compose_stacks(found) + delivery_stacks([spec for _, spec in found])


@pytest.fixture(scope="module")
def world(stacks: list[Stack]) -> World:
    return World(deploy_everywhere(stacks))


def cross_envs(specs: list[Spec]) -> list[tuple[Spec, str]]:
    return [(spec, env) for spec in specs for env in spec.target_environments]


def pipeline_role(spec: Spec, env: str) -> str:
    return accounts.role_arn_text(TOOLS, accounts.pipeline_role_name(spec, env))


def deploy_role(spec: Spec, env: str) -> str:
    account = spec.environments[env].account
    assert account is not None
    return accounts.role_arn_text(account, accounts.deploy_role_name(spec, env))


def artifact(spec: Spec, env: str) -> str:
    bucket = accounts.artifact_bucket_name(spec, env)
    return f"arn:aws:s3:::{bucket}/{stack_name(spec.service, env)}/BuildOutput/Ab12Cd3"


def artifact_key_of(spec: Spec) -> str:
    return spec.kms_key or delivery_key_arn(TOOLS)


# A key policy the owner of a spec's own kms_key writes for a target account: the
# console's "Allow use of the key" statement for an external account (KMS developer
# guide, "Allowing users in other accounts to use a KMS key").
def spec_key_policy(account: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{TOOLS}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
            },
        ],
    }


def test_the_world_has_every_side(world: World, specs: list[Spec]) -> None:
    envs = cross_envs(specs)
    assert len(envs) == 6
    for spec, env in envs:
        assert pipeline_role(spec, env) in world.roles, (spec.service, env)
        assert deploy_role(spec, env) in world.roles, (spec.service, env)
        assert accounts.artifact_bucket_name(spec, env) in world.buckets
    # The StackSet itself (in the management account) creates no role; each target
    # account gets only its own environments' roles.
    for role in world.roles.values():
        if role.arn.endswith("-deploy"):
            assert role.account in role.arn
    assert delivery_key_arn(TOOLS) in world.keys
    assert SPEC_KEY not in world.keys
    assert len([r for r in world.roles.values() if r.account == TOOLS]) > 20
    assert sum(1 for stack in world.deployed for _ in _documents(stack)) > 50


def test_only_the_stacks_pipeline_role_may_assume_its_deploy_role(
    world: World, specs: list[Spec]
) -> None:
    tools_roles = [r for r in world.roles.values() if r.account == TOOLS]
    for spec, env in cross_envs(specs):
        target = deploy_role(spec, env)
        mine = pipeline_role(spec, env)
        assert world.can_assume(mine, target) == "Allow", (spec.service, env)
        # Its trust alone is not enough: without the identity side, no.
        assert world.can_assume(mine, target, identity=[]) == "ImplicitDeny"
        for other in tools_roles:
            if other.arn == mine:
                continue
            # Neither with its own policies nor with an administrator's.
            assert world.can_assume(other.arn, target) != "Allow", (other.arn, target)
            assert world.can_assume(other.arn, target, identity=[ADMIN]) != "Allow"
        outsider = f"arn:aws:iam::{TOOLS}:role/Admin"
        assert world.can_assume(outsider, target) != "Allow"
        # The same role name in the target account itself is not the pipeline role.
        account = spec.environments[env].account
        local = accounts.role_arn_text(str(account), accounts.pipeline_role_name(spec, env))
        assert world.can_assume(local, target) != "Allow"


def test_the_deploy_role_reads_and_decrypts_its_own_artifacts_only(
    world: World, specs: list[Spec]
) -> None:
    envs = cross_envs(specs)
    deploy_roles = [r for r in world.roles.values() if r.arn.endswith("-deploy")]
    assert len(deploy_roles) == len(envs)
    for spec, env in envs:
        role, obj, key = deploy_role(spec, env), artifact(spec, env), artifact_key_of(spec)
        account = spec.environments[env].account
        assert account is not None
        policy = spec_key_policy(account) if spec.kms_key else None
        assert world.can_read(role, obj) == "Allow", (spec.service, env)
        assert world.can_decrypt_via_s3(role, key, obj, policy) == "Allow", (spec.service, env)
        # Both sides: neither the identity policy nor the resource policy alone.
        assert world.can_read(role, obj, identity=[]) != "Allow"
        assert world.can_decrypt_via_s3(role, key, obj, policy, identity=[]) != "Allow"
        # Not through another service, nor for another bucket's objects.
        bucket, _, _ = obj.removeprefix("arn:aws:s3:::").partition("/")
        someone = f"arn:aws:iam::{account}:role/someone-else"
        assert world.can_read(someone, obj) != "Allow"
        if not spec.kms_key:
            assert world.can_decrypt_via_s3(someone, key, obj) != "Allow"
        for other in deploy_roles:
            if other.arn == role:
                continue
            for identity in (None, [ADMIN]):
                assert world.can_read(other.arn, obj, identity=identity) != "Allow", other.arn
                if not spec.kms_key:
                    decision = world.can_decrypt_via_s3(other.arn, key, obj, identity=identity)
                    assert decision != "Allow", (other.arn, obj)


def test_the_pipeline_role_uses_the_delivery_key_through_its_own_account(
    world: World, specs: list[Spec]
) -> None:
    """The key policy's own-account root statement delegates to the tools account's IAM
    policies: the pipeline role's identity policy decides (KMS developer guide,
    "Default key policy")."""
    for spec, env in cross_envs(specs):
        if spec.kms_key:
            continue
        role, obj = pipeline_role(spec, env), artifact(spec, env)
        assert world.can_decrypt_via_s3(role, delivery_key_arn(TOOLS), obj) == "Allow"
        assert world.can_decrypt_via_s3(role, delivery_key_arn(TOOLS), obj, identity=[]) != "Allow"


def _pairs(documents: list[dict[str, Any]]) -> set[tuple[str, str]]:
    def as_list(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value]

    return {
        (action, resource)
        for document in documents
        for statement in document["Statement"]
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }


def documented_deploy_pairs(spec: Spec, env: str) -> set[tuple[str, str]]:
    """What the env's deploy action documents (generator/aws/contract.py, from the
    CodePipeline action references), in the target account, plus reading this stack's
    artifacts and decrypting them."""
    account = spec.environments[env].account
    deploy = spec.environments[env].deploy

    def scoped(kind: str) -> list[str]:
        regional = f"arn:aws:ecs:{REGION}:{account}:"
        if kind == "any":
            return ["*"]
        if kind == "task-definitions":
            return [regional + "task-definition/*"]
        if kind == "ecs-service":
            assert deploy.ecs is not None
            return [regional + f"service/{deploy.ecs.cluster}/{deploy.ecs.service}"]
        if kind == "task-roles":
            assert deploy.ecs is not None
            return [f"arn:aws:iam::{account}:role/{r}" for r in deploy.ecs.task_roles or []]
        assert deploy.s3 is not None
        if kind == "deploy-objects":
            return [f"arn:aws:s3:::{deploy.s3.bucket}/{deploy.s3.key or '*'}"]
        assert kind == "deploy-bucket", kind
        return [f"arn:aws:s3:::{deploy.s3.bucket}"]

    operation = "ecs-deploy" if deploy.ecs is not None else "s3-deploy"
    pairs = {
        (need.action, resource)
        for need in OPERATIONS[operation].needs
        for resource in scoped(need.resource)
    }
    objects = f"arn:aws:s3:::{accounts.artifact_bucket_name(spec, env)}/*"
    key = spec.kms_key or f"arn:aws:kms:{REGION}:{TOOLS}:key/*"
    return pairs | {
        ("s3:GetObject", objects),
        ("s3:GetObjectVersion", objects),
        ("kms:Decrypt", key),
    }


def test_the_deploy_role_grants_exactly_the_documented_deploy_permissions(
    world: World, specs: list[Spec]
) -> None:
    for spec, env in cross_envs(specs):
        role = world.roles[deploy_role(spec, env)]
        assert _pairs(role.identity) == documented_deploy_pairs(spec, env), (spec.service, env)
        account = role.account
        statements = [s for d in role.identity for s in d["Statement"]]
        iam_statements = [s for s in statements if any(a.startswith("iam:") for a in s["Action"])]
        deploy = spec.environments[env].deploy
        if deploy.ecs is None or not deploy.ecs.task_roles:
            assert iam_statements == []
            continue
        (passing,) = iam_statements
        assert passing["Action"] == ["iam:PassRole"]
        assert passing["Condition"] == {
            "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
        }
        task_role = f"arn:aws:iam::{account}:role/{deploy.ecs.task_roles[0]}"
        to = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
        caller = Caller(role.arn)
        request = Request("iam:PassRole", task_role, to)
        assert decide_as(caller, role.identity, request, account) == "Allow"
        for service in ("ecs.amazonaws.com", "lambda.amazonaws.com"):
            request = Request("iam:PassRole", task_role, {"iam:PassedToService": service})
            assert decide_as(caller, role.identity, request, account) != "Allow"
        # Tagging only a task definition being registered.
        definition = f"arn:aws:ecs:{REGION}:{account}:task-definition/{deploy.ecs.service}:3"
        tagging = Request(
            "ecs:TagResource", definition, {"ecs:CreateAction": "RegisterTaskDefinition"}
        )
        assert decide_as(caller, role.identity, tagging, account) == "Allow"
        assert (
            decide_as(caller, role.identity, Request("ecs:TagResource", definition), account)
            != "Allow"
        )


def _documents(stack: Deployed) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(what, where, resolved policy document) of every policy in the stack."""
    for logical, role in stack.resources("AWS::IAM::Role"):
        props = role["Properties"]
        yield "trust", logical, stack.resolve(props["AssumeRolePolicyDocument"])
        for policy in props.get("Policies", []):
            yield "identity", logical, stack.resolve(policy["PolicyDocument"])
    for logical, policy in stack.resources("AWS::S3::BucketPolicy"):
        yield "bucket", logical, stack.resolve(policy["Properties"]["PolicyDocument"])
    for logical, key in stack.resources("AWS::KMS::Key"):
        yield "key", logical, stack.resolve(key["Properties"]["KeyPolicy"])


ACCOUNT_PRINCIPAL = re.compile(r"^(?:arn:aws:iam::)?(\d{12})(?::root)?$")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_policy_trusts_anyone_or_a_whole_account_or_grants_a_service(world: World) -> None:
    """(d): no Allow to "*"; every account principal narrowed by aws:PrincipalArn to roles
    of that account, except the delivery key's own-account root statement (KMS's default
    key policy statement); no "*" or "service:*" action in an identity policy."""
    roots, documents = [], 0
    for stack in world.deployed:
        for what, logical, document in _documents(stack):
            documents += 1
            where = f"{stack.name}@{stack.account} {logical} ({what})"
            for statement in document["Statement"]:
                if what == "identity":
                    for action in _as_list(statement["Action"]):
                        assert action != "*" and not action.endswith(":*"), (where, action)
                if statement["Effect"] != "Allow" or "Principal" not in statement:
                    continue
                principal = statement["Principal"]
                assert principal != "*", where
                assert "*" not in _as_list(principal.get("AWS", [])), where
                for value in _as_list(principal.get("AWS", [])):
                    account = ACCOUNT_PRINCIPAL.match(value)
                    assert account, (where, value)  # accounts only, never a role ARN
                    if statement.get("Sid") == "EnableIamPoliciesOfTheToolsAccount":
                        roots.append((stack, what, account.group(1), statement))
                        continue
                    named = statement["Condition"]["ArnEquals"]["aws:PrincipalArn"]
                    for role in _as_list(named):
                        assert role.startswith(f"arn:aws:iam::{account.group(1)}:role/"), where
    assert documents
    (root,) = roots
    stack, what, owner, statement = root
    assert (what, owner, stack.account) == ("key", TOOLS, TOOLS)
    assert stack.template["Metadata"][METADATA_KEY]["Kind"] == "delivery"
    # Exactly KMS's default key policy statement for the key's own account.
    assert statement == {
        "Sid": "EnableIamPoliciesOfTheToolsAccount",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{TOOLS}:root"},
        "Action": ["kms:*"],
        "Resource": ["*"],
    }


def test_the_multi_account_templates_lint_clean(stacks: list[Stack]) -> None:
    """Including the roles template of target_roles: stacks (a StackSet's body is a
    string to cfn-lint, so it is linted here as a template of its own)."""
    items = [(f"{s.name}.json", to_json(s.data)) for s in stacks]
    items += [
        (f"{s.name}-body.json", to_json(_targets_body(s)))
        for s in stacks
        if s.data["Metadata"][METADATA_KEY].get("Kind") == "stackset"
    ]
    assert lint_texts(items) == []


@st.composite
def multi_account_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A multi-account spec: ECS or S3 deploys, environments in other accounts (two may
    share one) or in the tools account, roles as stacks or a StackSet, with or without a
    kms_key of its own."""
    names = draw(
        st.lists(
            st.sampled_from(["dev", "qa", "staging", "pre-prod", "prod"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    environments: dict[str, Any] = {}
    for name in names:
        deploy: dict[str, Any]
        if draw(st.booleans()):
            roles = st.lists(st.sampled_from(["app-task", "app-exec"]), unique=True, max_size=2)
            cluster = draw(st.sampled_from(["main", "shared"]))
            deploy = {
                "ecs": {"cluster": cluster, "service": f"app-{name}", "task_roles": draw(roles)}
            }
        else:
            deploy = {"s3": {"bucket": f"acme-drawn-{name}", "extract": True}}
        environments[name] = {"branch": f"release-{name}", "deploy": deploy}
        account = draw(st.sampled_from([None, "222222222222", "666666666666"]))
        if account is not None:
            environments[name]["account"] = account
    first = environments[names[0]]
    first.setdefault("account", "666666666666")
    target_roles = draw(st.sampled_from(["stacks", "stackset"]))
    delivery: dict[str, Any] = {"tools_account": TOOLS, "target_roles": target_roles}
    if target_roles == "stackset":
        delivery["organizational_units"] = ["ou-ab12-34cd5678"]
    data: dict[str, Any] = {
        "service": "drawn-app",
        "repository": {"provider": "github", "url": "https://github.com/acme/drawn-app.git"},
        "delivery": delivery,
        "environments": environments,
    }
    if draw(st.booleans()):
        data["kms_key"] = SPEC_KEY
    return data


@pytest.mark.slow
@settings(max_examples=examples(60))
@given(multi_account_specs())
def test_drawn_multi_account_specs_hold_both_sides(data: dict[str, Any]) -> None:
    """The same proofs over a drawn spec, deployed beside shipping-api (whose roles are
    the other stack's pipeline and deploy roles)."""
    drawn = spec_of(yaml.safe_dump(data), "drawn-app.yaml")
    found = [_specs()[0], (Path("drawn-app.yaml"), drawn)]
    stacks = compose_stacks(found) + delivery_stacks([spec for _, spec in found])
    world = World(deploy_everywhere(stacks))
    specs = [spec for _, spec in found]
    test_only_the_stacks_pipeline_role_may_assume_its_deploy_role(world, specs)
    test_the_deploy_role_reads_and_decrypts_its_own_artifacts_only(world, specs)
    test_the_pipeline_role_uses_the_delivery_key_through_its_own_account(world, specs)
    test_the_deploy_role_grants_exactly_the_documented_deploy_permissions(world, specs)
    test_no_policy_trusts_anyone_or_a_whole_account_or_grants_a_service(world)
