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
    return [
        Parameter(
            BUILD_COMPUTE,
            Type="String",
            Default=COMPUTE_TYPES[spec.build.compute],
            AllowedValues=list(COMPUTE_TYPES.values()),
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


# Every parameter above takes its default from the spec: `deploy` passes each one
# explicitly, since `aws cloudformation deploy` otherwise keeps a stack's previous value.
SPEC_PARAMETERS = (BUILD_COMPUTE, BUILD_TIMEOUT, LOG_RETENTION)


def interface_metadata() -> dict[str, Any]:
    """AWS::CloudFormation::Interface: how the console groups and labels the parameters."""
    return {
        "AWS::CloudFormation::Interface": {
            "ParameterGroups": [
                {"Label": {"default": "Build"}, "Parameters": [BUILD_COMPUTE, BUILD_TIMEOUT]},
                {"Label": {"default": "Logs"}, "Parameters": [LOG_RETENTION]},
            ],
            "ParameterLabels": {
                BUILD_COMPUTE: {"default": "Build compute size"},
                BUILD_TIMEOUT: {"default": "Build timeout (minutes)"},
                LOG_RETENTION: {"default": "Log retention (days)"},
            },
        }
    }
