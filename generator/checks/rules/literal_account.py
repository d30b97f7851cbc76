"""E9503 (was P503): ARNs use ${AWS::AccountId}, not a literal account id."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import LITERAL_ACCOUNT, literal_arn_strings


class LiteralAccount(CloudFormationLintRule):
    id = "E9503"
    shortdesc = "Hard-coded account id in an ARN"
    description = "A literal account id breaks the stack in every other account."
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html"
    tags = ["resources", "arn"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        return [
            RuleMatch(path, "hard-coded account id; use ${AWS::AccountId}")
            for path, text in literal_arn_strings(cfn.template)
            if LITERAL_ACCOUNT.search(text)
        ]
