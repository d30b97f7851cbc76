"""A spec's identity is its service name and its path under the specs root, never its
file name: a specs repository with `specs/<service>/pipeline.yaml` for every service
builds, checks and deploys like one with `specs/<service>.yaml`.

Each test drives the real command line in a project folder of its own, with the
stand-in `aws` of tests/fake_aws.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.ops.stackfiles import stack_file

from .fake_aws import deploy_calls, install

SERVICES = ("billing", "orders-api", "web")


def pipeline_spec(service: str) -> str:
    return (
        f"service: {service}\n"
        f'repository: {{url: "https://bitbucket.org/acme/{service}.git"}}\n'
        "environments:\n"
        f"  dev: {{branch: develop, deploy: {{s3: {{bucket: acme-{service}-dev}}}}}}\n"
        f"  prod: {{branch: main, deploy: {{s3: {{bucket: acme-{service}-prod}}}}}}\n"
    )


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """specs/<service>/pipeline.yaml for three services, as the current directory, and a
    stand-in `aws` as AWS_CLI."""
    for service in SERVICES:
        folder = tmp_path / "specs" / service
        folder.mkdir(parents=True)
        (folder / "pipeline.yaml").write_text(pipeline_spec(service))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_CLI", str(install(tmp_path / "aws")))
    monkeypatch.setenv("PIPELINE_GENERATOR_POLL_SECONDS", "0.02")
    monkeypatch.delenv("AWS_REGION", raising=False)
    return tmp_path


def recorded_spec(stack: str) -> str:
    found = stack_file(Path("templates"), stack)
    assert found is not None, stack
    return str(found.record["SpecFile"])


def deployed_stacks(project: Path) -> list[str]:
    return sorted(c[c.index("--stack-name") + 1] for c in deploy_calls(project / "aws"))


@pytest.mark.slow
def test_one_folder_per_service_builds_checks_and_deploys(project: Path, capsys) -> None:
    assert main(["build"]) == 0
    for service in SERVICES:
        for env in ("dev", "prod"):
            assert recorded_spec(f"{service}-{env}") == f"{service}/pipeline.yaml"
    assert main(["check"]) == 0
    for service in SERVICES:
        assert main(["deploy", f"{service}-dev", "--dry-run"]) == 0, capsys.readouterr().err
    assert deployed_stacks(project) == [f"{s}-dev" for s in SERVICES]
    capsys.readouterr()
    assert main(["deploy-all", "prod"]) == 0
    table = capsys.readouterr().out.splitlines()[-len(SERVICES) :]
    assert [row.split()[:2] for row in table] == [[f"{s}-prod", "deployed"] for s in SERVICES]
    # The same spec names from a folder named on the command line, or one file given alone.
    assert main(["check", "specs"]) == 0
    assert main(["build", "specs/web/pipeline.yaml", "-o", "one"]) == 0
    assert (Path("one") / "web-dev.yaml").read_text() == Path("templates/web-dev.yaml").read_text()


def test_a_spec_moved_to_another_folder_is_rebuilt_and_still_deploys(project: Path, capsys) -> None:
    assert main(["build"]) == 0
    shutil.move(project / "specs" / "web", project / "specs" / "storefront")
    # The templates record the old path: neither the build cache nor check may call them
    # up to date.
    capsys.readouterr()
    assert main(["check"]) == 1
    assert "templates/web-dev" in capsys.readouterr().err
    assert main(["build"]) == 0
    assert recorded_spec("web-prod") == "storefront/pipeline.yaml"
    assert main(["check"]) == 0
    assert main(["deploy", "web-prod", "--dry-run"]) == 0


def test_two_specs_with_one_service_in_different_folders_are_refused(project: Path, capsys) -> None:
    assert main(["build"]) == 0
    copy = project / "specs" / "orders-copy" / "pipeline.yaml"
    copy.parent.mkdir()
    copy.write_text(pipeline_spec("orders-api"))
    capsys.readouterr()
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert (
        'specs/orders-copy/pipeline.yaml:1:10: service: stack "orders-api-dev" is also built '
        "from specs/orders-api/pipeline.yaml" in err
    )
    # With the spec the template records gone, deploy finds the service in both others
    # and refuses, naming them.
    shutil.rmtree(project / "specs" / "orders-api")
    second = project / "specs" / "orders-second" / "pipeline.yaml"
    second.parent.mkdir()
    second.write_text(pipeline_spec("orders-api"))
    assert main(["deploy", "orders-api-dev"]) == 2
    assert (
        "specs/orders-copy/pipeline.yaml and specs/orders-second/pipeline.yaml both have "
        "service: orders-api; each service needs one spec"
    ) in capsys.readouterr().err
    assert deploy_calls(project / "aws") == []
