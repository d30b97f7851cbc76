"""E9501 (was P501): ARNs use ${AWS::Partition}, not a literal partition."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import LITERAL_PARTITION, literal_arn_strings


class LiteralPartition(CloudFormationLintRule):
    id = "E9501"
    shortdesc = "Hard-coded partition in an ARN"
    description = "arn:aws: fails in aws-cn and aws-us-gov; build ARNs with ${AWS::Partition}."
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html"
    tags = ["resources", "arn"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        return [
            RuleMatch(path, "hard-coded partition in an ARN; use ${AWS::Partition}")
            for path, text in literal_arn_strings(cfn.template)
            if LITERAL_PARTITION.search(text)
        ]
