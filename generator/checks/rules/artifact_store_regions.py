"""E9307: a pipeline with actions (or stage condition rules) in other regions has one
artifact store per region.

CloudFormation reference, AWS::CodePipeline::Pipeline ArtifactStores / ArtifactStoreMap
(aws-properties-codepipeline-pipeline-artifactstoremap): "You must include either
artifactStore or artifactStores in your pipeline, but you cannot use both. If you create a
cross-region action in your pipeline, you must use artifactStores"; each region with an
action, and the pipeline's own region, needs its store. A condition's rule has a Region
too (API_RuleDeclaration: "The Region for the condition associated with the rule") and
reads input artifacts like an action, so its region is held to the same store. A Region
or a store given through Fn::If counts for each branch.
"""

from __future__ import annotations

from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._accounts import PIPELINE_REGION, region_name
from generator.checks.rules._helpers import Path, as_list, pipeline_actions, resources
from generator.checks.rules._stages import branches, pipeline_rules


def store_regions(props: dict[str, Any], template: Any) -> set[str | None]:
    """The region of every ArtifactStores entry (None for one the template cannot see)."""
    return {
        region_name(region, template)
        for stores in branches(props.get("ArtifactStores"))
        for entry in as_list(stores or [])
        for item in branches(entry)
        if isinstance(item, dict)
        for region in branches(item.get("Region"))
    }


def named_regions(props: dict[str, Any], template: Any) -> list[tuple[Path, str, str]]:
    """(path below Properties to the Region, "action" or "rule", region) of every action
    and stage condition rule that names a region."""
    runners = [
        *((path, "action", action) for path, action in pipeline_actions(props)),
        *((path, "rule", rule) for path, rule in pipeline_rules(props)),
    ]
    return [
        ([*path, "Region"], runner, region)
        for path, runner, declaration in runners
        if "Region" in declaration
        for value in branches(declaration["Region"])
        if (region := region_name(value, template))
    ]


class ArtifactStoreRegions(CloudFormationLintRule):
    id = "E9307"
    shortdesc = "Action or rule region without an artifact store"
    description = (
        "Actions or condition rules in another region need ArtifactStores (not "
        "ArtifactStore) with a store for every such region and for the pipeline's own region."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-codepipeline-pipeline-artifactstoremap.html"
    tags = ["resources", "codepipeline", "cross-region"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, props in resources(cfn.template, "AWS::CodePipeline::Pipeline"):
            where = ["Resources", name, "Properties"]
            regions = named_regions(props, cfn.template)
            if "ArtifactStores" not in props:
                matches.extend(
                    RuleMatch(
                        [*where, *path],
                        f"the {runner} runs in {region} but the pipeline has one "
                        "ArtifactStore; use ArtifactStores with a bucket (and key) per region",
                    )
                    for path, runner, region in regions
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
            for path, runner, region in regions:
                if region == PIPELINE_REGION or region in stored:
                    continue
                if not (region in cfn.regions and own):
                    matches.append(
                        RuleMatch(
                            [*where, *path],
                            f"the {runner} runs in {region} but no artifact store is there; "
                            f"add an ArtifactStores entry "
                            f"with Region {region} (a bucket in that region)",
                        )
                    )
        return matches
