"""What a pipeline stack needs once a deploy crosses into another account, and the tools
account's delivery stack (`pipeline-delivery`: one customer-managed key for the artifacts
of every cross-account pipeline in that account and Region).

Both sides of every cross-account call are made here and in targets.py together: the
pipeline role may assume exactly the target deploy roles; the artifact bucket policy and
the key policy let exactly those roles read this stack's artifacts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from awacs import kms, s3, sts
from awacs.aws import (
    Allow,
    BoolIfExists,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringLike,
)
from troposphere import AWSHelperFn, Export, GetAtt, ImportValue, Output, Sub, Template
from troposphere.kms import Alias, Key

from .. import __version__
from ..spec.model import Spec
from . import accounts, naming

# A CodePipeline artifact store used by an action in another account needs a customer
# managed key, named by key ARN: the AWS managed key aws/s3 cannot be shared, and an alias
# resolves only in its own account (CodePipeline user guide, "Create a pipeline in
# CodePipeline that uses resources from another AWS account").
ARTIFACT_KEY = "ArtifactKey"
ARTIFACT_KEY_ALIAS = "ArtifactKeyAlias"
ARTIFACT_KEY_ALIAS_NAME = "alias/pipeline-delivery-artifacts"
DELIVERY_STEM_PREFIX = "delivery-"

KeyRef: TypeAlias = str | AWSHelperFn


def artifact_key(spec: Spec, env: str) -> KeyRef | None:
    """The key of the stack's artifact store: for a cross-account deploy the spec's
    kms_key, else the delivery stack's key; otherwise the spec's kms_key (or none)."""
    if not accounts.is_cross_account(spec, env) or spec.kms_key is not None:
        return spec.kms_key
    return ImportValue(accounts.ARTIFACT_KEY_EXPORT)


def uses_delivery_key(spec: Spec) -> bool:
    return spec.delivery is not None and spec.kms_key is None and bool(spec.target_environments)


def delivery_stem(tools_account: str) -> str:
    return DELIVERY_STEM_PREFIX + tools_account


def artifact_objects(spec: Spec, env: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:s3:::{accounts.artifact_bucket_name(spec, env)}/*")


# Reading one SSE-KMS artifact: s3:GetObject (and GetObjectVersion: CodePipeline names the
# artifact's version) on the object, kms:Decrypt on its key (S3 user guide, "Using SSE-KMS",
# "Permissions"). The deploy actions write no output artifact, so no write is granted.
ARTIFACT_READ_ACTIONS = [s3.GetObject, s3.GetObjectVersion]


def artifact_readers(spec: Spec, env: str, bucket_objects: object) -> list[Statement]:
    """Artifact bucket policy statements: the env's target deploy role may read objects."""
    if not accounts.is_cross_account(spec, env):
        return []
    account = spec.environments[env].account
    assert account is not None
    return [
        accounts.allow_role_of(
            account,
            accounts.deploy_role_arn(spec, env),
            list(ARTIFACT_READ_ACTIONS),
            [bucket_objects],
        )
    ]


def assume_deploy_role(spec: Spec, env: str) -> Statement:
    """The pipeline role runs the deploy action as the target account's deploy role
    (CodePipeline user guide, cross-account: the service role needs sts:AssumeRole on the
    action's RoleArn)."""
    return Statement(
        Effect=Allow, Action=[sts.AssumeRole], Resource=[accounts.deploy_role_arn(spec, env)]
    )


def s3_via_service() -> StringEquals:
    return StringEquals("kms:ViaService", Sub("s3.${AWS::Region}.amazonaws.com"))


def s3_object_context(objects: Sequence[object]) -> StringLike:
    """S3 passes the object's ARN as the encryption context of SSE-KMS requests (the
    bucket's ARN when an S3 Bucket Key is used; S3 user guide, "Encryption context")."""
    return StringLike("kms:EncryptionContext:aws:s3:arn", list(objects))


def key_readers(spec: Spec, env: str) -> list[Statement]:
    """Key policy statements: the env's target deploy role may decrypt this stack's
    artifacts through S3 only."""
    account = spec.environments[env].account
    assert account is not None
    bucket = accounts.artifact_bucket_arn(spec, env)
    return [
        accounts.allow_role_of(
            account,
            accounts.deploy_role_arn(spec, env),
            [kms.Decrypt],
            ["*"],  # in a key policy, "*" is this key (KMS developer guide, "Key policies")
            s3_via_service(),
            s3_object_context([bucket, artifact_objects(spec, env)]),
        )
    ]


def key_administration() -> Statement:
    """KMS's default key policy statement for the key's own account: it lets IAM policies
    in the tools account decide who uses and manages the key (KMS developer guide,
    "Default key policy": "Allows access to the AWS account and enables IAM policies").
    Without it no principal could ever change the key policy again, and KMS refuses to
    create it (the policy lockout safety check). Other accounts appear only as the named
    roles of key_readers."""
    return Statement(
        Sid="EnableIamPoliciesOfTheToolsAccount",
        Effect=Allow,
        Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
        Action=[kms.Action("*")],
        Resource=["*"],
    )


def deny_grants_to_principals() -> Statement:
    """Only AWS services may create grants on the key (AWS Control Tower CT.KMS.PR.3, in
    the form that control reads: Deny kms:CreateGrant to "*" unless the grant is for an
    AWS resource or the caller is an AWS service). Reading SSE-KMS objects needs no grant."""
    return Statement(
        Sid="OnlyAwsServicesCreateGrants",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[kms.CreateGrant],
        Resource=["*"],
        Condition=Condition(
            BoolIfExists(
                {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}
            )
        ),
    )


def compose_delivery(tools_account: str, specs: Sequence[Spec]) -> Template:
    """The stack `pipeline-delivery` of one tools account: the artifact key of every
    cross-account pipeline the specs deploy there without a kms_key of their own."""
    members = [
        spec
        for spec in sorted(specs, key=lambda s: s.service)
        if uses_delivery_key(spec) and accounts.tools_account(spec) == tools_account
    ]
    readers = [
        statement
        for spec in members
        for env in spec.target_environments
        for statement in key_readers(spec, env)
    ]
    targets = sorted(
        {
            str(spec.environments[env].account)
            for spec in members
            for env in spec.target_environments
        }
    )
    template = Template(
        Description=f"Delivery key of tools account {tools_account}: encrypts the artifacts "
        "that deploy roles in target accounts read. Generated by "
        f"pipeline-template-generator {__version__}; edit the specs, not this file."
    )
    template.set_version("2010-09-09")
    template.set_metadata(
        {
            naming.METADATA_KEY: {
                "Stack": accounts.DELIVERY_STACK,
                "GeneratorVersion": __version__,
                "Kind": "delivery",
                "Account": tools_account,
                "Accounts": targets,
                "Services": [spec.service for spec in members],
            }
        }
    )
    key = Key(
        ARTIFACT_KEY,
        Description="pipeline-delivery: artifacts of cross-account pipelines",
        EnableKeyRotation=True,
        PendingWindowInDays=30,
        KeyPolicy=PolicyDocument(
            Version="2012-10-17",
            Statement=[key_administration(), deny_grants_to_principals(), *readers],
        ),
        # Artifacts encrypted with it stay readable while they exist: the key outlives
        # the stack and a replacement.
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    )
    alias = Alias(
        ARTIFACT_KEY_ALIAS, AliasName=ARTIFACT_KEY_ALIAS_NAME, TargetKeyId=GetAtt(key, "Arn")
    )
    template.add_resource([key, alias])
    template.add_output(
        Output(
            "ArtifactKeyArn",
            Description="ARN of the artifact key (pipeline stacks import it)",
            Value=GetAtt(key, "Arn"),
            Export=Export(accounts.ARTIFACT_KEY_EXPORT),
        )
    )
    return template
