"""E9502 (was P502): ARNs use ${AWS::Region}, not a literal region."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import LITERAL_REGION, literal_arn_strings


class LiteralRegion(CloudFormationLintRule):
    id = "E9502"
    shortdesc = "Hard-coded region in an ARN"
    description = "A literal region breaks the stack in every other region."
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html"
    tags = ["resources", "arn"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for path, text in literal_arn_strings(cfn.template):
            found = LITERAL_REGION.search(text)
            if found:
                message = f"hard-coded region {found.group(1)!r} in an ARN; use ${{AWS::Region}}"
                matches.append(RuleMatch(path, message))
        return matches
