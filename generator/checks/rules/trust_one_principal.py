"""E9401 (was P401): a role trusts exactly one service principal."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import as_list, resources


def trusted_services(props: dict) -> tuple[list[str], bool]:
    """(service principals the trust policy names, whether it names anything else)."""
    document = props.get("AssumeRolePolicyDocument")
    statements = as_list(document.get("Statement") or []) if isinstance(document, dict) else []
    services, others = [], False
    for statement in statements:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if not isinstance(principal, dict):
            others = True
            continue
        services += [str(s) for s in as_list(principal.get("Service", []))]
        others = others or bool(set(principal) - {"Service"})
    return services, others


class TrustOnePrincipal(CloudFormationLintRule):
    id = "E9401"
    shortdesc = "Role trusts other than exactly one service principal"
    description = "Every role of this product is assumed by exactly one AWS service."
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html"
    tags = ["resources", "iam"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in resources(cfn.template, "AWS::IAM::Role"):
            services, others = trusted_services(props)
            if len(services) != 1 or others:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "AssumeRolePolicyDocument"],
                        "a trust policy must name exactly one service principal",
                    )
                )
        return matches
