"""E9303 (was P303): every input artifact is produced by an earlier action."""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import pipeline_actions, resources


class PipelineArtifacts(CloudFormationLintRule):
    id = "E9303"
    shortdesc = "Input artifact that no earlier action produces"
    description = "An action's input must be an earlier action's output."
    source_url = "https://docs.aws.amazon.com/codepipeline/latest/userguide/welcome-introducing-artifacts.html"
    tags = ["resources", "codepipeline"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            produced: set[str] = set()
            for path, action in pipeline_actions(props):
                for i, artifact in enumerate(action.get("InputArtifacts") or []):
                    if isinstance(artifact, dict) and artifact.get("Name") not in produced:
                        matches.append(
                            RuleMatch(
                                ["Resources", name, "Properties", *path, "InputArtifacts", i],
                                f"input artifact {artifact.get('Name')!r} is not produced by an "
                                "earlier action",
                            )
                        )
                for artifact in action.get("OutputArtifacts") or []:
                    if isinstance(artifact, dict):
                        produced.add(str(artifact.get("Name")))
        return matches
