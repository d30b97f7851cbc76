"""E9403 (was P403): no action wildcards in role policies."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import allow_statements, as_list


class ActionWildcard(CloudFormationLintRule):
    id = "E9403"
    shortdesc = "Action wildcard in a role policy"
    description = "Name each action: `s3:GetObject*` grants more than the role needs."
    source_url = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
    )
    tags = ["resources", "iam"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for path, statement in allow_statements(cfn.template):
            for action in as_list(statement.get("Action") or []):
                if "*" in str(action) or "?" in str(action):
                    matches.append(
                        RuleMatch(
                            [*path, "Action"], f"action wildcard {action!r}; name each action"
                        )
                    )
        return matches
