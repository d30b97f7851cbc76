"""E9307: a pipeline with actions in other regions has one artifact store per region.

CloudFormation reference, AWS::CodePipeline::Pipeline ArtifactStores / ArtifactStoreMap
(aws-properties-codepipeline-pipeline-artifactstoremap): "You must include either
artifactStore or artifactStores in your pipeline, but you cannot use both. If you create a
cross-region action in your pipeline, you must use artifactStores"; each region with an
action, and the pipeline's own region, needs its store.
"""

from __future__ import annotations

from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._accounts import PIPELINE_REGION, region_name
from generator.checks.rules._helpers import Path, as_list, pipeline_actions, resources


def store_regions(props: dict[str, Any], template: Any) -> set[str | None]:
    return {
        region_name(entry.get("Region"), template)
        for entry in as_list(props.get("ArtifactStores") or [])
        if isinstance(entry, dict)
    }


def action_regions(props: dict[str, Any], template: Any) -> list[tuple[Path, str]]:
    """(path below Properties, region) of every action that names a region."""
    return [
        (path, region)
        for path, action in pipeline_actions(props)
        if "Region" in action and (region := region_name(action["Region"], template))
    ]


class ArtifactStoreRegions(CloudFormationLintRule):
    id = "E9307"
    shortdesc = "Action region without an artifact store"
    description = (
        "Actions in another region need ArtifactStores (not ArtifactStore) with a store for "
        "every action region and for the pipeline's own region."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-codepipeline-pipeline-artifactstoremap.html"
    tags = ["resources", "codepipeline", "cross-region"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            where = ["Resources", name, "Properties"]
            regions = action_regions(props, cfn.template)
            if "ArtifactStores" not in props:
                matches.extend(
                    RuleMatch(
                        [*where, *path, "Region"],
                        f"the action runs in {region} but the pipeline has one ArtifactStore; "
                        "use ArtifactStores with a bucket (and key) per region",
                    )
                    for path, region in regions
                    if region != PIPELINE_REGION and region not in cfn.regions
                )
                continue
            stored = store_regions(props, cfn.template)
            if None in stored:
                continue  # a region the template cannot see (a parameter)
            own = PIPELINE_REGION in stored or set(cfn.regions) <= stored
            if not own:
                matches.append(
                    RuleMatch(
                        [*where, "ArtifactStores"],
                        "no artifact store for the pipeline's own region; add one with "
                        "Region: !Ref AWS::Region",
                    )
                )
            for path, region in regions:
                if region == PIPELINE_REGION or region in stored:
                    continue
                if not (region in cfn.regions and own):
                    matches.append(
                        RuleMatch(
                            [*where, *path, "Region"],
                            f"no artifact store for {region}; add an ArtifactStores entry "
                            f"with Region {region} (a bucket in that region)",
                        )
                    )
        return matches
