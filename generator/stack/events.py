"""The EventBridge rule that starts the pipeline when source.zip is written."""

from __future__ import annotations

import json

from troposphere import GetAtt, Ref
from troposphere.codepipeline import Pipeline
from troposphere.events import InputTransformer, Rule, Target
from troposphere.iam import Role
from troposphere.s3 import Bucket

from .iam import regional_arn


def pinned_source_version(source_action: str) -> InputTransformer:
    """Start the execution on the object version that the event announces. Without it
    the S3 source action reads whatever version is newest when it runs (CodePipeline user
    guide, "Troubleshooting": S3 source revisions may not match the EventBridge event), so
    two quick uploads could both build the second. CodePipeline user guide, "Start a
    pipeline with a source revision override" (S3_OBJECT_VERSION_ID); the S3 event carries
    the version in detail.object.version-id (S3 user guide, "EventBridge event message
    structure")."""
    template = {
        "sourceRevisions": [
            {
                "actionName": source_action,
                "revisionType": "S3_OBJECT_VERSION_ID",
                "revisionValue": "<version>",
            }
        ]
    }
    return InputTransformer(
        InputPathsMap={"version": "$.detail.object.version-id"},
        InputTemplate=json.dumps(template, separators=(",", ":")),
    )


def source_object_rule(
    title: str,
    *,
    bucket: Bucket,
    key: str,
    pipeline: Pipeline,
    source_action: str,
    role: Role,
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
                Arn=regional_arn("codepipeline", "${" + pipeline.title + "}"),
                RoleArn=GetAtt(role, "Arn"),
                InputTransformer=pinned_source_version(source_action),
            )
        ],
    )
    return rule
