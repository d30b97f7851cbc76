"""CloudWatch log groups with the spec's retention."""

from __future__ import annotations

from troposphere.logs import LogGroup

from .scanners import checkov_skips


def log_group(title: str, retention_days: object, kms_key: str | None) -> LogGroup:
    """An unnamed log group (CloudFormation names it, so a deleted and re-created
    stack never collides with a group left behind)."""
    group = LogGroup(
        title,
        RetentionInDays=retention_days,
        # Build logs are deleted with the stack; kept on replacement so an update
        # never drops the logs of builds that are still being investigated.
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Retain",
    )
    if kms_key is not None:
        group.KmsKeyId = kms_key
    else:
        group.Metadata = checkov_skips("CKV_AWS_158")
    return group
