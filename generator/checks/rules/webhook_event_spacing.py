"""E9103 (was P103): EVENT patterns join events with "," and no white space."""

from __future__ import annotations

import re

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import filter_groups


class WebhookEventSpacing(CloudFormationLintRule):
    id = "E9103"
    shortdesc = "White space in a webhook EVENT pattern"
    description = (
        "With a space after the comma CodeBuild was reported to honour only the first event."
    )
    source_url = "https://github.com/aws/aws-cdk/issues/33197"
    tags = ["resources", "codebuild", "webhook"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for _, path, filters in filter_groups(cfn.template):
            for i, f in enumerate(filters):
                pattern = str(f.get("Pattern", ""))
                if f.get("Type") == "EVENT" and re.search(r"\s", pattern):
                    matches.append(
                        RuleMatch(
                            [*path, i, "Pattern"],
                            f"EVENT pattern {pattern!r} has white space; join events with ',' "
                            "only (with a space CodeBuild honours only the first event, "
                            "aws/aws-cdk#33197)",
                        )
                    )
        return matches
