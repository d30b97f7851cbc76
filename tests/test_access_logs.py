"""access_logs: both buckets log to an existing bucket; hardening: strict requires it,
creates no log bucket and waives no Control Tower control."""

from __future__ import annotations

from typing import Any

from generator.render.formats import template_data
from generator.spec.loader import load_spec_text
from generator.spec.validate import validate_spec
from generator.stack.compose import compose

LOG_BUCKET = "acme-s3-access-logs-111122223333-eu-west-1"
SPEC = f"""\
service: ledger
repository: {{provider: github, url: https://github.com/acme/ledger.git}}
access_logs: {LOG_BUCKET}
environments:
  prod:
    branch: main
    events: [push]
    deploy: {{s3: {{bucket: acme-ledger}}}}
"""
STRICT = (
    SPEC
    + "hardening: strict\n"
    + "kms_key: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n"
)


def _stack(text: str) -> dict[str, Any]:
    return template_data(compose(validate_spec(load_spec_text(text, "ledger.yaml")), "prod"))


def _buckets(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = template["Resources"]
    return {k: r for k, r in resources.items() if r["Type"] == "AWS::S3::Bucket"}


def _waivers(template: dict[str, Any]) -> dict[str, str]:
    return template["Metadata"]["PipelineGenerator"]["ControlTowerWaivers"]


def test_both_buckets_log_to_access_logs_under_a_prefix_of_their_stack() -> None:
    buckets = _buckets(_stack(SPEC))
    assert set(buckets) == {"SourceBucket", "ArtifactBucket"}
    for name, prefix in (("SourceBucket", "source/"), ("ArtifactBucket", "artifacts/")):
        assert buckets[name]["Properties"]["LoggingConfiguration"] == {
            "DestinationBucketName": LOG_BUCKET,
            "LogFilePrefix": {"Fn::Sub": "${AWS::StackName}/" + prefix},
        }
        assert "checkov" not in buckets[name].get("Metadata", {})
        assert "ObjectLockEnabled" not in buckets[name]["Properties"]


def test_a_standard_stack_with_access_logs_no_longer_waives_access_logging() -> None:
    waived = _waivers(_stack(SPEC))
    assert "CT.S3.PR.2" not in waived and "CT.S3.PR.9" in waived
    assert "CT.S3.PR.2" in _waivers(_stack(SPEC.replace(f"access_logs: {LOG_BUCKET}\n", "")))


def test_a_strict_stack_creates_no_log_bucket_and_waives_nothing() -> None:
    template = _stack(STRICT)
    assert _waivers(template) == {}
    assert set(_buckets(template)) == {"SourceBucket", "ArtifactBucket"}
    assert not [r for r in template["Resources"] if r.startswith("AccessLog")]
    for bucket in _buckets(template).values():
        props = bucket["Properties"]
        # Object Lock on, no default retention: uploads need no checksum header.
        assert props["ObjectLockEnabled"] is True
        assert props["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
