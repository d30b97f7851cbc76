"""Hardened S3 buckets: the versioned source bucket and the artifact store, with server
access logs to the spec's access_logs bucket and, under hardening: strict, Object Lock."""

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
from troposphere import GetAtt, Join, Ref, Sub
from troposphere.iam import Role
from troposphere.s3 import (
    AbortIncompleteMultipartUpload,
    Bucket,
    BucketEncryption,
    BucketPolicy,
    EventBridgeConfiguration,
    LifecycleConfiguration,
    LifecycleRule,
    LoggingConfiguration,
    NoncurrentVersionExpiration,
    NotificationConfiguration,
    ObjectLockConfiguration,
    OwnershipControls,
    OwnershipControlsRule,
    PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionRule,
    VersioningConfiguration,
)

from .scanners import cfn_lint_ignores, checkov_skips

# Old source versions are kept this long for re-runs and audits, then expire.
SOURCE_NONCURRENT_DAYS = 30
# Pipeline artifacts are needed while an execution may still be retried or rolled back.
ARTIFACT_EXPIRY_DAYS = 30


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


def _eventbridge() -> NotificationConfiguration:
    return NotificationConfiguration(
        EventBridgeConfiguration=EventBridgeConfiguration(EventBridgeEnabled=True)
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


def _logged_and_locked(
    bucket: Bucket, access_logs: str | None, prefix: str, object_lock: bool
) -> Bucket:
    """Server access logs to the spec's access_logs bucket, under a prefix of this stack
    and bucket ("choose a different TargetPrefix for each source bucket": S3 API reference,
    LoggingEnabled); without it, checkov's access-logging check skipped with its reason.

    hardening: strict turns Object Lock on (CT.S3.PR.9 asks for ObjectLockEnabled only)
    with no default retention: with a default retention S3 refuses every upload that
    carries neither Content-MD5 nor an x-amz-checksum header ("The Content-MD5 or
    x-amz-sdk-checksum-algorithm header is required for any request to upload an object
    with a retention period configured using Amazon S3 Object Lock": S3 API reference,
    PutObject; S3 user guide, object-lock-managing), and neither CodePipeline nor
    CodeBuild documents that it sends one for the artifacts and source it writes."""
    if access_logs is None:
        bucket.Metadata = checkov_skips("CKV_AWS_18")
    else:
        bucket.LoggingConfiguration = LoggingConfiguration(
            DestinationBucketName=access_logs, LogFilePrefix=Sub(f"${{AWS::StackName}}/{prefix}")
        )
    if object_lock:
        bucket.ObjectLockEnabled = True
        # Enabled with no Rule: written out, so that updating a stack whose bucket had a
        # default retention (strict in 0.1.0) removes it.
        bucket.ObjectLockConfiguration = ObjectLockConfiguration(ObjectLockEnabled="Enabled")
    return bucket


def _abort_uploads() -> AbortIncompleteMultipartUpload:
    return AbortIncompleteMultipartUpload(DaysAfterInitiation=1)


def source_bucket(
    title: str, kms_key: str | None, access_logs: str | None = None, object_lock: bool = False
) -> Bucket:
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
    return _logged_and_locked(bucket, access_logs, "source/", object_lock)


def artifact_bucket(
    title: str, kms_key: str | None, access_logs: str | None = None, object_lock: bool = False
) -> Bucket:
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
    return _logged_and_locked(bucket, access_logs, "artifacts/", object_lock)


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
    return [GetAtt(bucket, "Arn"), objects_of(bucket)]


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


def objects_of(bucket: Bucket) -> Join:
    return Join("", [GetAtt(bucket, "Arn"), "/*"])


def _tls_only_policy(
    title: str, bucket: Bucket, statement: Statement, *more: Statement
) -> BucketPolicy:
    """The bucket's policy: deny every request without TLS, then `statement` and `more`."""
    return BucketPolicy(
        title,
        Metadata=cfn_lint_ignores("I1022"),
        Bucket=Ref(bucket),
        PolicyDocument=PolicyDocument(
            Version="2012-10-17",
            Statement=[_deny_insecure_transport(bucket), statement, *more],
        ),
    )


def shared_bucket_policy(
    title: str, bucket: Bucket, writer_arns: Sequence[object], readers: Sequence[Statement]
) -> BucketPolicy:
    """Deny every request without TLS, and every object write by a principal other than
    the writer roles (by ARN: aws:PrincipalArn is the role's ARN for its sessions, IAM user
    guide, "AWS global condition context keys"); readers: statements for other accounts."""
    deny_other_writers = Statement(
        Sid="DenyObjectWritesByOthers",
        Effect=Deny,
        Principal=Principal("*"),
        Action=list(OBJECT_WRITE_ACTIONS),
        Resource=[Sub("${" + bucket.title + ".Arn}/*")],
        Condition=Condition(ArnNotEquals("aws:PrincipalArn", list(writer_arns))),
    )
    return _tls_only_policy(title, bucket, deny_other_writers, *readers)


def bucket_policy(
    title: str, bucket: Bucket, writers: Sequence[Role], readers: Sequence[Statement] = ()
) -> BucketPolicy:
    """Deny every request without TLS, and every object write by a principal other than
    the writer roles of this stack. Bucket-level actions stay with IAM, so the account's
    administrators can still read and change this policy."""
    return shared_bucket_policy(title, bucket, [GetAtt(w, "Arn") for w in writers], readers)
