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
    "no access_logs bucket in the spec: server access logs need an existing bucket in the "
    "stack's account and Region (hardening: strict requires one)",
)
S3_OBJECT_LOCK = ControlWaiver(
    "CT.S3.PR.9",
    "S3 Object Lock",
    "Object Lock cannot be turned off again, and any retention set on an object keeps it "
    "past its lifecycle expiry; hardening: strict turns it on (with no default retention)",
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


def standard_waivers(
    kms_key: bool,
    privileged: bool,
    retention_days: int,
    buckets: bool = True,
    access_logs: bool = False,
) -> tuple[ControlWaiver, ...]:
    """hardening: strict has none: its buckets log to access_logs and have Object Lock."""
    found = [S3_OBJECT_LOCK] if buckets else []
    if buckets and not access_logs:
        found.append(S3_ACCESS_LOGGING)
    if retention_days < CT_MIN_LOG_RETENTION_DAYS:
        found.append(LOG_RETENTION_YEAR)
    if not kms_key:
        found.append(LOG_ENCRYPTION_KMS)
    if privileged:
        found.append(PRIVILEGED_BUILD)
    return tuple(sorted(found, key=lambda e: e.control))


ALL_WAIVERS = (
    S3_ACCESS_LOGGING,
    S3_OBJECT_LOCK,
    LOG_RETENTION_YEAR,
    LOG_ENCRYPTION_KMS,
    PRIVILEGED_BUILD,
)
