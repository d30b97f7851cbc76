"""E9601: a StackSet's OperationPreferences give a count or a percentage, not both.

CloudFormation API reference, StackSetOperationPreferences: "Conditional: You must
specify either FailureToleranceCount or FailureTolerancePercentage (but not both)", and
the same for MaxConcurrentCount and MaxConcurrentPercentage.
"""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._accounts import stack_sets

PAIRS = (
    ("FailureToleranceCount", "FailureTolerancePercentage"),
    ("MaxConcurrentCount", "MaxConcurrentPercentage"),
)


class StackSetPreferences(CloudFormationLintRule):
    id = "E9601"
    shortdesc = "StackSet operation preference given as both a count and a percentage"
    description = (
        "FailureToleranceCount and FailureTolerancePercentage exclude each other, and so do "
        "MaxConcurrentCount and MaxConcurrentPercentage."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationPreferences.html"
    tags = ["resources", "cloudformation", "stackset"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in stack_sets(cfn.template):
            preferences = props.get("OperationPreferences")
            if not isinstance(preferences, dict):
                continue
            for count, percentage in PAIRS:
                if count in preferences and percentage in preferences:
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", "OperationPreferences", percentage],
                            f"{count} and {percentage} exclude each other; keep one",
                        )
                    )
        return matches
