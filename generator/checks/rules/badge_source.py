"""E9201 (was P201): a build badge needs a repository source."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import resources


class BadgeSource(CloudFormationLintRule):
    id = "E9201"
    shortdesc = "Build badge on a project without a repository source"
    description = "CodeBuild refuses BadgeEnabled on CODEPIPELINE, NO_SOURCE and S3 sources."
    source_url = "https://docs.aws.amazon.com/codebuild/latest/userguide/sample-build-badges.html"
    tags = ["resources", "codebuild"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in resources(cfn.template, "AWS::CodeBuild::Project"):
            source = props.get("Source")
            kind = source.get("Type") if isinstance(source, dict) else None
            if props.get("BadgeEnabled") in (True, "true") and kind in (
                "CODEPIPELINE",
                "NO_SOURCE",
                "S3",
            ):
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "BadgeEnabled"],
                        f"BadgeEnabled needs a repository source; Source.Type is {kind}",
                    )
                )
        return matches
