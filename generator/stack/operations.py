"""Which documented runtime operations (generator/aws/contract.py) each role of a stack
performs, for a validated spec: the test of the permission contract grants each role
exactly the actions of these operations."""

from __future__ import annotations

from collections.abc import Mapping

from ..spec.model import Spec, parse_secret
from . import naming


def role_operations(spec: Spec, env: str) -> Mapping[str, tuple[str, ...]]:
    """{role logical ID: the operations it performs} for one stack of a valid spec."""
    key = spec.kms_key is not None
    bridge = ["codebuild-logs", "bridge-upload"]
    connection = spec.repository.connection
    if connection is not None:
        old_arn = ":codestar-connections:" in connection
        bridge.append("codestar-connections" if old_arn else "codeconnections")
    build = ["codebuild-logs", "codebuild-artifacts", "codebuild-reports"]
    secrets = [parse_secret(value) for value in spec.build.secrets.values()]
    if any(s is not None and s.store == "ssm" for s in secrets):
        build.append("parameter-store")
    if any(s is not None and s.store == "secretsmanager" for s in secrets):
        build.append("secrets-manager")
    if spec.build.ecr:
        build += ["ecr-push", "ecr-pull"]
    pipeline = ["s3-source-action", "source-missing-is-not-found", "artifact-store"]
    pipeline.append("codebuild-action")
    deploy = spec.environments[env].deploy
    pipeline.append("ecs-deploy" if deploy.ecs is not None else "s3-deploy")
    if key:
        bridge.append("kms-source-bucket")
        build.append("kms-artifact-bucket")
        pipeline += ["kms-source-bucket", "kms-artifact-bucket"]
    return {
        naming.BRIDGE_ROLE: tuple(bridge),
        naming.BUILD_ROLE: tuple(build),
        naming.PIPELINE_ROLE: tuple(pipeline),
        naming.SOURCE_EVENT_ROLE: ("start-pipeline",),
    }
