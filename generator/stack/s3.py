"""Hardened S3 buckets: the versioned source bucket, the artifact store and, under
hardening: strict, the bucket that receives both buckets' server access logs."""

from __future__ import annotations

from collections.abc import Sequence

from awacs import s3 as s3_actions
from awacs.aws import (
    Allow,
    ArnLike,
    ArnNotEquals,
    Bool,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import AccountId, GetAtt, Join, Ref, Sub
from troposphere.iam import Role
from troposphere.s3 import (
    AbortIncompleteMultipartUpload,
    Bucket,
    BucketEncryption,
    BucketPolicy,
    DefaultRetention,
    EventBridgeConfiguration,
    LifecycleConfiguration,
    LifecycleRule,
    LoggingConfiguration,
    NoncurrentVersionExpiration,
    NotificationConfiguration,
    ObjectLockConfiguration,
    ObjectLockRule,
    OwnershipControls,
    OwnershipControlsRule,
    PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionRule,
    VersioningConfiguration,
)

from .scanners import ACCESS_LOG_BUCKET_UNLOGGED, cfn_lint_ignores, checkov_skips

# Old source versions are kept this long for re-runs and audits, then expire.
SOURCE_NONCURRENT_DAYS = 30
# Pipeline artifacts are needed while an execution may still be retried or rolled back.
ARTIFACT_EXPIRY_DAYS = 30
# hardening: strict keeps server access logs this long.
ACCESS_LOG_EXPIRY_DAYS = 365

# hardening: strict locks each object version in governance mode for this long. Lifecycle
# rules cannot delete a locked version before its retention ends, so each period is no
# longer than the time after which lifecycle deletes that version: a source version is
# deleted SOURCE_NONCURRENT_DAYS after a newer push replaces it; an artifact is replaced
# at ARTIFACT_EXPIRY_DAYS and deleted a day later. A manual approval waits at most 7 days
# (CodePipeline user guide, approvals), so an artifact stays locked while it may deploy.
SOURCE_LOCK_DAYS = SOURCE_NONCURRENT_DAYS
ARTIFACT_LOCK_DAYS = 7


def _encryption(kms_key: str | None) -> BucketEncryption:
    """SSE-KMS with an S3 Bucket Key (fewer KMS requests): the spec's key, or without one
    the AWS managed key aws/s3, whose key policy lets the account's principals use it
    through S3, so no role needs a KMS grant for it (S3 user guide, UsingKMSEncryption;
    AWS Control Tower CT.S3.PR.10 asks for SSE-KMS)."""
    default = ServerSideEncryptionByDefault(SSEAlgorithm="aws:kms")
    if kms_key is not None:
        default.KMSMasterKeyID = kms_key
    return BucketEncryption(
        ServerSideEncryptionConfiguration=[
            ServerSideEncryptionRule(ServerSideEncryptionByDefault=default, BucketKeyEnabled=True)
        ]
    )


def _sse_s3() -> BucketEncryption:
    default = ServerSideEncryptionByDefault(SSEAlgorithm="AES256")
    return BucketEncryption(
        ServerSideEncryptionConfiguration=[
            ServerSideEncryptionRule(ServerSideEncryptionByDefault=default)
        ]
    )


def _eventbridge() -> NotificationConfiguration:
    return NotificationConfiguration(
        EventBridgeConfiguration=EventBridgeConfiguration(EventBridgeEnabled=True)
    )


def _object_lock(days: int) -> ObjectLockConfiguration:
    retention = DefaultRetention(Mode="GOVERNANCE", Days=days)
    return ObjectLockConfiguration(
        ObjectLockEnabled="Enabled", Rule=ObjectLockRule(DefaultRetention=retention)
    )


def _hardened_bucket(
    title: str, rules: list[LifecycleRule], encryption: BucketEncryption
) -> Bucket:
    bucket = Bucket(
        title,
        # Retained on delete and on replacement: a bucket's contents are never lost
        # by a stack operation (and a non-empty bucket cannot be deleted anyway).
        # RetainExceptOnCreate: a rolled-back first create deletes the new, empty bucket
        # instead of leaving it behind to block the retry (CloudFormation template
        # reference, aws-attribute-deletionpolicy). UpdateReplacePolicy has no such value.
        DeletionPolicy="RetainExceptOnCreate",
        UpdateReplacePolicy="Retain",
        BucketEncryption=encryption,
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
        # S3 events to EventBridge cost nothing; the source bucket's start the pipeline.
        NotificationConfiguration=_eventbridge(),
    )
    return bucket


def _strict(bucket: Bucket, log_bucket: Bucket | None, prefix: str, lock_days: int) -> Bucket:
    """hardening: strict: server access logs to log_bucket, and Object Lock; standard:
    checkov's access-logging check skipped, with its reason."""
    if log_bucket is None:
        bucket.Metadata = checkov_skips("CKV_AWS_18")
    else:
        bucket.LoggingConfiguration = LoggingConfiguration(
            DestinationBucketName=Ref(log_bucket), LogFilePrefix=prefix
        )
        bucket.ObjectLockEnabled = True
        bucket.ObjectLockConfiguration = _object_lock(lock_days)
    return bucket


def _abort_uploads() -> AbortIncompleteMultipartUpload:
    return AbortIncompleteMultipartUpload(DaysAfterInitiation=1)


def source_bucket(title: str, kms_key: str | None, log_bucket: Bucket | None = None) -> Bucket:
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
        _encryption(kms_key),
    )
    return _strict(bucket, log_bucket, "source/", SOURCE_LOCK_DAYS)


def artifact_bucket(title: str, kms_key: str | None, log_bucket: Bucket | None = None) -> Bucket:
    """The pipeline's artifact store; artifacts expire after ARTIFACT_EXPIRY_DAYS."""
    bucket = _hardened_bucket(
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
        _encryption(kms_key),
    )
    return _strict(bucket, log_bucket, "artifacts/", ARTIFACT_LOCK_DAYS)


def access_log_bucket(title: str) -> Bucket:
    """hardening: strict: receives the server access logs of the stack's two buckets.

    SSE-S3 and no Object Lock: S3 delivers server access logs only to a target bucket with
    SSE-S3 default encryption (S3 user guide, enable-server-access-logging), and "S3 buckets
    with Object Lock can't be used as destination buckets for server access logs" (S3 user
    guide, object-lock-configure)."""
    bucket = _hardened_bucket(
        title,
        [
            LifecycleRule(
                Id="expire-old-access-logs",
                Status="Enabled",
                ExpirationInDays=ACCESS_LOG_EXPIRY_DAYS,
                NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=1),
                AbortIncompleteMultipartUpload=_abort_uploads(),
            )
        ],
        _sse_s3(),
    )
    bucket.Metadata = checkov_skips("CKV_AWS_18", CKV_AWS_18=ACCESS_LOG_BUCKET_UNLOGGED)
    return bucket


# Object writes that could plant a source.zip that deploys, or swap an artifact while an
# approval waits (deleting the newest version of a versioned object restores the one before).
OBJECT_WRITE_ACTIONS = (
    s3_actions.PutObject,
    s3_actions.DeleteObject,
    s3_actions.DeleteObjectVersion,
)


def _bucket_and_objects(bucket: Bucket) -> list[object]:
    """[bucket ARN, bucket ARN/*], the object ARN as a Join: CT.S3.PR.8 recognises the
    bucket's own ARNs only in this form."""
    return [GetAtt(bucket, "Arn"), Join("", [GetAtt(bucket, "Arn"), "/*"])]


def _deny_insecure_transport(bucket: Bucket) -> Statement:
    return Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[s3_actions.Action("*")],
        Resource=_bucket_and_objects(bucket),
        # The string form: IAM reads "false" as the boolean, and AWS Control Tower's
        # proactive control CT.S3.PR.8 reads the value literally.
        Condition=Condition(Bool("aws:SecureTransport", "false")),
    )


def _tls_only_policy(title: str, bucket: Bucket, statement: Statement) -> BucketPolicy:
    """The bucket's policy: deny every request without TLS, then `statement`."""
    return BucketPolicy(
        title,
        Metadata=cfn_lint_ignores("I1022"),
        Bucket=Ref(bucket),
        PolicyDocument=PolicyDocument(
            Version="2012-10-17", Statement=[_deny_insecure_transport(bucket), statement]
        ),
    )


def bucket_policy(title: str, bucket: Bucket, writers: Sequence[Role]) -> BucketPolicy:
    """Deny every request without TLS, and every object write by a principal other than
    the writer roles of this stack. Bucket-level actions stay with IAM, so the account's
    administrators can still read and change this policy."""
    deny_other_writers = Statement(
        Sid="DenyObjectWritesByOthers",
        Effect=Deny,
        Principal=Principal("*"),
        Action=list(OBJECT_WRITE_ACTIONS),
        Resource=[Sub("${" + bucket.title + ".Arn}/*")],
        # aws:PrincipalArn is the role's ARN for its sessions (IAM user guide, "AWS global
        # condition context keys").
        Condition=Condition(ArnNotEquals("aws:PrincipalArn", [GetAtt(w, "Arn") for w in writers])),
    )
    return _tls_only_policy(title, bucket, deny_other_writers)


def access_log_bucket_policy(title: str, bucket: Bucket, sources: Sequence[Bucket]) -> BucketPolicy:
    """TLS only, and the S3 logging service may write the logs of these buckets only
    (S3 user guide, enable-server-access-logging: the bucket policy for log delivery)."""
    log_delivery = Statement(
        Sid="AllowServerAccessLogDelivery",
        Effect=Allow,
        Principal=Principal("Service", "logging.s3.amazonaws.com"),
        Action=[s3_actions.PutObject],
        Resource=[Join("", [GetAtt(bucket, "Arn"), "/*"])],
        Condition=Condition(
            [
                ArnLike("aws:SourceArn", [GetAtt(b, "Arn") for b in sources]),
                StringEquals("aws:SourceAccount", AccountId),
            ]
        ),
    )
    return _tls_only_policy(title, bucket, log_delivery)
