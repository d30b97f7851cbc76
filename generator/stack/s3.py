"""Hardened S3 buckets: the versioned source bucket and the artifact store."""

from __future__ import annotations

from collections.abc import Sequence

from awacs import s3 as s3_actions
from awacs.aws import (
    ArnNotEquals,
    Bool,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
)
from troposphere import GetAtt, Ref, Sub
from troposphere.iam import Role
from troposphere.s3 import (
    AbortIncompleteMultipartUpload,
    Bucket,
    BucketEncryption,
    BucketPolicy,
    EventBridgeConfiguration,
    LifecycleConfiguration,
    LifecycleRule,
    NoncurrentVersionExpiration,
    NotificationConfiguration,
    OwnershipControls,
    OwnershipControlsRule,
    PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionRule,
    VersioningConfiguration,
)

from .scanners import checkov_skips

# Old source versions are kept this long for re-runs and audits, then expire.
SOURCE_NONCURRENT_DAYS = 30
# Pipeline artifacts are needed while an execution may still be retried or rolled back.
ARTIFACT_EXPIRY_DAYS = 30


def _encryption(kms_key: str | None) -> BucketEncryption:
    """SSE-S3 by default; SSE-KMS with an S3 Bucket Key (fewer KMS calls) for a spec key."""
    if kms_key is None:
        default = ServerSideEncryptionByDefault(SSEAlgorithm="AES256")
        return BucketEncryption(
            ServerSideEncryptionConfiguration=[
                ServerSideEncryptionRule(ServerSideEncryptionByDefault=default)
            ]
        )
    default = ServerSideEncryptionByDefault(SSEAlgorithm="aws:kms", KMSMasterKeyID=kms_key)
    return BucketEncryption(
        ServerSideEncryptionConfiguration=[
            ServerSideEncryptionRule(ServerSideEncryptionByDefault=default, BucketKeyEnabled=True)
        ]
    )


def _hardened_bucket(title: str, rules: list[LifecycleRule], kms_key: str | None) -> Bucket:
    bucket = Bucket(
        title,
        Metadata=checkov_skips("CKV_AWS_18"),
        # Retained on delete and on replacement: a bucket's contents are never lost
        # by a stack operation (and a non-empty bucket cannot be deleted anyway).
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        BucketEncryption=_encryption(kms_key),
        PublicAccessBlockConfiguration=PublicAccessBlockConfiguration(
            BlockPublicAcls=True,
            BlockPublicPolicy=True,
            IgnorePublicAcls=True,
            RestrictPublicBuckets=True,
        ),
        OwnershipControls=OwnershipControls(
            Rules=[OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
        ),
        # CodePipeline's S3 source requires versioning; the artifact store keeps it too
        # so an overwritten artifact can be recovered until it expires.
        VersioningConfiguration=VersioningConfiguration(Status="Enabled"),
        LifecycleConfiguration=LifecycleConfiguration(Rules=rules),
    )
    return bucket


def _abort_uploads() -> AbortIncompleteMultipartUpload:
    return AbortIncompleteMultipartUpload(DaysAfterInitiation=1)


def source_bucket(title: str, kms_key: str | None) -> Bucket:
    """Versioned bucket that receives source.zip and tells EventBridge about it."""
    bucket = _hardened_bucket(
        title,
        [
            LifecycleRule(
                Id="expire-old-source-versions",
                Status="Enabled",
                NoncurrentVersionExpiration=NoncurrentVersionExpiration(
                    NoncurrentDays=SOURCE_NONCURRENT_DAYS
                ),
                AbortIncompleteMultipartUpload=_abort_uploads(),
            )
        ],
        kms_key,
    )
    bucket.NotificationConfiguration = NotificationConfiguration(
        EventBridgeConfiguration=EventBridgeConfiguration(EventBridgeEnabled=True)
    )
    return bucket


def artifact_bucket(title: str, kms_key: str | None) -> Bucket:
    """The pipeline's artifact store; artifacts expire after ARTIFACT_EXPIRY_DAYS."""
    return _hardened_bucket(
        title,
        [
            LifecycleRule(
                Id="expire-old-artifacts",
                Status="Enabled",
                ExpirationInDays=ARTIFACT_EXPIRY_DAYS,
                NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=1),
                AbortIncompleteMultipartUpload=_abort_uploads(),
            )
        ],
        kms_key,
    )


# Object writes that could plant a source.zip that deploys, or swap an artifact while an
# approval waits (deleting the newest version of a versioned object restores the one before).
OBJECT_WRITE_ACTIONS = (
    s3_actions.PutObject,
    s3_actions.DeleteObject,
    s3_actions.DeleteObjectVersion,
)


def bucket_policy(title: str, bucket: Bucket, writers: Sequence[Role]) -> BucketPolicy:
    """Deny every request without TLS, and every object write by a principal other than
    the writer roles of this stack. Bucket-level actions stay with IAM, so the account's
    administrators can still read and change this policy."""
    return BucketPolicy(
        title,
        Bucket=Ref(bucket),
        PolicyDocument=PolicyDocument(
            Version="2012-10-17",
            Statement=[
                Statement(
                    Sid="DenyInsecureTransport",
                    Effect=Deny,
                    Principal=Principal("*"),
                    Action=[s3_actions.Action("*")],
                    Resource=[GetAtt(bucket, "Arn"), Sub("${" + bucket.title + ".Arn}/*")],
                    # The string form: IAM reads "false" as the boolean, and AWS Control
                    # Tower's proactive control CT.S3.PR.8 reads the value literally.
                    Condition=Condition(Bool("aws:SecureTransport", "false")),
                ),
                Statement(
                    Sid="DenyObjectWritesByOthers",
                    Effect=Deny,
                    Principal=Principal("*"),
                    Action=list(OBJECT_WRITE_ACTIONS),
                    Resource=[Sub("${" + bucket.title + ".Arn}/*")],
                    # aws:PrincipalArn is the role's ARN for its sessions (IAM user guide,
                    # "AWS global condition context keys").
                    Condition=Condition(
                        ArnNotEquals("aws:PrincipalArn", [GetAtt(w, "Arn") for w in writers])
                    ),
                ),
            ],
        ),
    )
