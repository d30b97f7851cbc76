"""AWS Control Tower proactive controls that a stack deliberately does not meet.

Control Tower runs its proactive controls as CloudFormation hooks: cfn-guard rules that
refuse a resource before it is created (Control Tower controls reference, "Proactive
controls": https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html).
Every control a template fails must be listed here with its reason, and the template
records the list under Metadata.PipelineGenerator.ControlTowerWaivers; `make test`
runs the rules and fails on any control that fails without being listed.
"""

from __future__ import annotations

from dataclasses import dataclass

# The rules come from this npm package (cfn-guard binaries + Control Tower rule files).
RULES_PACKAGE = "@cdklabs/cdk-validator-cfnguard"
RULES_VERSION = "0.0.62"
RULES_SHA256 = "660c14562d4c79d524d0623d80d494e41797acae9da23ecb10915d7f66ada80c"


@dataclass(frozen=True)
class ControlWaiver:
    control: str
    title: str
    reason: str


# hardening: standard. What each would cost is in docs/security.md.
S3_ACCESS_LOGGING = ControlWaiver(
    "CT.S3.PR.2",
    "S3 server access logging",
    "a third bucket per stack and the log storage it fills; hardening: strict adds it",
)
S3_OBJECT_LOCK = ControlWaiver(
    "CT.S3.PR.9",
    "S3 Object Lock",
    "locked versions outlive their lifecycle expiry by the retention period and cannot be "
    "deleted early; hardening: strict turns it on (governance mode)",
)
# CT.CLOUDWATCH.PR.2 passes a log group without RetentionInDays or with RetentionInDays of
# at least 365 (Control Tower controls reference, Amazon CloudWatch controls:
# https://docs.aws.amazon.com/controltower/latest/controlreference/cloudwatch-rules.html);
# the retention is written as a literal, so the waiver follows the spec's value.
CT_MIN_LOG_RETENTION_DAYS = 365
LOG_RETENTION_YEAR = ControlWaiver(
    "CT.CLOUDWATCH.PR.2",
    "log retention of at least 365 days",
    "logs.retention keeps logs less than 365 days (less log storage; the default is 30); "
    "365 or more, or hardening: strict, passes it",
)
LOG_ENCRYPTION_KMS = ControlWaiver(
    "CT.CLOUDWATCH.PR.3",
    "log groups encrypted with a KMS key",
    "no kms_key in the spec: CloudWatch Logs encrypts with its own key; a customer managed "
    "key costs 1 USD a month plus requests",
)
PRIVILEGED_BUILD = ControlWaiver(
    "CT.CODEBUILD.PR.4",
    "CodeBuild privileged mode off",
    "build.privileged: true, which Docker builds need (the Docker daemon runs only in "
    "privileged mode); refused under hardening: strict",
)

# hardening: strict. The access-log bucket is the one resource no stack of this kind can
# make pass: it cannot log to itself without logging its own log deliveries ("an infinite
# loop of logs"), S3 server access logging delivers only to a target with SSE-S3 default
# encryption and without Object Lock (S3 user guide, enable-server-access-logging and
# object-lock-configure).
ACCESS_LOG_BUCKET_NOT_LOGGED = ControlWaiver(
    "CT.S3.PR.2",
    "S3 server access logging (the access-log bucket itself)",
    "the access-log bucket cannot log to itself without logging its own log deliveries",
)
ACCESS_LOG_BUCKET_UNLOCKED = ControlWaiver(
    "CT.S3.PR.9",
    "S3 Object Lock (the access-log bucket itself)",
    "S3 buckets with Object Lock cannot be destination buckets for server access logs",
)
ACCESS_LOG_BUCKET_SSE_S3 = ControlWaiver(
    "CT.S3.PR.10",
    "S3 encryption with a KMS key (the access-log bucket itself)",
    "S3 server access logs are delivered only to buckets with SSE-S3 default encryption",
)


def standard_waivers(
    kms_key: bool, privileged: bool, retention_days: int, buckets: bool = True
) -> tuple[ControlWaiver, ...]:
    found = [S3_ACCESS_LOGGING, S3_OBJECT_LOCK] if buckets else []
    if retention_days < CT_MIN_LOG_RETENTION_DAYS:
        found.append(LOG_RETENTION_YEAR)
    if not kms_key:
        found.append(LOG_ENCRYPTION_KMS)
    if privileged:
        found.append(PRIVILEGED_BUILD)
    return tuple(sorted(found, key=lambda e: e.control))


STRICT_WAIVERS = (
    ACCESS_LOG_BUCKET_SSE_S3,
    ACCESS_LOG_BUCKET_NOT_LOGGED,
    ACCESS_LOG_BUCKET_UNLOCKED,
)
# The resources each strict exception is limited to (a test holds the results to it).
STRICT_WAIVER_RESOURCES = ("AccessLogBucket",)

ALL_WAIVERS = (
    S3_ACCESS_LOGGING,
    S3_OBJECT_LOCK,
    LOG_RETENTION_YEAR,
    LOG_ENCRYPTION_KMS,
    PRIVILEGED_BUILD,
    ACCESS_LOG_BUCKET_NOT_LOGGED,
    ACCESS_LOG_BUCKET_UNLOCKED,
    ACCESS_LOG_BUCKET_SSE_S3,
)
