"""The target accounts' side of a multi-account spec: the template `<service>-targets`
with, per environment in another account, the role `<service>-<env>-deploy` its deploy
action runs as.

One template serves every target account (a StackSet deploys one template everywhere):
each role carries a condition on the account it belongs to, so a stack of it creates only
that account's roles. The roles are named, so deploying needs CAPABILITY_NAMED_IAM, and
exist once per account: deploy the template in one Region per account.
"""

from __future__ import annotations

from awacs import kms
from awacs.aws import Allow, Condition, PolicyDocument, Statement
from awacs.sts import AssumeRole
from troposphere import AccountId, Equals, Output, Sub, Template
from troposphere.iam import Policy, Role

from .. import __version__
from ..aws.deployer import ROLE_PATH
from ..spec.model import Spec
from . import accounts, iam, naming
from .delivery import (
    ARTIFACT_READ_ACTIONS,
    artifact_objects,
    s3_object_context,
    s3_via_service,
)
from .promotion import grant_watch_alarms
from .regions import deploy_role_reads


def camel(name: str) -> str:
    """dev -> Dev, pre-prod -> PreProd: an environment's part of a logical ID."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


def role_title(env: str) -> str:
    return f"{camel(env)}DeployRole"


def condition_title(env: str) -> str:
    return f"In{camel(env)}Account"


def trust_pipeline_role(spec: Spec, env: str) -> PolicyDocument:
    """Only the tools pipeline role of this environment's stack may assume the role."""
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Effect=Allow,
                Principal=accounts.account_principal(accounts.tools_account(spec)),
                Action=[AssumeRole],
                Condition=accounts.only_role(accounts.pipeline_role_arn(spec, env)),
            )
        ],
    )


def read_artifacts(spec: Spec, env: str) -> list[Statement]:
    """Read this stack's artifacts in the tools account, and decrypt them with the artifact
    key through S3 for that bucket only. The delivery key's ARN is not known before it
    exists, so its side names the key by account and Region (key/*) and the encryption
    context of this one bucket; the key policy names this role exactly."""
    tools = accounts.tools_account(spec)
    bucket = accounts.artifact_bucket_arn(spec, env)
    key = spec.kms_key or Sub(f"arn:${{AWS::Partition}}:kms:${{AWS::Region}}:{tools}:key/*")
    return [
        Statement(
            Effect=Allow, Action=list(ARTIFACT_READ_ACTIONS), Resource=[artifact_objects(spec, env)]
        ),
        Statement(
            Effect=Allow,
            Action=[kms.Decrypt],
            Resource=[key],
            Condition=Condition(
                [s3_via_service(), s3_object_context([bucket, artifact_objects(spec, env)])]
            ),
        ),
    ]


def deploy_statements(spec: Spec, env: str) -> list[Statement]:
    """Exactly what the environment's deploy action documents, in its own account."""
    deploy = spec.environments[env].deploy
    watch = grant_watch_alarms(spec, env)  # its gates' rules run as this role
    if deploy.ecs is not None:
        ecs = deploy.ecs
        regions = spec.environments[env].regions
        return iam.grant_ecs_deploy(ecs.cluster, ecs.service, ecs.task_roles, regions) + watch
    assert deploy.s3 is not None
    return iam.grant_s3_deploy(deploy.s3.bucket, deploy.s3.key) + watch


def deploy_role(spec: Spec, env: str) -> Role:
    return Role(
        role_title(env),
        Condition=condition_title(env),
        RoleName=accounts.deploy_role_name(spec, env),
        Path=ROLE_PATH,
        Description=f"{naming.stack_name(spec.service, env)}: the deploy action, run by the "
        f"tools account's pipeline",
        AssumeRolePolicyDocument=trust_pipeline_role(spec, env),
        Policies=[
            Policy(
                PolicyName="least-privilege",
                PolicyDocument=PolicyDocument(
                    Version="2012-10-17",
                    Statement=[
                        *deploy_statements(spec, env),
                        *read_artifacts(spec, env),
                        *deploy_role_reads(spec, env),
                    ],
                ),
            )
        ],
    )


def targets_stack_name(spec: Spec) -> str:
    return naming.stack_name(spec.service, "targets")


def target_accounts(spec: Spec) -> list[str]:
    """The environments' accounts, each once, in environment order."""
    found: list[str] = []
    for env in spec.target_environments:
        account = spec.environments[env].account
        if account is not None and account not in found:
            found.append(account)
    return found


def target_regions(spec: Spec) -> dict[str, list[str]]:
    """The Regions the deploy roles act in by name (their ARNs name them)."""
    named = list(
        dict.fromkeys(r for env in spec.target_environments for r in spec.environments[env].regions)
    )
    return {"Regions": named} if named else {}


def compose_targets(spec: Spec, spec_file: str = "") -> Template:
    """The roles template: one conditioned deploy role per cross-account environment."""
    template = Template(
        Description=f"{spec.service}: deploy roles in the target accounts, assumed by the "
        f"pipelines of tools account {accounts.tools_account(spec)}. Generated by "
        f"pipeline-template-generator {__version__}; edit the spec, not this file."
    )
    template.set_version("2010-09-09")
    template.set_metadata(
        {
            naming.METADATA_KEY: {
                "Stack": targets_stack_name(spec),
                "GeneratorVersion": __version__,
                "Kind": "targets",
                "Service": spec.service,
                "SpecFile": spec_file,
                "Accounts": target_accounts(spec),
                "ToolsAccount": accounts.tools_account(spec),
                **target_regions(spec),
            }
        }
    )
    for env in spec.target_environments:
        account = spec.environments[env].account
        template.add_condition(condition_title(env), Equals(AccountId, account))
        template.add_resource(deploy_role(spec, env))
        template.add_output(
            Output(
                f"{camel(env)}DeployRoleArn",
                Condition=condition_title(env),
                Description=f"The role the {env} deploy action runs as",
                Value=Sub("${" + role_title(env) + ".Arn}"),
            )
        )
    return template
