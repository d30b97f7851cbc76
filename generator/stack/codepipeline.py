"""The V2 pipeline: Source (S3) -> Build -> [Approval] -> Deploy (ECS or S3)."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref
from troposphere.codebuild import Project
from troposphere.codepipeline import (
    Actions,
    ActionTypeId,
    ArtifactStore,
    EncryptionKey,
    InputArtifacts,
    OutputArtifacts,
    Pipeline,
    Stages,
)
from troposphere.iam import Role
from troposphere.s3 import Bucket

from ..spec.model import Deploy


def _action(
    name: str,
    category: str,
    provider: str,
    configuration: dict[str, Any] | None = None,
    inputs: list[str] | None = None,
    outputs: list[str] | None = None,
) -> Actions:
    action = Actions(
        Name=name,
        ActionTypeId=ActionTypeId(Category=category, Owner="AWS", Provider=provider, Version="1"),
        RunOrder=1,
    )
    if configuration:
        action.Configuration = configuration
    if inputs:
        action.InputArtifacts = [InputArtifacts(Name=n) for n in inputs]
    if outputs:
        action.OutputArtifacts = [OutputArtifacts(Name=n) for n in outputs]
    return action


# (name, actions, {BeforeEntry/OnSuccess: its conditions, or nothing}).
StageSpec = tuple[str, list[Actions], dict[str, object]]


SOURCE_ACTION = "Source"
# A newer execution overtakes an older one waiting between stages, so a stale build never
# deploys after a newer one (CodePipeline user guide, "Execution modes"); each execution
# builds the source version its event announced (events.pinned_source_version).
# It also suits promotion: "Executions are only superseded in between stages" and "A stage
# with an approval action is locked until the approval action is approved or rejected or
# has timed out" (user guide, "How pipeline executions work"), so a newer release never
# overtakes the one waiting for approval; it waits in front of the stage, and only the
# newest waiting release enters next. QUEUED would deliver every release in turn; PARALLEL
# would let a newer release pass the approval and has no stage rollback (execution-modes).
EXECUTION_MODE = "SUPERSEDED"


def source_action(bucket: Bucket, key: str, output: str) -> Actions:
    # An EventBridge rule starts the pipeline; polling would start it twice.
    return _action(
        SOURCE_ACTION,
        "Source",
        "S3",
        {"S3Bucket": Ref(bucket), "S3ObjectKey": key, "PollForSourceChanges": "false"},
        outputs=[output],
    )


def build_action(project: Project, source: str, output: str) -> Actions:
    return _action("Build", "Build", "CodeBuild", {"ProjectName": Ref(project)}, [source], [output])


def approval_action() -> Actions:
    return _action("Approve", "Approval", "Manual")


def deploy_action(deploy: Deploy, artifact: str) -> Actions:
    if deploy.ecs is not None:
        ecs = deploy.ecs
        config = {"ClusterName": ecs.cluster, "ServiceName": ecs.service, "FileName": ecs.file}
        return _action("Deploy", "Deploy", "ECS", config, [artifact])
    assert deploy.s3 is not None  # the model requires exactly one target
    s3 = deploy.s3
    config = {"BucketName": s3.bucket, "Extract": "true" if s3.extract else "false"}
    if s3.key is not None:
        config["ObjectKey"] = s3.key
    return _action("Deploy", "Deploy", "S3", config, [artifact])


def _artifact_store(bucket: Bucket, kms_key: str | None) -> ArtifactStore:
    store = ArtifactStore(Type="S3", Location=Ref(bucket))
    if kms_key is not None:
        store.EncryptionKey = EncryptionKey(Id=kms_key, Type="KMS")
    return store


def pipeline(
    title: str,
    *,
    name: str,
    role: Role,
    artifact_bucket: Bucket,
    stages: list[StageSpec],
    kms_key: str | None,
) -> Pipeline:
    resource = Pipeline(
        title,
        Name=name,
        PipelineType="V2",
        ExecutionMode=EXECUTION_MODE,
        RoleArn=GetAtt(role, "Arn"),
        ArtifactStore=_artifact_store(artifact_bucket, kms_key),
        RestartExecutionOnUpdate=False,
        Stages=[Stages(Name=name, Actions=actions, **extra) for name, actions, extra in stages],
    )
    return resource
