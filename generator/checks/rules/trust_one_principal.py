"""E9401 (was P401): a role trusts exactly one service principal, or (a target account's
deploy role) exactly one role of the tools account the template declares: the account as
principal with an aws:PrincipalArn condition naming that one role (IAM user guide, "IAM
JSON policy elements: Principal": a role ARN that does not exist yet is refused, the
account principal with the condition admits only the role)."""

from __future__ import annotations

import re
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import as_list, resources
from generator.stack.naming import METADATA_KEY


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


_ROOT = re.compile(r"^arn:\$\{AWS::Partition\}:iam::(\d{12}):root$")
_ROLE = re.compile(r"^arn:\$\{AWS::Partition\}:iam::(\d{12}):role/[A-Za-z0-9_+=,.@/-]+$")


def _sub_text(value: Any) -> str | None:
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return str(value["Fn::Sub"])
    return value if isinstance(value, str) else None


def trusts_one_tools_role(props: dict[str, Any], tools_account: str | None) -> bool:
    """One statement: the tools account as principal, narrowed to one of its roles."""
    document = props.get("AssumeRolePolicyDocument")
    statements = as_list(document.get("Statement") or []) if isinstance(document, dict) else []
    if tools_account is None or len(statements) != 1 or not isinstance(statements[0], dict):
        return False
    statement = statements[0]
    principal = statement.get("Principal")
    if not isinstance(principal, dict) or set(principal) != {"AWS"}:
        return False
    root = _ROOT.match(_sub_text(principal["AWS"]) or "")
    condition = statement.get("Condition")
    if root is None or root[1] != tools_account or not isinstance(condition, dict):
        return False
    if len(condition) != 1:
        return False
    ((operator, keys),) = condition.items()
    if operator not in ("ArnEquals", "StringEquals") or not isinstance(keys, dict):
        return False
    if set(keys) != {"aws:PrincipalArn"}:
        return False
    role = _ROLE.match(_sub_text(keys["aws:PrincipalArn"]) or "")
    return role is not None and role[1] == tools_account


def _tools_account(template: dict[str, Any]) -> str | None:
    metadata = template.get("Metadata")
    record = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    account = record.get("ToolsAccount") if isinstance(record, dict) else None
    return account if isinstance(account, str) else None


class TrustOnePrincipal(CloudFormationLintRule):
    id = "E9401"
    shortdesc = "Role trusts other than exactly one service principal"
    description = "Every role of this product is assumed by exactly one AWS service."
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html"
    tags = ["resources", "iam"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        tools_account = _tools_account(cfn.template)
        for name, props in resources(cfn.template, "AWS::IAM::Role"):
            if trusts_one_tools_role(props, tools_account):
                continue
            services, others = trusted_services(props)
            if len(services) != 1 or others:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "AssumeRolePolicyDocument"],
                        "a trust policy must name exactly one service principal",
                    )
                )
        return matches
