"""E9301 (was P301): an S3 source action names its bucket and object key."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import pipeline_actions, resources


class S3SourceAction(CloudFormationLintRule):
    id = "E9301"
    shortdesc = "S3 source action without S3Bucket or S3ObjectKey"
    description = "cfn-lint does not read CodePipeline action configurations."
    source_url = (
        "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-S3.html"
    )
    tags = ["resources", "codepipeline"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            for path, action in pipeline_actions(props):
                type_id = action.get("ActionTypeId") or {}
                if type_id.get("Category") != "Source" or type_id.get("Provider") != "S3":
                    continue
                config = action.get("Configuration") or {}
                for key in ("S3Bucket", "S3ObjectKey"):
                    if not config.get(key):
                        where = ["Resources", name, "Properties", *path]
                        matches.append(RuleMatch(where, f"S3 source action needs {key}"))
        return matches
