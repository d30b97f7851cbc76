"""E9302 (was P302): no polling when an event rule starts the pipeline."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import pipeline_actions, refers_to, resources


class S3SourcePolling(CloudFormationLintRule):
    id = "E9302"
    shortdesc = "S3 source polls although an event rule starts the pipeline"
    description = (
        "PollForSourceChanges defaults to true in CloudFormation: with an event rule as well, "
        "every change runs the pipeline twice."
    )
    source_url = (
        "https://docs.aws.amazon.com/codepipeline/latest/userguide/update-change-detection.html"
    )
    tags = ["resources", "codepipeline"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        rules = list(resources(cfn.template, "AWS::Events::Rule"))
        matches = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            started = any(
                refers_to(t.get("Arn"), name)
                for _, rule in rules
                for t in (rule.get("Targets") or [])
                if isinstance(t, dict)
            )
            for path, action in pipeline_actions(props):
                type_id = action.get("ActionTypeId") or {}
                if type_id.get("Category") != "Source" or type_id.get("Provider") != "S3":
                    continue
                poll = str((action.get("Configuration") or {}).get("PollForSourceChanges", "true"))
                if started and poll.lower() != "false":
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", *path],
                            "PollForSourceChanges must be false when an event rule starts the "
                            "pipeline (it defaults to true: every change would run twice)",
                        )
                    )
        return matches
