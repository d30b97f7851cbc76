"""Security-scanner findings we accept on purpose, each with its reason, written
into the resource's own Metadata in checkov's skip syntax (so a reviewer sees the
reason next to the resource, and checkov reports the check as skipped)."""

from __future__ import annotations

from typing import Any

ACCEPTED_CHECKS: dict[str, str] = {
    "CKV_AWS_18": (
        "No S3 server access logging: only this stack's roles can write or read the bucket, "
        "and a log bucket would itself be unlogged and cost storage on every request; use "
        "CloudTrail S3 data events where an audit trail is required, or name an existing "
        "log bucket with access_logs."
    ),
    "CKV_AWS_158": (
        "CloudWatch Logs encrypts log data at rest by default; a customer-managed key costs "
        "money per stack while idle. Set kms_key in the spec to use one."
    ),
    "CKV_AWS_26": (
        "The notification topic without kms_key: CodeStar Notifications cannot publish to a "
        "topic encrypted with the AWS managed key aws/sns (SNS developer guide, "
        "sns-key-management); set kms_key to encrypt it with the spec's key. Its messages say "
        "which pipeline failed, never a secret."
    ),
}

# cfn-lint findings accepted on purpose. I1022 prefers Fn::Sub to Fn::Join; the bucket
# policies write an object ARN as a Join because AWS Control Tower's CT.S3.PR.8 rule
# recognises a bucket's own ARN only in that form.
ACCEPTED_LINT_CHECKS = ("I1022",)


def cfn_lint_ignores(*check_ids: str) -> dict[str, Any]:
    """Resource Metadata that tells cfn-lint to skip these checks on this resource."""
    assert set(check_ids) <= set(ACCEPTED_LINT_CHECKS)
    return {"cfn-lint": {"config": {"ignore_checks": list(check_ids)}}}


def checkov_skips(*check_ids: str, **comments: str) -> dict[str, Any]:
    """Resource Metadata that tells checkov to skip these checks, with their reasons."""
    return {
        "checkov": {
            "skip": [
                {"id": check, "comment": comments.get(check, ACCEPTED_CHECKS[check])}
                for check in check_ids
            ]
        }
    }
