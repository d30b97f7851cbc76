"""E9401 (was P401): a role trusts exactly one service principal, or, in a template
whose Metadata declares the accounts of a multi-account spec, exactly one role of a
declared account: that account's principal narrowed by an aws:PrincipalArn condition to
one role ARN of it (the deploy roles of target accounts, trusted by the tools account's
pipeline role; IAM user guide, "IAM JSON policy elements: Principal", AWS account
principals, and "AWS global condition context keys", aws:PrincipalArn)."""

from __future__ import annotations

import re
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import as_list, resources
from generator.checks.rules.literal_account import declared_accounts

_ACCOUNT_ROOT = re.compile(r"arn:(?:aws|\$\{AWS::Partition\}):iam::(\d{12}):root")


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


def _text(value: Any) -> str:
    """A string, or the text of a Fn::Sub of one string; else ""."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        value = value["Fn::Sub"]
    return value if isinstance(value, str) else ""


def trusts_one_role_of(props: dict, declared: set[str]) -> bool:
    """One statement: sts:AssumeRole by a declared account's principal, narrowed by
    ArnEquals aws:PrincipalArn to exactly one role of that account."""
    document = props.get("AssumeRolePolicyDocument")
    statements = as_list(document.get("Statement") or []) if isinstance(document, dict) else []
    if len(statements) != 1 or not isinstance(statements[0], dict):
        return False
    statement = statements[0]
    principal = statement.get("Principal")
    if not isinstance(principal, dict) or set(principal) != {"AWS"}:
        return False
    root = _ACCOUNT_ROOT.fullmatch(_text(principal["AWS"]))
    condition = statement.get("Condition")
    if (
        root is None
        or root.group(1) not in declared
        or statement.get("Effect") != "Allow"
        or as_list(statement.get("Action")) != ["sts:AssumeRole"]
        or not isinstance(condition, dict)
        or list(condition) != ["ArnEquals"]
        or not isinstance(condition["ArnEquals"], dict)
        or list(condition["ArnEquals"]) != ["aws:PrincipalArn"]
    ):
        return False
    roles = as_list(condition["ArnEquals"]["aws:PrincipalArn"])
    prefix = re.compile(rf"arn:(?:aws|\$\{{AWS::Partition\}}):iam::{root.group(1)}:role/[^*?]+")
    return len(roles) == 1 and bool(prefix.fullmatch(_text(roles[0])))


class TrustOnePrincipal(CloudFormationLintRule):
    id = "E9401"
    shortdesc = "Role trusts other than exactly one service principal or one declared role"
    description = (
        "Every role of this product is assumed by exactly one AWS service, or by exactly "
        "one role of an account the template's Metadata declares."
    )
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html"
    tags = ["resources", "iam"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        declared = declared_accounts(cfn.template)
        for name, props in resources(cfn.template, "AWS::IAM::Role"):
            services, others = trusted_services(props)
            if (len(services) != 1 or others) and not trusts_one_role_of(props, declared):
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "AssumeRolePolicyDocument"],
                        "a trust policy must name exactly one service principal, or one role "
                        "of an account the template declares",
                    )
                )
        return matches
