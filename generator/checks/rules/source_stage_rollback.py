"""E9309: the source stage does not roll back.

CodePipeline user guide, "Configuring stage rollback" (stage-rollback), Considerations
for rollbacks: "You cannot roll back a source stage." A stage rolls back through
OnFailure Result ROLLBACK (stage-rollback-auto) or a condition with Result ROLLBACK
(stage-conditions).
"""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import resources
from generator.checks.rules._stages import is_source_stage, rollbacks, stages


class SourceStageRollback(CloudFormationLintRule):
    id = "E9309"
    shortdesc = "Rollback on the source stage"
    description = (
        "The first stage, or a stage of only Source actions, cannot roll back: no OnFailure "
        "Result ROLLBACK and no condition with Result ROLLBACK."
    )
    source_url = "https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-rollback.html"
    tags = ["resources", "codepipeline"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            for stage_path, stage in stages(props):
                if not is_source_stage(int(stage_path[1]), stage):
                    continue
                matches.extend(
                    RuleMatch(
                        ["Resources", name, "Properties", *path],
                        f"stage {stage.get('Name')!r} is a source stage (the first, or only "
                        "Source actions), which cannot roll "
                        'back (stage-rollback: "You cannot roll back a source stage"); '
                        "remove the ROLLBACK result",
                    )
                    for path in rollbacks(stage_path, stage)
                )
        return matches
