"""E9202 (was P202): the CodeBuild compute type is one CloudFormation accepts."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.aws.enums import KNOWN_COMPUTE_TYPES
from generator.checks.rules._helpers import resources


class ComputeType(CloudFormationLintRule):
    id = "E9202"
    shortdesc = "Unknown CodeBuild compute type"
    description = "cfn-lint does not check CodeBuild's ComputeType values."
    source_url = (
        "https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html"
    )
    tags = ["resources", "codebuild"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in resources(cfn.template, "AWS::CodeBuild::Project"):
            environment = props.get("Environment")
            compute = environment.get("ComputeType") if isinstance(environment, dict) else None
            if isinstance(compute, str) and compute not in KNOWN_COMPUTE_TYPES:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "Environment", "ComputeType"],
                        f"unknown ComputeType {compute!r}; allowed: "
                        + ", ".join(sorted(KNOWN_COMPUTE_TYPES)),
                    )
                )
        return matches
