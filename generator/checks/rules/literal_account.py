"""E9503 (was P503): ARNs use ${AWS::AccountId}, not a literal account id.

A multi-account spec names its accounts (delivery.tools_account, environments' account):
the generator records them in the template's Metadata, and ARNs in those accounts are
what crossing accounts means (a deploy role in a target account, the tools account's
pipeline role in a trust policy). Any other literal account id is still an error."""

from __future__ import annotations

import re
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import LITERAL_ACCOUNT, literal_arn_strings

METADATA_KEY = "PipelineGenerator"
ACCOUNT_FIELDS = ("Account", "DeployAccounts", "Accounts", "ToolsAccount")
_ACCOUNT_IN_ARN = re.compile(r":(\d{12}):")


def declared_accounts(template: Any) -> set[str]:
    """The accounts the spec named, as the generator recorded them in Metadata."""
    metadata = (template.get("Metadata") or {}).get(METADATA_KEY) or {}
    found: set[str] = set()
    for field in ACCOUNT_FIELDS:
        value = metadata.get(field) if isinstance(metadata, dict) else None
        for account in value if isinstance(value, list) else [value]:
            if isinstance(account, str):
                found.add(account)
    return found


class LiteralAccount(CloudFormationLintRule):
    id = "E9503"
    shortdesc = "Hard-coded account id in an ARN"
    description = "A literal account id breaks the stack in every other account."
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html"
    tags = ["resources", "arn"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        return [
            RuleMatch(path, "hard-coded account id; use ${AWS::AccountId}")
            for path, text in literal_arn_strings(cfn.template)
            if LITERAL_ACCOUNT.search(text)
            and not set(_ACCOUNT_IN_ARN.findall(text)) <= declared_accounts(cfn.template)
        ]
