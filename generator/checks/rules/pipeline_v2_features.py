"""E9308: features that only a V2 pipeline has come with PipelineType: V2.

CodePipeline user guide, "What type of pipeline is right for me?"
(pipeline-types-planning), table "V1 type | V2 type": "PARALLEL execution mode | Not
supported | Supported", "Pipeline-level variables | Not supported", "QUEUED execution mode
| Not supported", "Rollback for pipeline stages | Not supported", "Stage conditions | Not
supported", "Triggers and filtering Git tags, pull requests, branches, or file paths | Not
supported", "The Commands action | Not supported", "Configure a stage for automatic retry
on failure | Not supported". Pricing: "Pipelines are automatically designated as V1
pipelines, even if the pipeline type is not specified."
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._helpers import Path, pipeline_actions, resources
from generator.checks.rules._stages import CONDITION_KINDS, branches, provider, stages


def v2_features(props: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """(path below Properties, what it is) of every V2-only setting of a pipeline."""
    for mode in ("QUEUED", "PARALLEL"):
        if mode in branches(props.get("ExecutionMode")):
            yield ["ExecutionMode"], f"ExecutionMode {mode}"
    if "Variables" in props:
        yield ["Variables"], "pipeline-level Variables"
    if "Triggers" in props:
        yield ["Triggers"], "Triggers"
    for stage_path, stage in stages(props):
        for kind in CONDITION_KINDS:
            if kind in stage:
                yield [*stage_path, kind], f"stage {kind} (conditions, rollback, retry)"
    for path, action in pipeline_actions(props):
        if provider(action) == "Commands":
            yield [*path, "ActionTypeId", "Provider"], "the Commands action"


class PipelineV2Features(CloudFormationLintRule):
    id = "E9308"
    shortdesc = "V2-only pipeline feature without PipelineType: V2"
    description = (
        "Stage conditions, rollback and retry, QUEUED or PARALLEL execution, pipeline "
        "Variables, Triggers and the Commands action need PipelineType: V2 (a pipeline "
        "without PipelineType is V1)."
    )
    source_url = (
        "https://docs.aws.amazon.com/codepipeline/latest/userguide/pipeline-types-planning.html"
    )
    tags = ["resources", "codepipeline"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            kind = props.get("PipelineType", "V1")
            if kind != "V1":
                continue  # V2, or a value the template cannot see (a parameter)
            given = "PipelineType: V1" if "PipelineType" in props else "no PipelineType (V1)"
            matches.extend(
                RuleMatch(
                    ["Resources", name, "Properties", *path],
                    f"{feature} needs PipelineType: V2 but the pipeline has {given} "
                    "(pipeline-types-planning)",
                )
                for path, feature in v2_features(props)
            )
        return matches
