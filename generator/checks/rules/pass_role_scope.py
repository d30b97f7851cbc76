"""E9405 (was P405): iam:PassRole names its roles and the service they go to."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import allow_statements, as_list


class PassRoleScope(CloudFormationLintRule):
    id = "E9405"
    shortdesc = "iam:PassRole without role ARNs and an iam:PassedToService condition"
    description = "A role that may pass any role to any service can escalate its privileges."
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
    tags = ["resources", "iam"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for path, statement in allow_statements(cfn.template):
            if "iam:PassRole" not in as_list(statement.get("Action") or []):
                continue
            condition = statement.get("Condition") or {}
            keys = {k for block in condition.values() if isinstance(block, dict) for k in block}
            if "*" in as_list(statement.get("Resource") or []) or "iam:PassedToService" not in keys:
                matches.append(
                    RuleMatch(
                        path,
                        "iam:PassRole needs named role ARNs and an iam:PassedToService condition",
                    )
                )
        return matches
