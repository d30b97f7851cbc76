"""E9312: a PARALLEL pipeline does not roll back stages.

CodePipeline user guide, "Set or change the pipeline execution mode" (execution-modes):
"For pipelines in PARALLEL mode, stage rollback is not available. Similarly, failure
conditions with a rollback result type cannot be added to a PARALLEL mode pipeline."
"""

from __future__ import annotations

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import resources
from generator.checks.rules._stages import branches, rollbacks, stages


class ParallelRollback(CloudFormationLintRule):
    id = "E9312"
    shortdesc = "Stage rollback in a PARALLEL pipeline"
    description = (
        "With ExecutionMode PARALLEL a stage cannot roll back: no OnFailure Result ROLLBACK "
        "and no condition with Result ROLLBACK."
    )
    source_url = "https://docs.aws.amazon.com/codepipeline/latest/userguide/execution-modes.html"
    tags = ["resources", "codepipeline"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            if "PARALLEL" not in branches(props.get("ExecutionMode")):
                continue
            matches.extend(
                RuleMatch(
                    ["Resources", name, "Properties", *path],
                    f"stage {stage.get('Name')!r} rolls back but the pipeline's ExecutionMode "
                    "is PARALLEL, where stage rollback is not available (execution-modes); "
                    "use QUEUED or SUPERSEDED, or another result",
                )
                for stage_path, stage in stages(props)
                for path in rollbacks(stage_path, stage)
            )
        return matches
