"""The `bootstrap-deployer` template (stack `pipeline-bootstrap-deployer`): one
CloudFormation execution role per account and region, so whoever deploys a pipeline stack
(`deploy ... --role-arn`) needs no IAM-create rights of their own.

The role may do what CloudFormation's resource handlers call for the resource types our
stacks contain (generator/aws/deployer.py), on resources of those types in this account
and region, and on IAM roles under our path only.
"""

from __future__ import annotations

from awacs.aws import (
    Action,
    Allow,
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from awacs.sts import AssumeRole
from troposphere import Export, GetAtt, Output, Sub, Template
from troposphere.iam import Policy, Role

from .. import __version__
from ..aws.deployer import HANDLER_PERMISSIONS, PASSED_TO_SERVICES, ROLE_PATH
from ..aws.enums import CLOUDFORMATION_PRINCIPAL
from ..aws.iam import RESOURCE_WILDCARD_ALLOWLIST
from .iam import ARN_PREFIX, regional_arn
from .naming import METADATA_KEY

STEM = "bootstrap-deployer"
STACK_NAME = "pipeline-" + STEM
ROLE_TITLE = "DeployRole"
DEPLOYER_PATH = "/pipeline-deployer/"

# Buckets have no name in our templates, so CloudFormation names them
# <stack name>-<logical id>-<random>, lowercased for S3 (CloudFormation template reference,
# aws-properties-name: "CloudFormation generates a unique physical ID"; S3 bucket names are
# lowercase). A bucket ARN has no account or region: these patterns are the narrowest scope
# that fits every stack's buckets.
# AccessLogBucket: the log bucket strict stacks of 0.1.0 created; updating such a stack to
# access_logs deletes its AccessLogBucketPolicy (the bucket itself is retained).
BUCKET_LOGICAL_IDS = ("SourceBucket", "ArtifactBucket", "AccessLogBucket")

# The resource each service's actions act on, in this account and region.
SCOPES: dict[str, list[str]] = {
    "codebuild": ["project/*"],
    "codepipeline": ["*"],  # a pipeline's ARN is arn:...:codepipeline:region:account:<name>
    "codestar-notifications": ["notificationrule/*"],
    "codestar-connections": ["connection/*"],
    "codeconnections": ["connection/*"],
    "events": ["rule/*"],
    "logs": ["log-group:*"],
    "sns": ["*"],  # a topic's ARN is arn:...:sns:region:account:<name>
}


def _actions(service: str) -> list[str]:
    return sorted(
        {
            action
            for actions in HANDLER_PERMISSIONS.values()
            for action in actions
            if action.split(":")[0] == service and action not in RESOURCE_WILDCARD_ALLOWLIST
        }
    )


def _statement(actions: list[str], resources: list[object], **extra: object) -> Statement:
    names = [Action(*action.split(":", 1)) for action in actions]
    return Statement(Effect=Allow, Action=names, Resource=resources, **extra)


def _bucket_arns(named_artifact_buckets: bool = False) -> list[object]:
    patterns = [f"*-{logical_id.lower()}-*" for logical_id in BUCKET_LOGICAL_IDS]
    # A cross-account pipeline's artifact bucket is named <stack>-<tools account>
    # (stack/accounts.py): the account's own id ends it.
    patterns += ["*-${AWS::AccountId}"] if named_artifact_buckets else []
    return [Sub(ARN_PREFIX + "s3:::" + p + suffix) for p in patterns for suffix in ("", "/*")]


def _role_arn() -> Sub:
    return Sub(ARN_PREFIX + "iam::${AWS::AccountId}:role" + ROLE_PATH + "*")


def deploy_statements(named_artifact_buckets: bool = False) -> list[Statement]:
    """The execution role's policy: each service's handler actions on its scope."""
    iam_actions = [a for a in _actions("iam") if a != "iam:PassRole"]
    statements = [_statement(iam_actions, [_role_arn()])]
    # iam:PassRole only to the services our stacks give roles to (IAM user guide,
    # id_roles_use_passrole; condition key iam:PassedToService).
    statements.append(
        _statement(
            ["iam:PassRole"],
            [_role_arn()],
            Condition=Condition(StringEquals("iam:PassedToService", list(PASSED_TO_SERVICES))),
        )
    )
    statements.append(_statement(_actions("s3"), _bucket_arns(named_artifact_buckets)))
    for service, scopes in SCOPES.items():
        resources: list[object] = [regional_arn(service, scope) for scope in scopes]
        statements.append(_statement(_actions(service), resources))
    wildcard = sorted(
        {a for actions in HANDLER_PERMISSIONS.values() for a in actions}
        & set(RESOURCE_WILDCARD_ALLOWLIST)
    )
    statements.append(_statement(wildcard, ["*"]))
    return statements


def compose_deployer(named_artifact_buckets: bool = False) -> Template:
    """named_artifact_buckets: some spec deploys across accounts, so a pipeline stack has
    a named artifact bucket."""
    template = Template(
        Description=(
            "Account bootstrap for pipeline-template-generator stacks: the CloudFormation "
            f"execution role that deploys them (generator {__version__})."
        )
    )
    template.set_version("2010-09-09")
    stack: dict[str, object] = {
        "Stack": STACK_NAME,
        "Bootstrap": "deployer",
        "GeneratorVersion": __version__,
    }
    if named_artifact_buckets:
        stack["NamedArtifactBuckets"] = True
    template.set_metadata({METADATA_KEY: stack})
    # CloudFormation user guide, using-iam-servicerole: the role names the service
    # principal cloudformation.amazonaws.com; the page documents no aws:SourceAccount /
    # aws:SourceArn condition for it, so the trust carries none.
    trust = PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", CLOUDFORMATION_PRINCIPAL),
                Action=[AssumeRole],
            )
        ],
    )
    policy = Policy(
        PolicyName="deploy-pipeline-stacks",
        PolicyDocument=PolicyDocument(
            Version="2012-10-17", Statement=deploy_statements(named_artifact_buckets)
        ),
    )
    # Its own path, outside ROLE_PATH: the role may not change its own policy.
    template.add_resource(
        Role(ROLE_TITLE, AssumeRolePolicyDocument=trust, Policies=[policy], Path=DEPLOYER_PATH)
    )
    template.add_output(
        Output(
            "DeployRoleArn",
            Description="Pass it to `pipeline-generator deploy <stack> --role-arn`",
            Value=GetAtt(ROLE_TITLE, "Arn"),
            Export=Export(Sub("${AWS::StackName}-DeployRoleArn")),
        )
    )
    return template
