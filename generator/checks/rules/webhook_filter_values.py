"""E9102 (was P102): webhook filter types and EVENT names are ones CodeBuild knows."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.aws.enums import ALL_WEBHOOK_EVENTS, WEBHOOK_FILTER_TYPES
from generator.checks.rules._helpers import event_names, filter_groups


class WebhookFilterValues(CloudFormationLintRule):
    id = "E9102"
    shortdesc = "Unknown webhook filter type or event"
    description = (
        "CodeBuild knows 11 webhook filter types and a fixed set of EVENT names; cfn-lint "
        "does not look inside filter groups."
    )
    source_url = "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_WebhookFilter.html"
    tags = ["resources", "codebuild", "webhook"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for _, path, filters in filter_groups(cfn.template):
            for i, f in enumerate(filters):
                if f.get("Type") not in WEBHOOK_FILTER_TYPES:
                    allowed = ", ".join(WEBHOOK_FILTER_TYPES)
                    message = f"unknown filter type {f.get('Type')!r}; allowed: {allowed}"
                    matches.append(RuleMatch([*path, i, "Type"], message))
            for event in event_names(filters):
                if event not in ALL_WEBHOOK_EVENTS:
                    matches.append(RuleMatch(path, f"unknown webhook event {event!r}"))
        return matches
