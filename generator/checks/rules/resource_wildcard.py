"""E9404 (was P404): Resource "*" only for actions AWS gives no resource type."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.aws.iam import RESOURCE_WILDCARD_ALLOWLIST
from generator.checks.rules._helpers import allow_statements, as_list


class ResourceWildcard(CloudFormationLintRule):
    id = "E9404"
    shortdesc = 'Resource "*" on an action that supports resource-level permissions'
    description = 'Resource "*" is allowed only for the actions in the product\'s allowlist.'
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
    tags = ["resources", "iam"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for path, statement in allow_statements(cfn.template):
            if "*" not in as_list(statement.get("Resource") or []):
                continue
            for action in as_list(statement.get("Action") or []):
                if action not in RESOURCE_WILDCARD_ALLOWLIST:
                    matches.append(
                        RuleMatch(
                            [*path, "Resource"],
                            f'{action} supports resource-level permissions; Resource "*" is '
                            "allowed only for " + ", ".join(RESOURCE_WILDCARD_ALLOWLIST),
                        )
                    )
        return matches
