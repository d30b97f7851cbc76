"""E9104 (was P104): BASE_REF only in groups of pull-request events."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import event_names, filter_groups


class WebhookBaseRefPush(CloudFormationLintRule):
    id = "E9104"
    shortdesc = "BASE_REF filter beside a PUSH event"
    description = "BASE_REF works only with pull-request events; CodeBuild refuses it with PUSH."
    source_url = "https://docs.aws.amazon.com/codebuild/latest/userguide/bitbucket-webhook.html"
    tags = ["resources", "codebuild", "webhook"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for _, path, filters in filter_groups(cfn.template):
            if "PUSH" in event_names(filters) and any(f.get("Type") == "BASE_REF" for f in filters):
                matches.append(
                    RuleMatch(
                        path,
                        "BASE_REF works only with pull-request events; CodeBuild refuses it "
                        "beside PUSH",
                    )
                )
        return matches
