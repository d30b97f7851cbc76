"""E9101 (was P101): every webhook filter group has exactly one EVENT filter."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import filter_groups


class WebhookGroupEvent(CloudFormationLintRule):
    id = "E9101"
    shortdesc = "Webhook filter group without exactly one EVENT filter"
    description = "CodeBuild needs one EVENT filter in every webhook filter group."
    source_url = "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_WebhookFilter.html"
    tags = ["resources", "codebuild", "webhook"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for _, path, filters in filter_groups(cfn.template):
            count = sum(1 for f in filters if f.get("Type") == "EVENT")
            if count != 1:
                matches.append(RuleMatch(path, f"needs exactly one EVENT filter; has {count}"))
        return matches
