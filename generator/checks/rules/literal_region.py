"""E9502 (was P502): ARNs use ${AWS::Region}, not a literal region."""

from __future__ import annotations

from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import LITERAL_REGION, literal_arn_strings


def declared_regions(template: Any) -> set[str]:
    """The Regions a spec's `regions` name, as the generator records them in Metadata: a
    deploy role or pipeline acting in those Regions names them (its ARNs in each)."""
    metadata = (template.get("Metadata") or {}).get("PipelineGenerator") or {}
    regions = metadata.get("Regions") if isinstance(metadata, dict) else None
    return {r for r in regions if isinstance(r, str)} if isinstance(regions, list) else set()


class LiteralRegion(CloudFormationLintRule):
    id = "E9502"
    shortdesc = "Hard-coded region in an ARN"
    description = "A literal region breaks the stack in every other region."
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html"
    tags = ["resources", "arn"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        declared = declared_regions(cfn.template)
        for path, text in literal_arn_strings(cfn.template):
            found = LITERAL_REGION.search(text)
            if found and found.group(1) not in declared:
                message = f"hard-coded region {found.group(1)!r} in an ARN; use ${{AWS::Region}}"
                matches.append(RuleMatch(path, message))
        return matches
