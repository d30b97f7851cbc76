"""Build once, promote (specs/checkout-api.yaml): one pipeline per chain, built once, its
environments deployed in order from the same build output, gates and windows as V2 stage
conditions, Regions in order with an artifact store each."""

from __future__ import annotations

import json
from typing import Any

from generator.ops.generate import compose_stacks, load_specs, regional_stacks
from generator.spec.sources import spec_names

from .conftest import SPECS

TOOLS, PROD = "111111111111", "444444444444"


def _stacks() -> dict[str, dict[str, Any]]:
    names = spec_names([SPECS / "checkout-api.yaml"])
    specs = load_specs(names)
    stacks = compose_stacks(specs, names) + regional_stacks([spec for _, spec in specs])
    return {stack.name: stack.data for stack in stacks}


STACKS = _stacks()
PIPELINE = STACKS["checkout-api-dev"]["Resources"]["Pipeline"]["Properties"]


def _actions(category: str) -> list[dict[str, Any]]:
    return [
        action
        for stage in PIPELINE["Stages"]
        for action in stage["Actions"]
        if action["ActionTypeId"]["Category"] == category
    ]


def test_a_chain_is_one_pipeline_and_no_stack_per_later_environment() -> None:
    assert sorted(STACKS) == [
        "checkout-api-dev",
        "checkout-api-targets",
        "regional-111111111111-eu-west-1",
        "regional-111111111111-us-east-1",
    ]


def test_it_builds_once_and_deploys_the_build_in_chain_order() -> None:
    assert [s["Name"] for s in PIPELINE["Stages"]] == [
        "Source",
        "Build",
        "Deploy-dev",
        "Deploy-staging",
        "Approval-prod",
        "Deploy-prod",
    ]
    (build,) = _actions("Build")
    assert build["OutputArtifacts"] == [{"Name": "BuildOutput"}]
    deploys = _actions("Deploy")
    assert [d["Configuration"]["ClusterName"] for d in deploys] == [
        "dev",
        "staging",
        "prod",
        "prod",
    ]
    assert all(d["InputArtifacts"] == [{"Name": "BuildOutput"}] for d in deploys)


def test_gates_roll_the_stage_back_and_the_window_guards_its_entry() -> None:
    stages = {s["Name"]: s for s in PIPELINE["Stages"]}
    (staging,) = stages["Deploy-staging"]["OnSuccess"]["Conditions"]
    assert staging["Result"] == "ROLLBACK"
    assert [r["Configuration"] for r in staging["Rules"]] == [
        {"AlarmName": "checkout-api-staging-5xx", "WaitTime": "30"},
        {"AlarmName": "checkout-api-staging-latency", "WaitTime": "30"},
    ]
    assert {r["RuleTypeId"]["Provider"] for r in staging["Rules"]} == {"CloudWatchAlarm"}
    (window,) = stages["Deploy-prod"]["BeforeEntry"]["Conditions"]
    assert window["Result"] == "FAIL"
    (rule,) = window["Rules"]
    assert rule["RuleTypeId"]["Provider"] == "DeploymentWindow"
    assert rule["Configuration"] == {"Cron": "* * 8-16 ? * MON-THU", "TimeZone": "Europe/Berlin"}
    # prod's alarm is watched in both Regions, by the prod deploy role in its account
    (prod,) = stages["Deploy-prod"]["OnSuccess"]["Conditions"]
    assert [r.get("Region") for r in prod["Rules"]] == ["eu-west-1", "us-east-1"]
    assert all(f":iam::{PROD}:role/" in json.dumps(r["RoleArn"]) for r in prod["Rules"])
    assert PIPELINE["PipelineType"] == "V2"
    assert not {k for k in stages["Source"] if k.startswith("On")}  # no rollback at the source


def test_regions_deploy_in_order_each_with_an_artifact_store() -> None:
    (prod,) = [s for s in PIPELINE["Stages"] if s["Name"] == "Deploy-prod"]
    assert [(a["Region"], a["RunOrder"]) for a in prod["Actions"]] == [
        ("eu-west-1", 1),
        ("us-east-1", 2),
    ]
    assert "ArtifactStore" not in PIPELINE
    own, *regional = PIPELINE["ArtifactStores"]
    assert own["Region"] == {"Ref": "AWS::Region"}
    stores = [item["Fn::If"][2] for item in regional]
    assert [s["Region"] for s in stores] == ["eu-west-1", "us-east-1"]
    assert [s["ArtifactStore"]["Location"] for s in stores] == [
        f"pipeline-artifacts-{TOOLS}-eu-west-1",
        f"pipeline-artifacts-{TOOLS}-us-east-1",
    ]
    # across accounts each store is encrypted with the multi-Region key's replica there
    assert [json.dumps(s["ArtifactStore"]["EncryptionKey"]["Id"]) for s in stores] == [
        '{"Fn::Sub": "arn:${AWS::Partition}:kms:eu-west-1:111111111111:key/mrk-'
        '5f0c2b7e9a8d4c3b2a1f0e9d8c7b6a59"}',
        '{"Fn::Sub": "arn:${AWS::Partition}:kms:us-east-1:111111111111:key/mrk-'
        '5f0c2b7e9a8d4c3b2a1f0e9d8c7b6a59"}',
    ]


def test_the_regional_store_lets_only_the_pipeline_write_and_the_prod_role_read() -> None:
    template = STACKS["regional-111111111111-us-east-1"]
    statements = template["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    deny = statements[1]["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert json.dumps(deny).count("role/pipeline-generator/checkout-api-dev-pipeline") == 1
    (reader,) = statements[2:]
    assert reader["Principal"] == {"AWS": {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::{PROD}:root"}}
    assert "checkout-api-prod-deploy" in json.dumps(reader["Condition"])
    assert template["Metadata"]["PipelineGenerator"]["Region"] == "us-east-1"


def test_the_build_learns_its_release_and_approvals_show_it() -> None:
    (build,) = _actions("Build")
    variables = json.loads(build["Configuration"]["EnvironmentVariables"])
    assert {v["name"]: v["value"] for v in variables} == {
        "RELEASE_PIPELINE_EXECUTION": "#{codepipeline.PipelineExecutionId}",
        "RELEASE_SOURCE_VERSION": "#{SourceVariables.VersionId}",
    }
    (source,) = _actions("Source")
    assert source["Namespace"] == "SourceVariables"
    (approval,) = _actions("Approval")
    assert "#{codepipeline.PipelineExecutionId}" in approval["Configuration"]["CustomData"]
