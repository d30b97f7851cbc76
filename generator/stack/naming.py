"""Names of everything a stack creates.

Logical IDs are an external contract: renaming one makes CloudFormation replace
the resource (a renamed bucket is a deleted bucket), so they are fixed here and
recorded by the tests.
"""

from __future__ import annotations

SOURCE_KEY = "source.zip"

# Template Metadata key under which the generator records what built the template.
METADATA_KEY = "PipelineGenerator"

SOURCE_BUCKET = "SourceBucket"
SOURCE_BUCKET_POLICY = "SourceBucketPolicy"
ARTIFACT_BUCKET = "ArtifactBucket"
ARTIFACT_BUCKET_POLICY = "ArtifactBucketPolicy"
BRIDGE_LOG_GROUP = "BridgeLogGroup"
BRIDGE_ROLE = "BridgeRole"
BRIDGE_PROJECT = "BridgeProject"
BUILD_LOG_GROUP = "BuildLogGroup"
BUILD_ROLE = "BuildRole"
BUILD_PROJECT = "BuildProject"
PIPELINE_ROLE = "PipelineRole"
PIPELINE = "Pipeline"
SOURCE_EVENT_ROLE = "SourceEventRole"
SOURCE_EVENT_RULE = "SourceEventRule"
PIPELINE_NOTIFICATION_RULE = "PipelineNotificationRule"
CHECK_LOG_GROUP = "CheckLogGroup"
CHECK_ROLE = "CheckRole"
CHECK_PROJECT = "CheckProject"
CHECK_NOTIFICATION_RULE = "CheckNotificationRule"

SOURCE_ARTIFACT = "SourceOutput"
BUILD_ARTIFACT = "BuildOutput"


def stack_name(service: str, environment: str) -> str:
    """`<service>-<env>`: the stack, the pipeline and the template file are named so."""
    return f"{service}-{environment}"


def bridge_project_name(stack: str) -> str:
    return f"{stack}-bridge"


def build_project_name(stack: str) -> str:
    return f"{stack}-build"
