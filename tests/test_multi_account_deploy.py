"""Deploying a multi-account spec (issue 20): CAPABILITY_NAMED_IAM where a template names
IAM resources, deploy-all in waves (delivery, target roles, pipelines), every stack only in
the account it belongs in, cross-account policy changes called out by diff, and what comes
next after a first create.

The pure parts are tested on templates the generator builds from specs/shipping-api.yaml
(tools account 111111111111, dev 222222222222, prod 444444444444); the command line runs
against tests/fake_aws.py with one caller identity per profile."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.ops import deploy as deploy_module
from generator.ops.aftercreate import next_steps
from generator.ops.deploy import DeployRequest, Outcome, capability_for
from generator.ops.diff import cross_account_changes
from generator.ops.generate import generate
from generator.ops.waves import belongs, home_of, in_waves, misplaced
from generator.spec.sources import spec_names

from .fake_aws import calls, deploy_calls, install, writes

REPO_SPEC = Path(__file__).resolve().parent.parent / "specs" / "shipping-api.yaml"
TOOLS, DEV, PROD, MANAGEMENT, OTHER = (
    "111111111111",
    "222222222222",
    "444444444444",
    "999999999999",
    "333333333333",
)
PROFILES = {"tools": TOOLS, "dev": DEV, "prod": PROD, "mgmt": MANAGEMENT, "other": OTHER}


def stackset_spec() -> str:
    return REPO_SPEC.read_text()


def stacks_spec() -> str:
    """The same service with `target_roles: stacks`: one roles stack per target account."""
    text = stackset_spec().replace("target_roles: stackset", "target_roles: stacks")
    return text.replace("  organizational_units: [ou-ab12-34cd5678]\n", "")


def build(project: Path, spec: str) -> Path:
    """specs/shipping-api.yaml and the JSON templates the generator builds from it (not
    linted: the build's lint is tested elsewhere and takes seconds)."""
    (project / "specs").mkdir(parents=True, exist_ok=True)
    (project / "specs" / "shipping-api.yaml").write_text(spec)
    templates = project / "templates"
    templates.mkdir(exist_ok=True)
    names = spec_names([project / "specs"])
    generated = generate(list(names), "json", bootstrap=False, names=names)
    for name, text in generated.files.items():
        (templates / name).write_text(text)
    return templates


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each variant's templates, built once."""
    root = tmp_path_factory.mktemp("built")
    return {
        "stackset": build(root / "stackset", stackset_spec()),
        "stacks": build(root / "stacks", stacks_spec()),
    }


def data(built: dict[str, Path], variant: str, stem: str) -> dict[str, Any]:
    return json.loads((built[variant] / f"{stem}.json").read_text())


def record(template: dict[str, Any]) -> dict[str, Any]:
    return template["Metadata"]["PipelineGenerator"]


# --- 1. capabilities ---------------------------------------------------------------------


def test_named_roles_need_capability_named_iam(built: dict[str, Path]) -> None:
    assert capability_for(data(built, "stackset", "shipping-api-dev")) == "CAPABILITY_NAMED_IAM"
    assert capability_for(data(built, "stacks", "shipping-api-targets")) == "CAPABILITY_NAMED_IAM"
    # a StackSet acknowledging named roles for its instances
    assert capability_for(data(built, "stackset", "shipping-api-targets")) == (
        "CAPABILITY_NAMED_IAM"
    )
    # the delivery stack has no IAM resource: the default, as for every single-account stack
    assert capability_for(data(built, "stackset", f"delivery-{TOOLS}")) == "CAPABILITY_IAM"


def test_unnamed_iam_resources_keep_capability_iam() -> None:
    role: dict[str, Any] = {
        "Type": "AWS::IAM::Role",
        "Properties": {"Path": "/", "AssumeRolePolicyDocument": {}},
    }
    assert capability_for({"Resources": {"Role": role}}) == "CAPABILITY_IAM"
    named = copy.deepcopy(role)
    named["Properties"]["RoleName"] = "x"
    assert capability_for({"Resources": {"Role": role, "Named": named}}) == ("CAPABILITY_NAMED_IAM")
    policy = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "p"}}
    assert capability_for({"Resources": {"P": policy}}) == "CAPABILITY_NAMED_IAM"
    stackset = {
        "Type": "AWS::CloudFormation::StackSet",
        "Properties": {"Capabilities": ["CAPABILITY_IAM"]},
    }
    assert capability_for({"Resources": {"S": stackset}}) == "CAPABILITY_IAM"


def test_single_account_templates_keep_capability_iam() -> None:
    folder = REPO_SPEC.parent.parent / "templates"
    for stem in ("orders-api-dev", "payments-gateway-prod", "bootstrap-deployer"):
        assert capability_for(json.loads((folder / f"{stem}.json").read_text())) == (
            "CAPABILITY_IAM"
        ), stem


# --- 2. waves ----------------------------------------------------------------------------


def test_waves_put_delivery_then_target_roles_then_pipelines(built: dict[str, Path]) -> None:
    stems = ["shipping-api-dev", "shipping-api-targets", "shipping-api-prod", f"delivery-{TOOLS}"]
    for variant in ("stackset", "stacks"):
        waves = in_waves(stems, lambda stem, v=variant: record(data(built, v, stem)))
        assert waves == [
            [f"delivery-{TOOLS}"],
            ["shipping-api-targets"],
            ["shipping-api-dev", "shipping-api-prod"],
        ]
    # single-account templates: one wave, their order kept
    assert in_waves(["b", "a"], lambda _: {"Service": "s", "Environment": "dev"}) == [["b", "a"]]


# --- 3. accounts -------------------------------------------------------------------------


def test_each_stack_belongs_in_its_account(built: dict[str, Path]) -> None:
    pipeline = record(data(built, "stackset", "shipping-api-dev"))
    delivery = record(data(built, "stackset", f"delivery-{TOOLS}"))
    targets = record(data(built, "stacks", "shipping-api-targets"))
    stackset = record(data(built, "stackset", "shipping-api-targets"))
    for r in (pipeline, delivery):
        assert belongs(home_of(r), TOOLS) and not belongs(home_of(r), DEV)
    assert belongs(home_of(targets), DEV) and belongs(home_of(targets), PROD)
    assert not belongs(home_of(targets), TOOLS) and not belongs(home_of(targets), OTHER)
    # CallAs SELF: the management account, once known; never a target account
    assert belongs(home_of(stackset, MANAGEMENT), MANAGEMENT)
    assert not belongs(home_of(stackset, MANAGEMENT), TOOLS)
    assert not belongs(home_of(stackset, None), DEV)
    assert belongs(home_of(stackset, None), TOOLS)  # management account not readable
    delegated = {**stackset, "CallAs": "DELEGATED_ADMIN"}
    assert belongs(home_of(delegated, MANAGEMENT), TOOLS)
    assert not belongs(home_of(delegated, MANAGEMENT), MANAGEMENT)
    assert not belongs(home_of(delegated, MANAGEMENT), PROD)
    # no account keys: anywhere, as before
    assert home_of({"Service": "orders-api", "Environment": "dev"}) is None


def test_the_refusal_names_the_account_and_the_command(built: dict[str, Path]) -> None:
    pipeline = record(data(built, "stackset", "shipping-api-dev"))
    text = misplaced("shipping-api-dev", pipeline, DEV, home_of(pipeline))  # type: ignore[arg-type]
    assert text == (
        f"shipping-api-dev belongs in account {TOOLS}, but the credentials are for account "
        f"{DEV}. Deploy it with credentials for that account:\n"
        f"  pipeline-generator deploy shipping-api-dev --profile <profile for account {TOOLS}>"
    )
    targets = record(data(built, "stacks", "shipping-api-targets"))
    text = misplaced("shipping-api-targets", targets, OTHER, home_of(targets), "eu-west-1")  # type: ignore[arg-type]
    assert f"in account {OTHER} it would create no resource" in text
    assert (
        f"  pipeline-generator deploy shipping-api-targets --profile <profile for account {DEV}>"
        " --region eu-west-1\n"
        f"  pipeline-generator deploy shipping-api-targets --profile <profile for account {PROD}>"
        " --region eu-west-1"
    ) in text


# --- 4. diff -----------------------------------------------------------------------------


def test_diff_calls_out_policies_that_let_another_account_in(
    built: dict[str, Path], tmp_path: Path
) -> None:
    moved = build(tmp_path, stackset_spec().replace(f'account: "{PROD}"', f'account: "{OTHER}"'))
    old_key = data(built, "stackset", f"delivery-{TOOLS}")
    new_key = json.loads((moved / f"delivery-{TOOLS}.json").read_text())
    assert cross_account_changes(old_key, new_key) == [
        f"  cross-account: ArtifactKey key policy changed (principals of accounts {DEV}, "
        f"{OTHER}, {PROD})"
    ]
    old_prod = data(built, "stackset", "shipping-api-prod")
    new_prod = json.loads((moved / "shipping-api-prod.json").read_text())
    assert cross_account_changes(old_prod, new_prod) == [
        f"  cross-account: ArtifactBucketPolicy bucket policy changed (principals of accounts "
        f"{OTHER}, {PROD})"
    ]
    dev = data(built, "stackset", "shipping-api-dev")
    assert (
        cross_account_changes(dev, json.loads((moved / "shipping-api-dev.json").read_text())) == []
    )


def test_diff_sees_a_trust_policy_inside_the_stacksets_template(built: dict[str, Path]) -> None:
    old = data(built, "stackset", "shipping-api-targets")
    new = copy.deepcopy(old)
    stackset = new["Resources"]["TargetRolesStackSet"]["Properties"]
    body = json.loads(stackset["TemplateBody"])
    trust = body["Resources"]["ProdDeployRole"]["Properties"]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Principal"]["AWS"] = {
        "Fn::Sub": f"arn:${{AWS::Partition}}:iam::{OTHER}:root"
    }
    stackset["TemplateBody"] = json.dumps(body)
    assert cross_account_changes(old, new) == [
        f"  cross-account: TargetRolesStackSet/ProdDeployRole trust policy changed "
        f"(principals of accounts {TOOLS}, {OTHER})"
    ]
    # a new roles template: each role's trust is new
    added = cross_account_changes(None, data(built, "stacks", "shipping-api-targets"))
    assert added == [
        f"  cross-account: DevDeployRole trust policy added (principals of account {TOOLS})",
        f"  cross-account: ProdDeployRole trust policy added (principals of account {TOOLS})",
    ]


def test_single_account_templates_have_no_cross_account_line() -> None:
    folder = REPO_SPEC.parent.parent / "templates"
    for path in sorted(folder.glob("*.json")):
        template = json.loads(path.read_text())
        if "Account" not in json.dumps(template.get("Metadata")):
            assert cross_account_changes(None, template) == [], path


def test_the_diff_command_prints_the_cross_account_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build(tmp_path, stackset_spec())
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "specs" / "shipping-api.yaml"
    spec.write_text(spec.read_text().replace(f'account: "{PROD}"', f'account: "{OTHER}"'))
    assert main(["diff"]) == 1
    out = capsys.readouterr().out
    assert f"delivery-{TOOLS} (templates/delivery-{TOOLS}.json):" in out
    assert "  cross-account: ArtifactKey key policy changed" in out
    assert "  cross-account: ArtifactBucketPolicy bucket policy changed" in out


# --- 5. what comes next ------------------------------------------------------------------


def test_next_steps_after_the_account_stacks(built: dict[str, Path]) -> None:
    from generator.ops.generate import load_file

    spec = load_file(built["stackset"].parent / "specs" / "shipping-api.yaml").spec
    (delivery,) = next_steps(data(built, "stackset", f"delivery-{TOOLS}"), None, None, TOOLS)
    assert delivery.startswith("deploy the pipelines of shipping-api in this account")
    assert f"--profile <profile for account {TOOLS}>" in delivery
    (stackset,) = next_steps(data(built, "stackset", "shipping-api-targets"), spec, None, TOOLS)
    assert (
        f"rolls the deploy roles out to the target accounts {DEV}, {PROD} in the OUs "
        "ou-ab12-34cd5678"
    ) in stackset
    assert "list-stack-instances --stack-set-name shipping-api-targets --call-as SELF" in stackset
    assert (
        f"pipeline-generator deploy shipping-api-prod --profile <profile for account {TOOLS}>"
        in (stackset)
    )
    spec = load_file(built["stacks"].parent / "specs" / "shipping-api.yaml").spec
    steps = next_steps(data(built, "stacks", "shipping-api-targets"), spec, None, DEV)
    assert steps[0] == (
        "deploy it in the other target accounts too: pipeline-generator deploy "
        f"shipping-api-targets --profile <profile for account {PROD}>"
    )
    assert len(steps) == 2 and steps[1].startswith("once every target account has its roles")


# --- the command line, against the stand-in aws -----------------------------------------


@pytest.fixture()
def project(built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stackset variant, built, as the current directory; the stand-in aws first on
    PATH, answering one identity per profile and the organization's management account."""
    shutil.copytree(built["stackset"].parent, tmp_path, dirs_exist_ok=True)
    bin_ = tmp_path / "bin"
    install(bin_)
    for profile, account in PROFILES.items():
        (bin_ / f"identity-{profile}.json").write_text(
            json.dumps({"UserId": "AROA:x", "Account": account,
                        "Arn": f"arn:aws:sts::{account}:assumed-role/Admin/x"})
        )  # fmt: skip
    (bin_ / "organization.json").write_text(
        json.dumps({"Organization": {"Id": "o-abc", "MasterAccountId": MANAGEMENT}})
    )
    (bin_ / "connection.json").write_text(
        json.dumps({"Connection": {"ConnectionName": "acme-github", "ProviderType": "GitHub",
                                   "ConnectionStatus": "AVAILABLE"}})
    )  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{bin_}:{os.environ['PATH']}")
    monkeypatch.delenv("AWS_CLI", raising=False)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "FAKE_AWS_EXIT"):
        monkeypatch.delenv(name, raising=False)
    # the stand-in's deploy ends at once: no event polls while it runs (each call of the
    # stand-in is a Python start, a quarter of a second)
    monkeypatch.setenv("PIPELINE_GENERATOR_POLL_SECONDS", "5")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def stack_of(call: list[str]) -> str:
    return call[call.index("--stack-name") + 1]


@pytest.mark.slow
def test_a_pipeline_stack_is_refused_outside_the_tools_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "deploy", "shipping-api-dev", "--profile", "dev")
    assert status == 2
    assert (
        f"shipping-api-dev belongs in account {TOOLS}, but the credentials are for account {DEV}"
        in err
    )
    assert (
        f"pipeline-generator deploy shipping-api-dev --profile <profile for account {TOOLS}>" in err
    )
    assert writes(project / "bin") == []
    # refused right after the identity, before the checks that read the account
    made = [c[:2] for c in calls(project / "bin")]
    assert made[0] == ["sts", "get-caller-identity"]
    assert ["codeconnections", "get-connection"] not in made


@pytest.mark.slow
def test_a_stackset_never_deploys_in_a_target_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "deploy", "shipping-api-targets", "--profile", "prod")
    assert status == 2
    assert (
        "shipping-api-targets is a StackSet over the target accounts; it deploys from the "
        f"organization's management account {MANAGEMENT}, never from a target account such "
        f"as {PROD}"
    ) in err
    status, _, err = run(capsys, "deploy", "shipping-api-targets", "--profile", "tools")
    assert status == 2
    assert f"belongs in the organization's management account {MANAGEMENT}, not {TOOLS}" in err
    assert writes(project / "bin") == []


@pytest.mark.slow
def test_deploy_all_runs_this_accounts_stacks_in_waves_and_lists_the_rest(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "deploy-all", "dev", "--profile", "tools")
    assert status == 0, out + err
    deployed = deploy_calls(project / "bin")
    assert [stack_of(c) for c in deployed] == ["pipeline-delivery", "shipping-api-dev"]
    assert [c[c.index("--capabilities") + 1] for c in deployed] == [
        "CAPABILITY_IAM",
        "CAPABILITY_NAMED_IAM",
    ]
    assert (
        f"Not deployed with these credentials (account {TOOLS}); deploy these in this order "
        "with credentials for their account:\n"
        f"  shipping-api-targets: belongs in the organization's management account {MANAGEMENT}\n"
        f"    pipeline-generator deploy shipping-api-targets --profile <profile for account "
        f"{MANAGEMENT}>"
    ) in out


def test_a_failed_wave_stops_the_next(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tried = []

    def fails(request: DeployRequest, environ: object, say: object) -> Outcome:
        tried.append(request.stack)
        return Outcome(request.stack, "failed", 0, "Deploying failed: AccessDenied")

    monkeypatch.setattr(deploy_module, "deploy_one", fails)
    status, out, _ = run(capsys, "deploy-all", "dev", "--profile", "tools")
    assert status == 1
    assert tried == [f"delivery-{TOOLS}"]
    assert "shipping-api-dev" in out
    assert "not run" in out and f"waits for delivery-{TOOLS} to deploy" in out
    # from the management account only the StackSet; the tools account's stacks are listed
    tried.clear()
    status, out, _ = run(capsys, "deploy-all", "dev", "--profile", "mgmt")
    assert tried == ["shipping-api-targets"]
    assert (
        f"  delivery-{TOOLS}: belongs in account {TOOLS}\n"
        f"    pipeline-generator deploy delivery-{TOOLS} --profile <profile for account {TOOLS}>\n"
        f"  shipping-api-dev: belongs in account {TOOLS}\n"
    ) in out


@pytest.mark.slow
def test_a_targets_stack_outside_its_accounts_is_refused(
    built: dict[str, Path], project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(built["stacks"].parent, project, dirs_exist_ok=True)
    status, _, err = run(capsys, "deploy", "shipping-api-targets", "--profile", "other")
    assert status == 2
    assert f"in account {OTHER} it would create no resource" in err
    status, out, err = run(capsys, "deploy", "shipping-api-targets", "--profile", "dev")
    assert status == 0, err
    (deployed,) = deploy_calls(project / "bin")
    assert deployed[deployed.index("--capabilities") + 1] == "CAPABILITY_NAMED_IAM"
    assert (
        "deploy it in the other target accounts too: pipeline-generator deploy "
        f"shipping-api-targets --profile <profile for account {PROD}>"
    ) in out


@pytest.mark.slow
def test_diff_deployed_calls_out_the_cross_account_change(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = json.loads((project / "templates" / "shipping-api-prod.json").read_text())
    statements = deployed["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]
    statements["Statement"] = [s for s in statements["Statement"] if "AWS" not in str(s)]
    (project / "bin" / "template.json").write_text(json.dumps({"TemplateBody": deployed}))
    status, out, _ = run(capsys, "diff", "--deployed", "shipping-api-prod", "--profile", "tools")
    assert status == 1
    assert "shipping-api-prod (deployed -> templates):" in out
    assert out.endswith(
        f"  cross-account: ArtifactBucketPolicy bucket policy added (principals of account "
        f"{PROD})\n"
    )


@pytest.mark.slow
def test_the_deployer_role_is_not_used_for_the_target_roles(
    built: dict[str, Path], project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(built["stacks"].parent, project, dirs_exist_ok=True)
    status, out, err = run(
        capsys, "deploy", "shipping-api-targets", "--profile", "dev", "--role-arn", "deployer"
    )
    assert status == 0, err
    assert "deploys pipeline stacks only; deploying shipping-api-targets with your own" in out
    (deployed,) = deploy_calls(project / "bin")
    assert "--role-arn" not in deployed
