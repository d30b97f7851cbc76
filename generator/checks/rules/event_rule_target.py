"""E9304 (was P304): an event rule targets this stack's own pipeline."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import refers_to, resources


class EventRuleTarget(CloudFormationLintRule):
    id = "E9304"
    shortdesc = "Event rule target that is not this stack's pipeline"
    description = "The source rule must start this stack's pipeline, named through ${Pipeline}."
    source_url = "https://docs.aws.amazon.com/codepipeline/latest/userguide/create-cloudtrail-S3-source-cfn.html"
    tags = ["resources", "events"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        pipelines = [name for name, _ in resources(cfn.template, "AWS::CodePipeline::Pipeline")]
        matches = []
        for name, props in resources(cfn.template, "AWS::Events::Rule"):
            for t, target in enumerate(props.get("Targets") or []):
                if not isinstance(target, dict):
                    continue
                if not any(refers_to(target.get("Arn"), p) for p in pipelines):
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", "Targets", t, "Arn"],
                            "target is not this stack's pipeline (expected a Sub naming "
                            "${Pipeline})",
                        )
                    )
        return matches
