"""The EventBridge rule that starts the pipeline when source.zip is written."""

from __future__ import annotations

from troposphere import GetAtt, Ref, Tags
from troposphere.events import Rule, Target

from .iam import regional_arn


def source_object_rule(
    title: str, *, bucket: str, key: str, pipeline: str, role: str, tags: Tags | None
) -> Rule:
    """S3 "Object Created" (EventBridge notifications on the bucket) for exactly one key."""
    rule = Rule(
        title,
        Description=f"Starts the pipeline when {key} is written to the source bucket",
        State="ENABLED",
        EventPattern={
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [Ref(bucket)]}, "object": {"key": [key]}},
        },
        Targets=[
            Target(
                Id="Pipeline",
                Arn=regional_arn("codepipeline", "${" + pipeline + "}"),
                RoleArn=GetAtt(role, "Arn"),
            )
        ],
    )
    if tags is not None:
        rule.Tags = tags
    return rule
