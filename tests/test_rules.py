"""This product's cfn-lint rules, one good and one bad snippet each; suppression per
resource the way cfn-lint users know; and the rules from plain `cfn-lint`."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from generator.checks.rules import RULES, RULES_DIR

SUB = "Fn::Sub"
PIPELINE_ARN = {
    SUB: "arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:${Pipeline}"
}


def project(groups: Any = None, **props: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Source": {"Type": "BITBUCKET", "Location": "https://bitbucket.org/a/b.git"},
        "Artifacts": {"Type": "NO_ARTIFACTS"},
        "Environment": {
            "Type": "LINUX_CONTAINER",
            "ComputeType": "BUILD_GENERAL1_SMALL",
            "Image": "aws/codebuild/standard:7.0",
        },
        "ServiceRole": "arn",
    }
    if groups is not None:
        properties["Triggers"] = {"Webhook": True, "FilterGroups": groups}
    properties.update(props)
    return {"Type": "AWS::CodeBuild::Project", "Properties": properties}


def push_group(events: str = "PUSH", ref: str = "HEAD_REF") -> list[dict[str, str]]:
    return [{"Type": "EVENT", "Pattern": events}, {"Type": ref, "Pattern": "^refs/heads/main$"}]


def role(service: Any = "codebuild.amazonaws.com", *statements: dict[str, Any]) -> dict:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": service},
                        "Action": "sts:AssumeRole",
                    }
                ]
            },
            "Policies": [
                {
                    "PolicyName": "p",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
                }
            ],
        },
    }


def allow(actions: list[str], resources: list[Any], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def pipeline(source_config: dict[str, Any], deploy_input: str = "BuildOutput") -> dict:
    def action(name, category, provider, config=None, inputs=(), outputs=()):
        return {
            "Name": name,
            "ActionTypeId": {
                "Category": category,
                "Owner": "AWS",
                "Provider": provider,
                "Version": "1",
            },
            "Configuration": config or {},
            "InputArtifacts": [{"Name": n} for n in inputs],
            "OutputArtifacts": [{"Name": n} for n in outputs],
        }

    return {
        "Type": "AWS::CodePipeline::Pipeline",
        "Properties": {
            "RoleArn": "arn",
            "ArtifactStore": {"Type": "S3", "Location": "bucket"},
            "Stages": [
                {
                    "Name": "Source",
                    "Actions": [
                        action("Source", "Source", "S3", source_config, outputs=["SourceOutput"])
                    ],
                },
                {
                    "Name": "Build",
                    "Actions": [
                        action(
                            "Build",
                            "Build",
                            "CodeBuild",
                            {"ProjectName": "p"},
                            ["SourceOutput"],
                            ["BuildOutput"],
                        )
                    ],
                },
                {
                    "Name": "Deploy",
                    "Actions": [
                        action(
                            "Deploy",
                            "Deploy",
                            "S3",
                            {"BucketName": "b", "Extract": "true"},
                            [deploy_input],
                        )
                    ],
                },
            ],
        },
    }


def rule(target: Any = PIPELINE_ARN) -> dict[str, Any]:
    return {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "EventPattern": {"source": ["aws.s3"]},
            "Targets": [{"Id": "P", "Arn": target}],
        },
    }


GOOD_SOURCE = {"S3Bucket": "b", "S3ObjectKey": "source.zip", "PollForSourceChanges": "false"}
STAR_ECR = allow(["ecr:GetAuthorizationToken"], ["*"])
PASS_ROLE = allow(
    ["iam:PassRole"],
    [{SUB: "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/task"}],
    Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
)
ARN = "arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:x"


def pipeline_starter(arn: str) -> dict[str, Any]:
    """An event role that may start the pipeline with this ARN."""
    statement = allow(["codepipeline:StartPipelineExecution"], [{SUB: arn}])
    return {"R": role("events.amazonaws.com", statement)}


TARGET_ROLE = {SUB: "arn:${AWS::Partition}:iam::111122223333:role/deploy-action"}
TARGET_STACK_ROLE = {SUB: "arn:${AWS::Partition}:iam::111122223333:role/deploy-stack"}
OWN_ROLE = {SUB: "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/deploy-stack"}
KEY_ARN = {"Fn::GetAtt": ["Key", "Arn"]}
KEY = {
    "Type": "AWS::KMS::Key",
    "Properties": {
        "KeyPolicy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": {SUB: "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
                    },
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    },
}
UNSET = object()


def store(key: Any = KEY_ARN) -> dict[str, Any]:
    artifact_store: dict[str, Any] = {"Type": "S3", "Location": "bucket"}
    if key is not UNSET:
        artifact_store["EncryptionKey"] = {"Id": key, "Type": "KMS"}
    return artifact_store


def cross_account(
    key: Any = KEY_ARN,
    action_role: Any = TARGET_ROLE,
    stack_role: Any = TARGET_STACK_ROLE,
    region: Any = UNSET,
    stores: Any = UNSET,
) -> dict[str, Any]:
    """A pipeline (and its key) whose deploy action runs a CloudFormation stack with these
    roles, in this region, with one ArtifactStore or these ArtifactStores."""
    deploy: dict[str, Any] = {
        "Name": "Deploy",
        "ActionTypeId": {
            "Category": "Deploy",
            "Owner": "AWS",
            "Provider": "CloudFormation",
            "Version": "1",
        },
        "Configuration": {
            "ActionMode": "CREATE_UPDATE",
            "StackName": "app",
            "TemplatePath": "SourceOutput::template.yaml",
            "RoleArn": stack_role,
        },
        "InputArtifacts": [{"Name": "SourceOutput"}],
    }
    if action_role is not UNSET:
        deploy["RoleArn"] = action_role
    if region is not UNSET:
        deploy["Region"] = region
    source = pipeline(GOOD_SOURCE)["Properties"]["Stages"][0]
    props: dict[str, Any] = {
        "RoleArn": {"Fn::GetAtt": ["PipelineRole", "Arn"]},
        "Stages": [source, {"Name": "Deploy", "Actions": [deploy]}],
    }
    if stores is UNSET:
        props["ArtifactStore"] = store(key)
    else:
        props["ArtifactStores"] = [
            {"Region": where, "ArtifactStore": store(key)} for where in stores
        ]
    return {
        "Key": KEY,
        "PipelineRole": role("codepipeline.amazonaws.com", STAR_ECR),
        "Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": props},
    }


OWN_REGION = {"Ref": "AWS::Region"}
NAMED_ROLE_BODY = json.dumps(
    {
        "Resources": {
            "DeployRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "deploy-action",
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
                },
            }
        }
    }
)


def stack_set(model: str = "SERVICE_MANAGED", **changes: Any) -> dict[str, Any]:
    """A StackSet that rolls a named role out (to an OU when SERVICE_MANAGED, to an
    account when SELF_MANAGED); a change of UNSET removes the property."""
    service = model == "SERVICE_MANAGED"
    targets = (
        {"OrganizationalUnitIds": ["ou-ab12-cdef3456"]}
        if service
        else {"Accounts": ["111122223333"]}
    )
    props: dict[str, Any] = {
        "PermissionModel": model,
        "StackSetName": "deploy-roles",
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "TemplateBody": NAMED_ROLE_BODY,
        "StackInstancesGroup": [{"DeploymentTargets": targets, "Regions": ["us-east-1"]}],
    }
    if service:
        props["AutoDeployment"] = {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    props.update(changes)
    return {
        "Roles": {
            "Type": "AWS::CloudFormation::StackSet",
            "Properties": {k: v for k, v in props.items() if v is not UNSET},
        }
    }


def targets(**target: Any) -> list[dict[str, Any]]:
    return [{"DeploymentTargets": target, "Regions": ["us-east-1"]}]


RULE_CONFIGS: dict[str, dict[str, str]] = {
    "CloudWatchAlarm": {"AlarmName": "app-errors", "WaitTime": "60"},
    "DeploymentWindow": {"Cron": "0 0 9-17 ? * MON-FRI *", "TimeZone": "UTC"},
    "LambdaInvoke": {"FunctionName": "check"},
    "VariableCheck": {"Variable": "#{BuildVariables.TESTS}", "Value": "0", "Operator": "EQ"},
}


def stage_rule(provider: str = "CloudWatchAlarm", **changes: Any) -> dict[str, Any]:
    """A condition's rule of this provider; a change of UNSET removes the property."""
    declaration: dict[str, Any] = {
        "Name": f"{provider}Rule",
        "RuleTypeId": {"Category": "Rule", "Owner": "AWS", "Provider": provider, "Version": "1"},
        "Configuration": RULE_CONFIGS.get(provider, {}),
    }
    declaration.update(changes)
    return {k: v for k, v in declaration.items() if v is not UNSET}


def when(result: Any, *rules: dict[str, Any]) -> dict[str, Any]:
    """{Conditions: [one condition]} with this result and these rules (one alarm rule)."""
    return {"Conditions": [{"Result": result, "Rules": list(rules) or [stage_rule()]}]}


def gated(stage: int = 2, kind: Any = "V2", **props: Any) -> dict[str, Any]:
    """The three-stage pipeline of this PipelineType (UNSET: none), with these pipeline
    properties; a property named after a condition kind (BeforeEntry, OnSuccess, OnFailure)
    goes onto the stage of this index instead."""
    resource = pipeline(GOOD_SOURCE)
    properties = resource["Properties"]
    if kind is not UNSET:
        properties["PipelineType"] = kind
    for key, value in props.items():
        if key in ("BeforeEntry", "OnSuccess", "OnFailure"):
            properties["Stages"][stage][key] = value
        else:
            properties[key] = value
    return {"Pipeline": resource}


def with_rule_region(region: Any, stores: Any = UNSET) -> dict[str, Any]:
    """A V2 pipeline whose deploy stage's OnSuccess alarm rule runs in this region."""
    resources = gated(OnSuccess=when("FAIL", stage_rule(Region=region)))
    if stores is not UNSET:
        properties = resources["Pipeline"]["Properties"]
        del properties["ArtifactStore"]
        properties["ArtifactStores"] = [
            {"Region": where, "ArtifactStore": store(UNSET)} for where in stores
        ]
    return resources


# rule id -> (good resources, bad resources)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "E9101": ({"P": project([push_group()])}, {"P": project([push_group()[1:]])}),
    "E9102": (
        {"P": project([push_group()])},
        {
            "P": project(
                [[{"Type": "EVENT", "Pattern": "PUSH"}, {"Type": "BRANCH", "Pattern": "x"}]]
            )
        },
    ),
    "E9103": (
        {"P": project([push_group("PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED", "BASE_REF")])},
        {"P": project([push_group("PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED", "BASE_REF")])},
    ),
    "E9104": ({"P": project([push_group()])}, {"P": project([push_group("PUSH", "BASE_REF")])}),
    "E9105": (
        {
            "P": project(
                [push_group("PULL_REQUEST_REOPENED", "BASE_REF")],
                Source={"Type": "GITHUB", "Location": "https://github.com/a/b.git"},
            )
        },
        {"P": project([push_group("PULL_REQUEST_REOPENED", "BASE_REF")])},
    ),
    "E9201": (
        {"P": project(BadgeEnabled=True)},
        {
            "P": project(
                BadgeEnabled=True,
                Source={"Type": "CODEPIPELINE"},
                Artifacts={"Type": "CODEPIPELINE"},
            )
        },
    ),
    "E9202": (
        {"P": project()},
        {
            "P": project(
                Environment={
                    "Type": "LINUX_CONTAINER",
                    "ComputeType": "BUILD_GENERAL1_HUGE",
                    "Image": "i",
                }
            )
        },
    ),
    "E9301": (
        {"Pipeline": pipeline(GOOD_SOURCE)},
        {"Pipeline": pipeline({"S3Bucket": "b", "PollForSourceChanges": "false"})},
    ),
    "E9302": (
        {"Pipeline": pipeline(GOOD_SOURCE), "Rule": rule()},
        {"Pipeline": pipeline({"S3Bucket": "b", "S3ObjectKey": "k"}), "Rule": rule()},
    ),
    "E9303": (
        {"Pipeline": pipeline(GOOD_SOURCE)},
        {"Pipeline": pipeline(GOOD_SOURCE, "TestOutput")},
    ),
    "E9304": (
        {"Pipeline": pipeline(GOOD_SOURCE), "Rule": rule()},
        {"Pipeline": pipeline(GOOD_SOURCE), "Rule": rule({SUB: ARN})},
    ),
    "E9401": (
        {"R": role("codebuild.amazonaws.com", STAR_ECR)},
        {"R": role(["codebuild.amazonaws.com", "codepipeline.amazonaws.com"], STAR_ECR)},
    ),
    "E9402": (
        {"R": role("events.amazonaws.com", STAR_ECR)},
        {"R": role("events.amazonaws", STAR_ECR)},
    ),
    "E9403": (
        {"R": role("codebuild.amazonaws.com", allow(["s3:GetObject"], [{SUB: "${B.Arn}/*"}]))},
        {"R": role("codebuild.amazonaws.com", allow(["s3:GetObject*"], [{SUB: "${B.Arn}/*"}]))},
    ),
    "E9404": (
        {"R": role("codebuild.amazonaws.com", STAR_ECR)},
        {"R": role("codebuild.amazonaws.com", allow(["s3:PutObject"], ["*"]))},
    ),
    "E9405": (
        {"R": role("codepipeline.amazonaws.com", PASS_ROLE)},
        {"R": role("codepipeline.amazonaws.com", allow(["iam:PassRole"], PASS_ROLE["Resource"]))},
    ),
    "E9501": (pipeline_starter(ARN), pipeline_starter(ARN.replace("${AWS::Partition}", "aws"))),
    "E9502": (
        pipeline_starter(ARN),
        pipeline_starter(ARN.replace("${AWS::Region}", "eu-west-1")),
    ),
    "E9503": (
        pipeline_starter(ARN),
        pipeline_starter(ARN.replace("${AWS::AccountId}", "123456789012")),
    ),
    "E9305": (cross_account(), cross_account(key="alias/pipeline")),
    "E9306": (cross_account(), cross_account(stack_role=OWN_ROLE)),
    "E9307": (
        cross_account(region="eu-west-1", stores=[OWN_REGION, "eu-west-1"]),
        cross_account(region="eu-west-1"),
    ),
    "E9308": (gated(OnSuccess=when("FAIL")), gated(kind=UNSET, OnSuccess=when("FAIL"))),
    "E9309": (
        gated(OnFailure={"Result": "ROLLBACK"}),
        gated(stage=0, OnFailure={"Result": "ROLLBACK"}),
    ),
    "E9310": (
        gated(OnSuccess=when("ROLLBACK")),
        gated(OnSuccess=when("SKIP")),
    ),
    "E9311": (
        gated(BeforeEntry=when("FAIL", stage_rule("DeploymentWindow"))),
        gated(BeforeEntry=when("FAIL", stage_rule("DeploymentWindow", Name="deploy window"))),
    ),
    "E9312": (
        gated(ExecutionMode="QUEUED", OnFailure={"Result": "ROLLBACK"}),
        gated(ExecutionMode="PARALLEL", OnFailure={"Result": "ROLLBACK"}),
    ),
    "E9601": (
        stack_set(OperationPreferences={"FailureToleranceCount": 1, "MaxConcurrentCount": 2}),
        stack_set(
            OperationPreferences={"FailureToleranceCount": 1, "FailureTolerancePercentage": 10}
        ),
    ),
    "E9602": (
        stack_set("SERVICE_MANAGED", CallAs="DELEGATED_ADMIN"),
        stack_set("SELF_MANAGED", CallAs="DELEGATED_ADMIN"),
    ),
    "E9603": (
        stack_set("SERVICE_MANAGED"),
        stack_set("SERVICE_MANAGED", StackInstancesGroup=targets(Accounts=["111122223333"])),
    ),
    "E9604": (stack_set(), stack_set(Capabilities=["CAPABILITY_IAM"])),
}


def template(resources: dict[str, Any]) -> str:
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=1)


@cache
def _our_rules() -> Any:
    from cfnlint.rules import RulesCollection

    rules = RulesCollection()
    rules.create_from_module("generator.checks.rules")
    return rules


def our_matches(text: str) -> list[Any]:
    from cfnlint.api import lint

    return lint(text, rules=_our_rules(), regions=["us-east-1"])


def test_every_rule_has_a_fixture_pair() -> None:
    assert sorted(CASES) == sorted(r.id for r in RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_passes_the_good_snippet_and_names_the_bad_one(rule_id: str) -> None:
    good, bad = CASES[rule_id]
    assert rule_id not in {m.rule.id for m in our_matches(template(good))}
    hits = [m for m in our_matches(template(bad)) if m.rule.id == rule_id]
    assert hits, f"{rule_id} missed its bad snippet"
    assert all(m.linenumber > 1 for m in hits)  # a position inside the resource, like cfn-lint's


def test_a_resource_can_suppress_one_rule_in_its_metadata() -> None:
    _, bad = CASES["E9202"]
    suppressed = copy.deepcopy(bad)
    suppressed["P"]["Metadata"] = {"cfn-lint": {"config": {"ignore_checks": ["E9202"]}}}
    assert "E9202" not in {m.rule.id for m in our_matches(template(suppressed))}
    assert "E9202" in {m.rule.id for m in our_matches(template(bad))}


@pytest.mark.parametrize("append", ["folder", "module"])
@pytest.mark.slow
def test_plain_cfn_lint_runs_the_rules(tmp_path: Path, append: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(template(CASES["E9105"][1]))
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    rules = str(RULES_DIR) if append == "folder" else "generator.checks.rules"
    result = subprocess.run(
        [str(cfn_lint), str(bad), "--append-rules", rules],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "E9105 Bitbucket does not send PULL_REQUEST_REOPENED" in result.stdout, result.stderr
    assert result.returncode == 2  # cfn-lint's exit bit for errors


def test_the_generators_lint_applies_the_rules_with_positions(tmp_path: Path, capsys) -> None:
    from generator.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text(template(CASES["E9105"][1]))
    assert main(["lint", str(bad)]) == 1
    line = capsys.readouterr().out.strip().splitlines()[0]
    assert line.startswith(f"{bad}:") and "[E9105]" in line


JOINED_TARGET_ROLE = {
    "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111122223333:role/deploy"]]
}


def source_second_stage(**stage_props: Any) -> dict[str, Any]:
    """A V2 pipeline whose second stage holds only Source actions, with these properties."""
    resources = gated()
    stage = resources["Pipeline"]["Properties"]["Stages"][1]
    stage["Actions"][0]["ActionTypeId"].update(Category="Source", Provider="S3")
    stage["Actions"][0]["Configuration"] = GOOD_SOURCE
    stage["Actions"][0]["InputArtifacts"] = []
    stage.update(stage_props)
    return resources


def store_entry_if(resources: dict[str, Any], region: str) -> dict[str, Any]:
    """These resources with one more ArtifactStores entry, for this region, under Fn::If."""
    found = copy.deepcopy(resources)
    entry = {"Region": region, "ArtifactStore": store()}
    found["Pipeline"]["Properties"]["ArtifactStores"].append(
        {"Fn::If": ["FarAway", entry, {"Ref": "AWS::NoValue"}]}
    )
    return found


def rule_type(**changes: Any) -> dict[str, Any]:
    type_id = {"Category": "Rule", "Owner": "AWS", "Provider": "CloudWatchAlarm", "Version": "1"}
    type_id.update(changes)
    return {k: v for k, v in type_id.items() if v is not UNSET}


def entry_rule(**changes: Any) -> dict[str, Any]:
    """A V2 pipeline whose deploy stage has one BeforeEntry FAIL condition of this rule."""
    return gated(BeforeEntry=when("FAIL", stage_rule(**changes)))


def if_far(yes: Any, no: Any) -> dict[str, Any]:
    return {"Fn::If": ["FarAway", yes, no]}


TRIGGERS = [
    {
        "ProviderType": "CodeStarSourceConnection",
        "GitConfiguration": {
            "SourceActionName": "Source",
            "Push": [{"Branches": {"Includes": ["main"]}}],
        },
    }
]
VARIABLES = [{"Name": "Release", "DefaultValue": "none"}]
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
# (rule id, resources, whether the rule names them): the edges of each rule
EDGES: list[tuple[str, dict[str, Any], bool]] = [
    ("E9305", cross_account(key={"Fn::GetAtt": ["Key", "KeyId"]}), True),
    ("E9305", cross_account(key={"Ref": "Key"}), True),  # Ref of a key is its key id
    ("E9305", cross_account(key="Key.Arn"), True),  # a string, not a GetAtt
    ("E9305", cross_account(key={"Fn::GetAtt": "Key.Arn"}), False),
    ("E9305", cross_account(key=KEY_ID), True),
    ("E9305", cross_account(key=f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"), False),
    ("E9305", cross_account(key="arn:aws:kms:us-east-1:111122223333:alias/pipeline"), True),
    (
        "E9305",
        cross_account(
            key={SUB: "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${K}"}
        ),
        False,
    ),
    ("E9305", cross_account(key=UNSET), True),
    ("E9305", cross_account(key="alias/pipeline", action_role=JOINED_TARGET_ROLE), True),
    (
        "E9305",
        cross_account(key="alias/pipeline", action_role=OWN_ROLE, stack_role=OWN_ROLE),
        False,
    ),
    ("E9305", cross_account(key="alias/pipeline", action_role=UNSET, stack_role=OWN_ROLE), False),
    ("E9305", cross_account(key="alias/pipeline", action_role={"Ref": "TargetRole"}), False),
    (
        "E9305",
        cross_account(key="alias/pipeline", region="eu-west-1", stores=[OWN_REGION, "eu-west-1"]),
        True,
    ),
    ("E9306", cross_account(action_role=UNSET, stack_role=TARGET_STACK_ROLE), True),
    ("E9306", cross_account(action_role=UNSET, stack_role=OWN_ROLE), False),
    ("E9306", cross_account(action_role=JOINED_TARGET_ROLE), False),
    ("E9306", cross_account(stack_role={"Fn::GetAtt": ["PipelineRole", "Arn"]}), True),
    ("E9306", cross_account(stack_role={"Ref": "StackRole"}), False),
    ("E9307", cross_account(region="eu-west-1", stores=[OWN_REGION]), True),
    ("E9307", cross_account(region="eu-west-1", stores=["eu-west-1"]), True),
    ("E9307", cross_account(region=OWN_REGION), False),
    ("E9307", cross_account(region="eu-west-1", stores=[OWN_REGION, {"Ref": "Other"}]), False),
    # a condition's rule in another region is held to the same stores as an action
    ("E9307", with_rule_region("eu-west-1"), True),
    ("E9307", with_rule_region("eu-west-1", stores=[OWN_REGION]), True),
    ("E9307", with_rule_region("eu-west-1", stores=[OWN_REGION, "eu-west-1"]), False),
    ("E9307", with_rule_region(OWN_REGION), False),
    ("E9307", with_rule_region({"Ref": "RuleRegion"}), False),
    # a Region under Fn::If counts for each branch, in an action and in a store
    ("E9307", cross_account(region=if_far("eu-west-1", OWN_REGION), stores=[OWN_REGION]), True),
    (
        "E9307",
        cross_account(region=if_far("eu-west-1", OWN_REGION), stores=[OWN_REGION, "eu-west-1"]),
        False,
    ),
    (
        "E9307",
        cross_account(
            region="eu-west-1",
            stores=[OWN_REGION, if_far("eu-west-1", {"Ref": "AWS::NoValue"})],
        ),
        False,
    ),
    (
        "E9307",
        store_entry_if(cross_account(region="eu-west-1", stores=[OWN_REGION]), "eu-west-1"),
        False,
    ),
    (
        "E9307",
        store_entry_if(cross_account(region="eu-west-1", stores=[OWN_REGION]), "eu-north-1"),
        True,
    ),
    ("E9308", gated(kind="V1", ExecutionMode="QUEUED"), True),
    ("E9308", gated(kind=UNSET, ExecutionMode="PARALLEL"), True),
    ("E9308", gated(kind=UNSET, ExecutionMode="SUPERSEDED"), False),
    ("E9308", gated(kind=UNSET, Variables=VARIABLES), True),
    ("E9308", gated(kind=UNSET, Triggers=TRIGGERS), True),
    ("E9308", gated(kind=UNSET, OnFailure={"Result": "ROLLBACK"}), True),
    ("E9308", gated(kind=UNSET, BeforeEntry=when("FAIL")), True),
    ("E9308", gated(kind=UNSET), False),
    ("E9308", gated(ExecutionMode="PARALLEL", Variables=VARIABLES, Triggers=TRIGGERS), False),
    ("E9308", gated(kind={"Ref": "PipelineKind"}, ExecutionMode="QUEUED"), False),
    ("E9309", gated(stage=0, OnSuccess=when("ROLLBACK")), True),
    ("E9309", gated(stage=0, OnFailure=when("ROLLBACK")), True),
    ("E9309", gated(stage=0, OnSuccess=when("FAIL")), False),
    ("E9309", gated(stage=0, BeforeEntry=when("FAIL")), False),
    ("E9309", gated(stage=0, OnFailure={"Result": if_far("ROLLBACK", "RETRY")}), True),
    ("E9309", gated(stage=1, OnFailure={"Result": "ROLLBACK"}), False),
    ("E9309", source_second_stage(OnFailure={"Result": "ROLLBACK"}), True),
    ("E9309", source_second_stage(OnSuccess=when("FAIL")), False),
    ("E9310", gated(BeforeEntry={"Conditions": []}), True),
    ("E9310", gated(OnSuccess={}), True),
    (
        "E9310",
        gated(
            OnSuccess={"Conditions": when("FAIL")["Conditions"] + when("ROLLBACK")["Conditions"]}
        ),
        True,
    ),
    ("E9310", gated(OnFailure={"Result": "ROLLBACK"}), False),
    (
        "E9310",
        gated(OnFailure={"Result": "RETRY", "RetryConfiguration": {"RetryMode": "ALL_ACTIONS"}}),
        False,
    ),
    ("E9310", gated(OnFailure={**when("ROLLBACK"), "Result": "RETRY"}), True),
    (
        "E9310",
        gated(OnFailure={**when("ROLLBACK"), "RetryConfiguration": {"RetryMode": "ALL_ACTIONS"}}),
        True,
    ),
    ("E9310", gated(OnFailure=when("ROLLBACK")), False),
    ("E9310", gated(OnFailure=when("FAIL")), True),
    ("E9310", gated(OnSuccess=when("FAIL")), False),
    ("E9310", gated(BeforeEntry=when("ROLLBACK")), True),
    ("E9310", gated(BeforeEntry=when("FAIL")), False),
    (
        "E9310",
        gated(BeforeEntry=when("SKIP", stage_rule("LambdaInvoke"), stage_rule("VariableCheck"))),
        False,
    ),
    ("E9310", gated(BeforeEntry=when("SKIP", stage_rule("DeploymentWindow"))), True),
    ("E9310", gated(BeforeEntry=when("SKIP")), True),  # a CloudWatchAlarm rule
    ("E9310", gated(OnSuccess=when("FAIL", *[stage_rule(Name=f"R{i}") for i in range(5)])), False),
    ("E9310", gated(OnSuccess=when("FAIL", *[stage_rule(Name=f"R{i}") for i in range(6)])), True),
    ("E9310", gated(OnSuccess={"Conditions": [{"Result": "FAIL", "Rules": []}]}), True),
    ("E9310", gated(OnSuccess={"Conditions": [{"Result": "FAIL"}]}), True),
    ("E9310", gated(OnSuccess=when(if_far("FAIL", "ROLLBACK"))), False),
    ("E9310", gated(OnSuccess=when(if_far("FAIL", "SKIP"))), True),
    ("E9311", entry_rule(Name="a" * 100), False),
    ("E9311", entry_rule(Name="a" * 101), True),
    ("E9311", entry_rule(Name=""), True),
    ("E9311", entry_rule(Name="Alarm.prod@eu-west_1"), False),
    ("E9311", entry_rule(Name=UNSET), True),
    ("E9311", entry_rule(RuleTypeId=UNSET), True),
    ("E9311", entry_rule(RuleTypeId=rule_type(Category="Action")), True),
    ("E9311", entry_rule(RuleTypeId=rule_type(Category=UNSET)), True),
    ("E9311", entry_rule(RuleTypeId=rule_type(Owner="Custom")), True),
    ("E9311", entry_rule(RuleTypeId=rule_type(Version="2")), True),
    ("E9311", entry_rule(RuleTypeId=rule_type(Owner=UNSET, Version=UNSET)), False),
    ("E9311", entry_rule(RuleTypeId=rule_type(Provider="CloudWatchAlarms")), True),
    ("E9311", entry_rule(RuleTypeId=rule_type(Provider=UNSET)), True),
    (
        "E9311",
        gated(
            BeforeEntry=when("FAIL", stage_rule("CodeBuild", Configuration={"ProjectName": "p"}))
        ),
        False,
    ),
    (
        "E9311",
        gated(BeforeEntry=when("FAIL", stage_rule("Commands", Commands=["make test"]))),
        False,
    ),
    ("E9311", entry_rule(Configuration={}), True),  # a CloudWatchAlarm rule without AlarmName
    ("E9311", entry_rule(Configuration=UNSET), True),
    ("E9311", entry_rule(Configuration={"AlarmName": {"Ref": "Alarm"}}), False),
    (
        "E9311",
        gated(OnSuccess=when("FAIL", stage_rule("DeploymentWindow", Configuration={}))),
        True,
    ),
    (
        "E9311",
        gated(
            OnSuccess=when(
                "FAIL", stage_rule("DeploymentWindow", Configuration={"Cron": "0 9-17 ? * MON-FRI"})
            )
        ),
        True,
    ),
    (
        "E9311",
        gated(
            OnSuccess=when(
                "FAIL",
                stage_rule("DeploymentWindow", Configuration={"Cron": "0 0 9-17 ? * MON-FRI"}),
            )
        ),
        False,
    ),
    (
        "E9311",
        gated(
            OnSuccess=when(
                "FAIL",
                stage_rule("DeploymentWindow", Configuration={"Cron": "0 0 9-17 ? * MON-FRI * x"}),
            )
        ),
        True,
    ),
    (
        "E9311",
        gated(
            OnSuccess=when(
                "FAIL", stage_rule("DeploymentWindow", Configuration={"Cron": {"Ref": "Window"}})
            )
        ),
        False,
    ),
    ("E9312", gated(ExecutionMode="PARALLEL", OnSuccess=when("ROLLBACK")), True),
    ("E9312", gated(ExecutionMode="PARALLEL", OnFailure=when("ROLLBACK")), True),
    ("E9312", gated(ExecutionMode="PARALLEL", OnSuccess=when("FAIL")), False),
    ("E9312", gated(ExecutionMode="PARALLEL", BeforeEntry=when("FAIL")), False),
    ("E9312", gated(OnFailure={"Result": "ROLLBACK"}), False),  # SUPERSEDED, the default
    ("E9312", gated(ExecutionMode="SUPERSEDED", OnSuccess=when("ROLLBACK")), False),
    (
        "E9312",
        gated(ExecutionMode=if_far("PARALLEL", "QUEUED"), OnFailure={"Result": "ROLLBACK"}),
        True,
    ),
    (
        "E9601",
        stack_set(OperationPreferences={"MaxConcurrentCount": 2, "MaxConcurrentPercentage": 50}),
        True,
    ),
    (
        "E9601",
        stack_set(
            OperationPreferences={"FailureTolerancePercentage": 10, "MaxConcurrentPercentage": 50}
        ),
        False,
    ),
    ("E9602", stack_set("SELF_MANAGED", CallAs="SELF"), False),
    ("E9602", stack_set("SELF_MANAGED", AutoDeployment={"Enabled": False}), True),
    ("E9602", stack_set("SERVICE_MANAGED", AutoDeployment=UNSET), False),
    ("E9603", stack_set("SELF_MANAGED"), False),
    (
        "E9603",
        stack_set("SELF_MANAGED", StackInstancesGroup=targets(OrganizationalUnitIds=["r-ab12"])),
        True,
    ),
    ("E9603", stack_set(StackInstancesGroup=targets(OrganizationalUnitIds=["r-ab12"])), False),
    (
        "E9603",
        stack_set(
            StackInstancesGroup=targets(
                OrganizationalUnitIds=["ou-ab12-cdef3456"], Accounts=["111122223333"]
            )
        ),
        True,
    ),
    (
        "E9603",
        stack_set(
            StackInstancesGroup=targets(
                OrganizationalUnitIds=["ou-ab12-cdef3456"],
                Accounts=["111122223333"],
                AccountFilterType="DIFFERENCE",
            )
        ),
        False,
    ),
    ("E9604", stack_set(Capabilities=UNSET), True),
    (
        "E9604",
        stack_set(TemplateBody="Resources:\n  R:\n    Type: AWS::SNS::Topic\n", Capabilities=UNSET),
        False,
    ),
    (
        "E9604",
        stack_set(
            TemplateBody=UNSET, TemplateURL="https://b.s3.amazonaws.com/t.yaml", Capabilities=UNSET
        ),
        False,
    ),
]


@pytest.mark.parametrize(("rule_id", "resources", "named"), EDGES)
def test_rule_edges(rule_id: str, resources: dict[str, Any], named: bool) -> None:
    assert (rule_id in {m.rule.id for m in our_matches(template(resources))}) is named


MULTI_ACCOUNT_RULES = ["E9305", "E9306", "E9307", "E9601", "E9602", "E9603", "E9604"]
# V2 pipelines: stage conditions and their rules, rollback, execution modes
STAGE_RULES = ["E9308", "E9309", "E9310", "E9311", "E9312"]


@pytest.mark.slow
@pytest.mark.parametrize("rule_id", MULTI_ACCOUNT_RULES + STAGE_RULES)
def test_plain_cfn_lint_does_not_tell_the_bad_snippet_from_the_good(rule_id: str) -> None:
    from cfnlint.api import lint

    def plain(resources: dict[str, Any]) -> set[tuple[str, str]]:
        return {(m.rule.id, m.message) for m in lint(template(resources), regions=["us-east-1"])}

    good, bad = CASES[rule_id]
    assert plain(bad) <= plain(good)


# --- a target account's deploy role and the accounts a template declares -------------

TOOLS, TARGET = "111111111111", "222222222222"
PIPELINE_ROLE_ARN = {
    SUB: f"arn:${{AWS::Partition}}:iam::{TOOLS}:role/pipeline-generator/a-dev-pipeline"
}


def deploy_role(principal_account: str = TOOLS, condition: Any = UNSET) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": {SUB: f"arn:${{AWS::Partition}}:iam::{principal_account}:root"}},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": PIPELINE_ROLE_ARN}},
    }
    if condition is None:
        del statement["Condition"]
    elif condition is not UNSET:
        statement["Condition"] = condition
    found = role("codebuild.amazonaws.com", allow(["s3:GetObject"], [{SUB: "${B.Arn}/*"}]))
    found["Properties"]["AssumeRolePolicyDocument"]["Statement"] = [statement]
    return found


def declared(resources: dict[str, Any], **record: Any) -> str:
    return json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Metadata": {"PipelineGenerator": record},
            "Resources": resources,
        },
        indent=1,
    )


LITERAL_TARGET_ROLE = {
    "Type": "AWS::SNS::Topic",
    "Properties": {"DisplayName": f"arn:aws:iam::{TARGET}:role/pipeline-generator/a-dev-deploy"},
}

DECLARED_EDGES = [
    ("E9401", declared({"R": deploy_role()}, ToolsAccount=TOOLS), False),
    ("E9401", declared({"R": deploy_role()}), True),  # no tools account declared
    ("E9401", declared({"R": deploy_role(condition=None)}, ToolsAccount=TOOLS), True),
    ("E9401", declared({"R": deploy_role(TARGET)}, ToolsAccount=TOOLS), True),
    (
        "E9401",
        declared(
            {"R": deploy_role(condition={"ArnLike": {"aws:PrincipalArn": PIPELINE_ROLE_ARN}})},
            ToolsAccount=TOOLS,
        ),
        True,
    ),
    (
        "E9401",
        declared(
            {
                "R": deploy_role(
                    condition={
                        "ArnEquals": {
                            "aws:PrincipalArn": {
                                SUB: f"arn:${{AWS::Partition}}:iam::{TARGET}:role/x"
                            }
                        }
                    }
                )
            },
            ToolsAccount=TOOLS,
        ),
        True,
    ),
    ("E9503", declared({"T": LITERAL_TARGET_ROLE}, Accounts=[TARGET]), False),
    ("E9503", declared({"T": LITERAL_TARGET_ROLE}, Accounts=["333333333333"]), True),
    ("E9503", declared({"T": LITERAL_TARGET_ROLE}), True),
]


@pytest.mark.parametrize(("rule_id", "text", "named"), DECLARED_EDGES)
def test_rules_accept_only_the_accounts_the_template_declares(
    rule_id: str, text: str, named: bool
) -> None:
    assert (rule_id in {m.rule.id for m in our_matches(text)}) is named


# Multi-account templates declare their accounts in Metadata (generator/stack/accounts.py):
# ARNs in those accounts are what crossing accounts means; any other literal account is not.
TOOLS_ACCOUNT, TARGET_ACCOUNT, UNDECLARED = "111111111111", "222222222222", "999999999999"
DECLARED = {"PipelineGenerator": {"ToolsAccount": TOOLS_ACCOUNT, "Accounts": [TARGET_ACCOUNT]}}


def declared_template(resources: dict[str, Any], metadata: Any = DECLARED) -> str:
    data: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if metadata is not None:
        data["Metadata"] = metadata
    return json.dumps(data, indent=1)


def pipeline_role_of(account: str, name: str = "app-dev-pipeline") -> dict[str, str]:
    return {SUB: f"arn:${{AWS::Partition}}:iam::{account}:role/pipeline-generator/{name}"}


def deploy_role_trusting(
    account: str = TOOLS_ACCOUNT, roles: Any = None, condition: Any = UNSET, **statement: Any
) -> dict[str, Any]:
    """A target account's deploy role trusted by one role of the tools account."""
    trust: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": {SUB: f"arn:${{AWS::Partition}}:iam::{account}:root"}},
        "Action": ["sts:AssumeRole"],
        "Condition": {"ArnEquals": {"aws:PrincipalArn": roles or pipeline_role_of(account)}},
    }
    if condition is not UNSET:
        trust["Condition"] = condition  # None: no Condition at all
    trust.update(statement)
    resource = role("codebuild.amazonaws.com", allow(["ecs:DescribeServices"], ["*"]))
    resource["Properties"]["AssumeRolePolicyDocument"]["Statement"] = [
        {k: v for k, v in trust.items() if v is not UNSET and v is not None}
    ]
    return {"DeployRole": resource}


@pytest.mark.parametrize(
    ("resources", "metadata", "named"),
    [
        (deploy_role_trusting(), DECLARED, False),
        # The same trust in a template that declares no accounts...
        (deploy_role_trusting(), None, True),
        # ...or of an account it does not declare.
        (deploy_role_trusting(UNDECLARED), DECLARED, True),
        # A whole account: no aws:PrincipalArn condition, or one naming no role.
        (deploy_role_trusting(condition=None), DECLARED, True),
        (
            deploy_role_trusting(roles={SUB: "arn:${AWS::Partition}:iam::111111111111:role/*"}),
            DECLARED,
            True,
        ),
        (deploy_role_trusting(roles=pipeline_role_of(TARGET_ACCOUNT)), DECLARED, True),
        (
            deploy_role_trusting(
                roles=[pipeline_role_of(TOOLS_ACCOUNT), pipeline_role_of(TOOLS_ACCOUNT, "b")]
            ),
            DECLARED,
            True,
        ),
        (deploy_role_trusting(Action=["sts:AssumeRole", "sts:TagSession"]), DECLARED, True),
        (deploy_role_trusting(Effect="Deny"), DECLARED, True),
    ],
)
def test_trust_of_one_declared_role(resources: dict[str, Any], metadata: Any, named: bool) -> None:
    found = {m.rule.id for m in our_matches(declared_template(resources, metadata))}
    assert ("E9401" in found) is named


@pytest.mark.parametrize(
    ("account", "metadata", "named"),
    [
        (TOOLS_ACCOUNT, DECLARED, False),
        (TARGET_ACCOUNT, DECLARED, False),
        (TARGET_ACCOUNT, {"PipelineGenerator": {"DeployAccounts": [TARGET_ACCOUNT]}}, False),
        (UNDECLARED, DECLARED, True),
        (TOOLS_ACCOUNT, None, True),
        (TOOLS_ACCOUNT, {"Other": {"ToolsAccount": TOOLS_ACCOUNT}}, True),
    ],
)
def test_literal_account_only_when_declared(account: str, metadata: Any, named: bool) -> None:
    resources = {
        "R": role(
            "codepipeline.amazonaws.com",
            allow(["sts:AssumeRole"], [pipeline_role_of(account, "app-dev-deploy")]),
        )
    }
    found = {m.rule.id for m in our_matches(declared_template(resources, metadata))}
    assert ("E9503" in found) is named


@pytest.mark.parametrize(
    ("arn", "named"),
    [
        ("arn:${AWS::Partition}:iam::111111111111:role/pipeline-generator/app-dev-pipeline", False),
        ("arn:${AWS::Partition}:iam::999999999999:role/pipeline-generator/app-dev-pipeline", True),
    ],
)
def test_literal_account_inside_a_stackset_body(arn: str, named: bool) -> None:
    body = declared_template(
        {"R": role("codepipeline.amazonaws.com", allow(["sts:AssumeRole"], [{SUB: arn}]))}
    )
    found = {
        m.rule.id
        for m in our_matches(
            declared_template(stack_set(TemplateBody=json.dumps(json.loads(body))))
        )
    }
    assert ("E9503" in found) is named
