"""Which documented runtime operations (generator/aws/contract.py) each role of a stack
performs, for a validated spec: the test of the permission contract grants each role
exactly the actions of these operations."""

from __future__ import annotations

from collections.abc import Mapping

from ..aws.enums import CHECKS_STACK
from ..aws.images import Image, classify
from ..spec.model import Spec, parse_secret
from . import naming
from .regions import regions_of


def _connection(spec: Spec) -> list[str]:
    connection = spec.repository.connection
    if connection is None:
        return []
    return ["codestar-connections" if ":codestar-connections:" in connection else "codeconnections"]


def _secrets(spec: Spec, env: str) -> list[str]:
    secrets = [parse_secret(value) for value in spec.secrets_of(env).values()]
    found = []
    if any(s is not None and s.store == "ssm" for s in secrets):
        found.append("parameter-store")
    if any(s is not None and s.store == "secretsmanager" for s in secrets):
        found.append("secrets-manager")
    if spec.build.secret_keys:
        found += ["kms-" + operation for operation in found]
    return found


def _build_environment(spec: Spec) -> list[str]:
    """What the build container itself needs: its image, certificate and VPC."""
    found = []
    image = classify(spec.build.image)
    if isinstance(image, Image) and image.kind == "ecr":
        found.append("private-image-pull")
    if spec.build.certificate is not None:
        found.append("build-certificate")
    if spec.build.vpc is not None:
        found.append("vpc-network-interfaces")
    return found


def _deploy_operation(spec: Spec, env: str) -> str:
    return "ecs-deploy" if spec.environments[env].deploy.ecs is not None else "s3-deploy"


def target_role_operations(spec: Spec, env: str) -> tuple[str, ...]:
    """The operations of the deploy role `<service>-<env>-deploy` in the env's account."""
    found = []
    for where in _in_regions(spec, env):
        found.append(_deploy_operation(spec, env) + where)
        if spec.environments[env].gates is not None:
            found.append("watch-alarms" + where)
    found.append("read-cross-account-artifacts")
    found += [f"read-regional-artifacts#{r}" for r in spec.environments[env].regions]
    return tuple(found)


def _in_regions(spec: Spec, env: str) -> list[str]:
    """ "#<region>" per Region of env's `regions`, or "" (the stack's Region)."""
    return [f"#{r}" for r in spec.environments[env].regions] or [""]


def role_operations(spec: Spec, env: str) -> Mapping[str, tuple[str, ...]]:
    """{role logical ID: the operations it performs} for one stack of a valid spec."""
    if env == CHECKS_STACK and spec.checks is not None:
        # Pull-request code: logs, reports, the repository, checks.secrets. Nothing else.
        check = ["codebuild-logs", "codebuild-reports", *_connection(spec), *_secrets(spec, env)]
        return {naming.CHECK_ROLE: tuple(check + _build_environment(spec))}
    key = spec.kms_key is not None
    bridge = ["codebuild-logs", "bridge-upload", *_connection(spec)]
    build = ["codebuild-logs", "codebuild-artifacts", "codebuild-reports", *_secrets(spec, env)]
    build += _build_environment(spec)
    if spec.build.cache == "s3":
        build.append("s3-build-cache")
    if spec.build.ecr:
        build += ["ecr-push", "ecr-pull"]
    pipeline = ["s3-source-action", "source-missing-is-not-found", "artifact-store"]
    pipeline.append("codebuild-action")
    # A chain deploys each of its environments: "<operation>@<environment>" where that is
    # not the stack's own environment.
    # "...#<region>": in that one of the environment's `regions`.
    cross_account = False
    for stage_env in spec.chain(env):
        at = "" if stage_env == env else f"@{stage_env}"
        if spec.environments[stage_env].account is not None:
            cross_account = True
            pipeline.append("assume-deploy-role" + at)
            continue
        for where in _in_regions(spec, stage_env):
            pipeline.append(_deploy_operation(spec, stage_env) + at + where)
            if spec.environments[stage_env].gates is not None:
                pipeline.append("watch-alarms" + at + where)
    for region in regions_of(spec, env):
        pipeline.append(f"regional-artifact-store#{region}")
        if cross_account and key:
            pipeline.append(f"kms-regional-artifact-store#{region}")
    if key:
        bridge.append("kms-source-bucket")
        build.append("kms-artifact-bucket")
        pipeline += ["kms-source-bucket", "kms-artifact-bucket"]
    elif cross_account:  # the delivery stack's key encrypts the artifact store only
        build.append("kms-artifact-bucket")
        pipeline.append("kms-artifact-bucket")
    return {
        naming.BRIDGE_ROLE: tuple(bridge),
        naming.BUILD_ROLE: tuple(build),
        naming.PIPELINE_ROLE: tuple(pipeline),
        naming.SOURCE_EVENT_ROLE: ("start-pipeline",),
    }
