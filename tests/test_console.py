"""What the console and the API see: the spec's values as literals, Interface metadata,
parameter shapes, outputs, and template size against CloudFormation's inline limit."""

from __future__ import annotations

import json

import pytest
import yaml

from generator.aws.enums import SPEC_EVENTS
from generator.checks.lint import lint_texts
from generator.cli import main
from generator.ops.deploy import TEMPLATE_BODY_LIMIT
from generator.render.formats import template_data, to_json, to_yaml
from generator.spec.loader import load_spec_text
from generator.spec.validate import validate_spec
from generator.stack.compose import compose

from .conftest import TEMPLATES

REFUSED_EVENTS = ("pull-request-merged", "pull-request-closed")


def test_every_template_has_interface_metadata_and_described_parameters() -> None:
    """Parameters (only the bootstrap stacks have any) are grouped, labelled, described
    and constrained in the console; every output is described."""
    with_parameters = []
    for path in sorted(TEMPLATES.glob("*.json")):
        template = json.loads(path.read_text())
        for name, output in template["Outputs"].items():
            assert output["Description"], (path.name, name)
        assert "generator" in template["Description"]
        if "Parameters" not in template:
            assert "AWS::CloudFormation::Interface" not in template["Metadata"], path.name
            continue
        with_parameters.append(path.name)
        interface = template["Metadata"]["AWS::CloudFormation::Interface"]
        grouped = [p for g in interface["ParameterGroups"] for p in g["Parameters"]]
        assert sorted(grouped) == sorted(template["Parameters"]), path.name
        assert set(interface["ParameterLabels"]) == set(template["Parameters"])
        for name, parameter in template["Parameters"].items():
            assert parameter["Description"], (path.name, name)
            assert (
                "AllowedValues" in parameter
                or "AllowedPattern" in parameter
                or ("MinValue" in parameter and "MaxValue" in parameter)
            ), (path.name, name)
    assert with_parameters == ["bootstrap-bitbucket.json", "bootstrap-github.json"]


def test_a_service_template_holds_the_specs_values_as_literals(example_stacks) -> None:
    """No parameter a deploy could leave at an old value: the console, `aws cloudformation
    deploy` and every other deploy path give the stack what the spec says."""
    stacks = {stack.name: stack.data for stack in example_stacks}
    for name, data in stacks.items():
        assert "Parameters" not in data, name
        assert "Ref" not in json.dumps(
            {
                "compute": [
                    r["Properties"]["Environment"]["ComputeType"]
                    for r in data["Resources"].values()
                    if r["Type"] == "AWS::CodeBuild::Project"
                ],
                "retention": [
                    r["Properties"].get("RetentionInDays")
                    for r in data["Resources"].values()
                    if r["Type"] == "AWS::Logs::LogGroup"
                ],
            }
        ), name
    # specs/billing-worker.yaml: compute: large, timeout: 90, logs.retention: 90
    build = stacks["billing-worker-dev"]["Resources"]["BuildProject"]["Properties"]
    assert build["Environment"]["ComputeType"] == "BUILD_GENERAL1_LARGE"
    assert build["TimeoutInMinutes"] == 90
    assert (
        stacks["billing-worker-dev"]["Resources"]["BuildLogGroup"]["Properties"]["RetentionInDays"]
        == 90
    )
    # specs/orders-api.yaml sets no timeout: the model's default, 60 minutes.
    check = stacks["orders-api-checks"]["Resources"]["CheckProject"]["Properties"]
    assert (check["Environment"]["ComputeType"], check["TimeoutInMinutes"]) == (
        "BUILD_GENERAL1_MEDIUM",
        60,
    )


def test_service_templates_name_service_environment_and_version(example_stacks) -> None:
    from generator import __version__

    for stack in example_stacks:
        service, env = stack.name.rsplit("-", 1)
        description = stack.data["Description"]
        assert f"{service} ({env})" in description and __version__ in description


def largest_spec() -> str:
    """Every optional feature at the model's maxima (GitHub, so every event)."""
    spec = {
        "service": "s" * 31,
        "description": "d" * 512,
        "repository": {
            "provider": "github",
            "url": "https://github.com/" + "o" * 39 + "/" + "r" * 100 + ".git",
            "connection": "arn:aws:codeconnections:eu-west-1:111122223333:connection/" + "c" * 36,
        },
        "build": {
            "image": "aws/codebuild/standard:7.0",
            "compute": "2xlarge",
            "privileged": True,
            "buildspec": "b" * 200 + ".yml",
            "variables": {f"VARIABLE_{i:02d}": "v" * 100 for i in range(50)},
            "secrets": {
                **{f"PARAM_{i:02d}": f"ssm:/service/{'p' * 60}/{i}" for i in range(25)},
                **{
                    f"SECRET_{i:02d}": f"secretsmanager:service/{'s' * 60}-{i}:key"
                    for i in range(25)
                },
            },
            "ecr": [f"{'e' * 60}-{i}" for i in range(20)],
        },
        "environments": {
            "production-eu-01": {
                "branch": "release/" + "b" * 100,
                # Every event but pull-request-merged (refused beside push) and
                # pull-request-closed (refused on a deploying environment).
                "events": [e for e in SPEC_EVENTS if e not in REFUSED_EVENTS],
                "actors": [f"557058:{'a' * 30}{i:02d}" for i in range(50)],
                "approval": True,
                "deploy": {
                    "ecs": {
                        "cluster": "c" * 100,
                        "service": "s" * 100,
                        "task_roles": [f"{'r' * 60}-{i}" for i in range(10)],
                    }
                },
            }
        },
        "tags": {f"tag-{i:02d}": "t" * 100 for i in range(40)},
    }
    return yaml.safe_dump(spec)


@pytest.mark.slow
def test_the_largest_spec_the_model_allows_against_the_inline_limit(tmp_path, capsys) -> None:
    spec = validate_spec(load_spec_text(largest_spec(), "largest.yaml"))
    data = template_data(compose(spec, "production-eu-01"))
    sizes = {"json": len(to_json(data).encode()), "yaml": len(to_yaml(data).encode())}
    with capsys.disabled():
        print(
            f"\nlargest spec: JSON {sizes['json']} bytes, YAML {sizes['yaml']} bytes, "
            f"limit {TEMPLATE_BODY_LIMIT}"
        )
    assert lint_texts([("largest.json", to_json(data))]) == []
    # At the model's maxima (40 tags of 100 characters on every resource...) the stack
    # needs an S3 upload: build refuses it unless asked, and says how.
    assert sizes["yaml"] > TEMPLATE_BODY_LIMIT
    spec_file = tmp_path / "largest.yaml"
    spec_file.write_text(largest_spec())
    out = tmp_path / "out"
    assert main(["build", str(spec_file), "-o", str(out)]) == 1
    assert "over CloudFormation's 51200-byte inline template limit" in capsys.readouterr().err
    assert not out.exists()
    assert main(["build", str(spec_file), "-o", str(out), "--allow-large"]) == 0


def test_a_realistic_large_service_fits_inline(example_stacks) -> None:
    for stack in example_stacks:
        # The YAML deploys; a strict stack with notifications still leaves a third free.
        assert len(to_yaml(stack.data).encode()) < TEMPLATE_BODY_LIMIT * 2 / 3
        assert len(to_json(stack.data).encode()) < TEMPLATE_BODY_LIMIT
