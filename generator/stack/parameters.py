"""The few values a deployer may change at deploy time, as CloudFormation
Parameters whose defaults come from the spec (the spec stays the source of
truth), grouped and labelled for the console's Create stack form."""

from __future__ import annotations

from typing import Any

from troposphere import Parameter

from ..aws.enums import COMPUTE_TYPES, LOG_RETENTION_DAYS
from ..spec.model import Spec

BUILD_COMPUTE = "BuildComputeType"
BUILD_TIMEOUT = "BuildTimeoutInMinutes"
LOG_RETENTION = "LogRetentionInDays"


def deploy_parameters(spec: Spec) -> list[Parameter]:
    """Under hardening: strict the log retention is written as a literal (Control Tower's
    CT.CLOUDWATCH.PR.2 reads no parameter), so it is not a parameter there."""
    found = [
        Parameter(
            BUILD_COMPUTE,
            Type="String",
            Default=COMPUTE_TYPES[spec.build.compute],
            AllowedValues=allowed_compute_types(spec),
            Description="CodeBuild compute size of the build project (spec: build.compute)",
        ),
        Parameter(
            BUILD_TIMEOUT,
            Type="Number",
            Default=spec.build.timeout,
            MinValue=5,
            MaxValue=480,
            Description="Minutes before a build is stopped (spec: build.timeout)",
            ConstraintDescription="a whole number of minutes from 5 to 480",
        ),
        Parameter(
            LOG_RETENTION,
            Type="Number",
            Default=spec.logs.retention,
            AllowedValues=list(LOG_RETENTION_DAYS),
            Description="Days CloudWatch keeps the build logs (spec: logs.retention)",
        ),
    ]
    return [p for p in found if p.title in spec_parameters(spec)]


# Every parameter above takes its default from the spec: `deploy` passes each one
# explicitly, since `aws cloudformation deploy` otherwise keeps a stack's previous value.
SPEC_PARAMETERS = (BUILD_COMPUTE, BUILD_TIMEOUT, LOG_RETENTION)


def allowed_compute_types(spec: Spec) -> list[str]:
    """Every size, except 2xlarge with a local cache, which CodeBuild does not support
    there (user guide, caching-local)."""
    sizes = [
        size for size in COMPUTE_TYPES if not (spec.build.cache == "local" and size == "2xlarge")
    ]
    return [COMPUTE_TYPES[size] for size in sizes]


def spec_parameters(spec: Spec) -> tuple[str, ...]:
    if spec.strict:
        return (BUILD_COMPUTE, BUILD_TIMEOUT)
    return SPEC_PARAMETERS


def interface_metadata(spec: Spec) -> dict[str, Any]:
    """AWS::CloudFormation::Interface: how the console groups and labels the parameters."""
    names = spec_parameters(spec)
    groups = [{"Label": {"default": "Build"}, "Parameters": [BUILD_COMPUTE, BUILD_TIMEOUT]}]
    if LOG_RETENTION in names:
        groups.append({"Label": {"default": "Logs"}, "Parameters": [LOG_RETENTION]})
    labels = {
        BUILD_COMPUTE: {"default": "Build compute size"},
        BUILD_TIMEOUT: {"default": "Build timeout (minutes)"},
        LOG_RETENTION: {"default": "Log retention (days)"},
    }
    return {
        "AWS::CloudFormation::Interface": {
            "ParameterGroups": groups,
            "ParameterLabels": {name: labels[name] for name in names},
        }
    }
