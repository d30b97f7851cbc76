"""Deploying promotion chains and regional artifact stores (issue 21): an environment with
`after` has no stack of its own (deploy and deploy-all point at the pipeline that deploys
it), a regional store deploys in its own Region and account in the first wave, and the
first create of a chain's pipeline says what comes next.

Templates are built from the repository's specs/checkout-api.yaml (tools account
111111111111; dev, staging, prod in 222222222222, 333333333333, 444444444444; prod in
eu-west-1 and us-east-1) and specs/storefront-web.yaml (single account, staging and
prod); the command line runs against tests/fake_aws.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.ops import deploy as deploy_module
from generator.ops.aftercreate import STAGE_ROLLBACK_PAGE, next_steps, rolling_back_stages
from generator.ops.deploy import DeployRequest, Outcome, capability_for, stacks_to_deploy
from generator.ops.generate import generate, load_file
from generator.ops.waves import belongs, home_of, in_waves, misplaced, wrong_region
from generator.spec.sources import spec_names

from .fake_aws import calls, deploy_calls, install, writes

SPECS = Path(__file__).resolve().parent.parent / "specs"
TOOLS, DEV, OTHER = "111111111111", "222222222222", "555555555555"
PROFILES = {"tools": TOOLS, "dev": DEV, "other": OTHER}
EAST = f"regional-{TOOLS}-us-east-1"
WEST = f"regional-{TOOLS}-eu-west-1"


def build(project: Path, *names: str) -> Path:
    """The named repository specs and the JSON templates the generator builds from them."""
    (project / "specs").mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SPECS / name, project / "specs" / name)
    templates = project / "templates"
    templates.mkdir(exist_ok=True)
    paths = spec_names([project / "specs"])
    for name, text in generate(list(paths), "json", bootstrap=False, names=paths).files.items():
        (templates / name).write_text(text)
    return templates


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("promotion"), "checkout-api.yaml", "storefront-web.yaml")


def data(templates: Path, stem: str) -> dict[str, Any]:
    return json.loads((templates / f"{stem}.json").read_text())


def record(templates: Path, stem: str) -> dict[str, Any]:
    return data(templates, stem)["Metadata"]["PipelineGenerator"]


# --- regional stores: where and when -----------------------------------------------------


def test_regional_stores_deploy_in_the_first_wave_in_the_tools_account(built: Path) -> None:
    east = record(built, EAST)
    assert (east["Kind"], east["Region"], east["Stack"]) == (
        "regional",
        "us-east-1",
        "pipeline-artifacts-us-east-1",
    )
    stems = ["checkout-api-dev", "checkout-api-targets", EAST, WEST]
    assert in_waves(stems, lambda stem: record(built, stem)) == [
        [EAST, WEST],
        ["checkout-api-targets"],
        ["checkout-api-dev"],
    ]
    assert belongs(home_of(east), TOOLS) and not belongs(home_of(east), DEV)
    # its readers (Accounts) are not where it belongs
    assert east["Accounts"] and not any(belongs(home_of(east), a) for a in east["Accounts"])
    # without Account: the account of the pipelines, whichever deploys them
    assert home_of({k: v for k, v in east.items() if k != "Account"}) is None
    # a bucket and its policy, no IAM resource: the default acknowledgement
    assert capability_for(data(built, EAST)) == "CAPABILITY_IAM"


def test_a_regional_store_is_refused_in_another_region(built: Path) -> None:
    east = record(built, EAST)
    assert wrong_region(EAST, east, "us-east-1") is None
    assert wrong_region(EAST, east, None) is None
    assert wrong_region("checkout-api-dev", record(built, "checkout-api-dev"), "ap-south-1") is None
    assert wrong_region(EAST, east, "eu-west-1") == (
        f"{EAST} is the artifact store of the pipelines' actions in us-east-1: it belongs in "
        "us-east-1, not eu-west-1. Deploy it with --region us-east-1, or without --region "
        "(deploy takes the Region from the template):\n"
        f"  pipeline-generator deploy {EAST} --region us-east-1"
    )
    # the account refusal's command names the store's Region, not the run's
    text = misplaced(EAST, east, DEV, home_of(east), "eu-west-1")  # type: ignore[arg-type]
    assert text.endswith(
        f"  pipeline-generator deploy {EAST} --profile <profile for account {TOOLS}> "
        "--region us-east-1"
    )


def test_deploy_all_takes_the_regional_stores_of_its_services(built: Path) -> None:
    stems = sorted(f.stem for f in stacks_to_deploy(built, "dev", {"checkout-api"}))
    assert stems == ["checkout-api-dev", "checkout-api-targets", WEST, EAST]
    # another service's environment needs none of them
    assert [f.stem for f in stacks_to_deploy(built, "staging", {"storefront-web"})] == [
        "storefront-web-staging"
    ]


# --- chains: no stack of their own -------------------------------------------------------


def project_of(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(built.parent, tmp_path, dirs_exist_ok=True)
    bin_ = tmp_path / "bin"
    install(bin_)
    for profile, account in PROFILES.items():
        (bin_ / f"identity-{profile}.json").write_text(
            json.dumps({"UserId": "AROA:x", "Account": account,
                        "Arn": f"arn:aws:sts::{account}:assumed-role/Admin/x"})
        )  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{bin_}:{os.environ['PATH']}")
    monkeypatch.delenv("AWS_CLI", raising=False)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "FAKE_AWS_EXIT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAKE_AWS_CONFIGURED_REGION", "eu-west-1")
    monkeypatch.setenv("PIPELINE_GENERATOR_POLL_SECONDS", "5")
    return tmp_path


@pytest.fixture()
def project(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both specs, built, as the current directory; the stand-in aws first on PATH, one
    identity per profile, the profiles' Region eu-west-1."""
    return project_of(built, tmp_path, monkeypatch)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


POINTER_STAGING = (
    "staging is deployed by the pipeline checkout-api-dev (after: dev): "
    "pipeline-generator deploy-all dev"
)


def test_deploy_all_of_a_chained_environment_points_at_its_pipeline(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tried = []

    def deployed(request: DeployRequest, environ: object, say: object) -> Outcome:
        tried.append(request.stack)
        return Outcome(request.stack, "deployed", 0, f"Stack {request.stack} is deployed.")

    monkeypatch.setattr(deploy_module, "deploy_one", deployed)
    status, out, _ = run(capsys, "deploy-all", "staging", "--profile", "tools")
    assert status == 0
    # the pointer first, then the other service's stack as usual
    assert out.startswith(POINTER_STAGING + "\n")
    assert tried == ["storefront-web-staging"]
    assert calls(project / "bin") == []  # a single-account stack: no account split
    status, out, _ = run(capsys, "deploy-all", "prod", "--profile", "tools")
    assert out.startswith(
        "prod is deployed by the pipeline checkout-api-dev (after: staging): "
        "pipeline-generator deploy-all dev\n"
    )
    assert tried[1:] == ["storefront-web-prod"]


def test_only_chained_stacks_is_refused_with_the_pointer(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "specs" / "storefront-web.yaml").unlink()
    status, out, err = run(capsys, "deploy-all", "staging", "--profile", "tools")
    assert status == 2
    assert out == POINTER_STAGING + "\n"
    assert "no stack of its own to deploy for environment 'staging'" in err
    assert calls(project / "bin") == []


def test_deploy_of_a_chained_stack_names_its_pipeline(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "deploy", "checkout-api-prod", "--profile", "tools")
    assert status == 2
    assert (
        "checkout-api-prod has no stack of its own: prod is deployed by the pipeline "
        "checkout-api-dev (after: staging): pipeline-generator deploy checkout-api-dev"
    ) in err
    assert "did you mean" not in err
    # a template left over from before `after`: the same pointer, and who removes it
    shutil.copy(project / "templates" / "checkout-api-dev.json",
                project / "templates" / "checkout-api-staging.json")  # fmt: skip
    left = project / "templates" / "checkout-api-staging.json"
    text = left.read_text().replace('"Environment": "dev"', '"Environment": "staging"')
    left.write_text(text.replace('"Stack": "checkout-api-dev"', '"Stack": "checkout-api-staging"'))
    status, _, err = run(capsys, "deploy", "checkout-api-staging", "--profile", "tools")
    assert status == 2
    assert (
        f"{Path('templates/checkout-api-staging.json')} is not built by any spec today: "
        "staging is deployed by the pipeline checkout-api-dev (after: dev) and has no stack "
        "of its own; `make templates` removes the template"
    ) in err
    assert calls(project / "bin") == []


def test_a_regional_store_with_another_region_is_refused_before_any_aws_call(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "deploy", EAST, "--profile", "tools", "--region", "eu-west-1")
    assert status == 2
    assert f"{EAST} is the artifact store of the pipelines' actions in us-east-1" in err
    assert calls(project / "bin") == []


# --- what comes next after a chain's pipeline --------------------------------------------


def test_next_steps_name_the_later_stages_and_the_first_run_of_a_rollback(built: Path) -> None:
    spec = load_file(built.parent / "specs" / "checkout-api.yaml").spec
    template = data(built, "checkout-api-dev")
    # dev has no gates; prod's window only fails entry, its gates roll back
    assert rolling_back_stages(template) == ["Deploy-staging", "Deploy-prod"]
    steps = next_steps(template, spec, "dev", TOOLS)
    assert (
        "staging, prod are stages of this pipeline (after: dev), with no stack of their own: "
        "a release reaches them through checkout-api-dev, and `pipeline-generator deploy-all "
        "dev` is the command that updates them"
    ) in steps
    (rollback,) = [step for step in steps if "roll back" in step]
    assert rollback.startswith("Deploy-staging, Deploy-prod roll back when a gate fails")
    assert "the first release through each of them" in rollback
    assert '"Configure stage rollback"' in rollback and STAGE_ROLLBACK_PAGE in rollback
    # a pipeline of one environment: no chain step
    single = load_file(built.parent / "specs" / "storefront-web.yaml").spec
    steps = next_steps(data(built, "storefront-web-prod"), single, "prod")
    assert not any("stage" in step and "roll back" in step for step in steps)
    assert not any("no stack of" in step for step in steps)


def test_a_chain_without_gates_or_window_has_no_rollback_step(built: Path) -> None:
    spec = load_file(built.parent / "specs" / "checkout-api.yaml").spec
    assert spec is not None
    plain = spec.model_copy(
        update={
            "environments": {
                name: env.model_copy(update={"gates": None, "window": None})
                for name, env in spec.environments.items()
            }
        }
    )
    steps = next_steps(data(built, "checkout-api-dev"), plain, "dev", TOOLS)
    assert any("no stack of their own" in step for step in steps)
    assert not any("roll back" in step for step in steps)


def test_next_steps_after_a_regional_store(built: Path) -> None:
    (step,) = next_steps(data(built, EAST), None, None, TOOLS)
    assert step == (
        "deploy the pipelines of checkout-api (their actions in us-east-1 keep their artifacts "
        "in this bucket): pipeline-generator deploy-all <environment> --profile <profile for "
        f"account {TOOLS}>"
    )


# --- the command line, against the stand-in aws -----------------------------------------


def stack_of(call: list[str]) -> str:
    return call[call.index("--stack-name") + 1]


def region_of_call(call: list[str]) -> str | None:
    return call[call.index("--region") + 1] if "--region" in call else None


@pytest.mark.slow
def test_a_regional_store_deploys_in_its_region_and_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "deploy", EAST, "--profile", "dev")
    assert status == 2
    assert f"{EAST} belongs in account {TOOLS}, but the credentials are for account {DEV}" in err
    assert writes(project / "bin") == []
    status, out, err = run(capsys, "deploy", EAST, "--profile", "tools")
    assert status == 0, out + err
    (deployed,) = deploy_calls(project / "bin")
    assert stack_of(deployed) == "pipeline-artifacts-us-east-1"
    assert region_of_call(deployed) == "us-east-1"
    assert deployed[deployed.index("--capabilities") + 1] == "CAPABILITY_IAM"
    # every call of the run (identity, stack reads) went to the store's Region
    assert {region_of_call(c) for c in calls(project / "bin")[-4:]} == {"us-east-1"}


@pytest.mark.slow
def test_deploy_all_puts_the_stores_in_the_first_wave_in_their_regions(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "deploy-all", "dev", "--profile", "tools")
    assert status == 0, out + err
    deployed = [(stack_of(c), region_of_call(c)) for c in deploy_calls(project / "bin")]
    # the pipelines run in eu-west-1 (the profile's Region): its own bucket is the store there
    assert deployed == [
        ("pipeline-artifacts-us-east-1", "us-east-1"),
        ("checkout-api-dev", None),
    ]
    assert (
        f"{WEST}: not deployed: the pipelines deploy in eu-west-1, where their own artifact "
        "bucket is the store"
    ) in out
    # the target roles belong in the target accounts: listed, not deployed
    assert "  checkout-api-targets: belongs in one of the accounts" in out


@pytest.mark.slow
def test_diff_deployed_reads_a_regional_store_in_its_region(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = data(project / "templates", EAST)
    (project / "bin" / "template.json").write_text(json.dumps({"TemplateBody": deployed}))
    status, out, _ = run(capsys, "diff", "--deployed", EAST, "--profile", "tools")
    assert status == 0, out
    assert f"{EAST}: the deployed stack matches" in out
    reads = [c for c in calls(project / "bin") if c[:2] == ["cloudformation", "get-template"]]
    assert [region_of_call(c) for c in reads] == ["us-east-1"]
    status, _, err = run(
        capsys, "diff", "--deployed", EAST, "--profile", "tools", "--region", "eu-west-1"
    )
    assert status == 2 and "it belongs in us-east-1, not eu-west-1" in err
