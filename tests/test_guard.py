"""AWS Control Tower's proactive controls, run by the real cfn-guard over every template
`make templates` writes and over a strict variant of every example spec."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.aws import controls
from generator.checks.guard import Guard, waivers_of
from generator.cli import main
from generator.ops.stackfiles import parse_template

from .conftest import ROOT, SPECS, TEMPLATES

# The real cfn-guard over every template: the full suite's tier (make test).
pytestmark = pytest.mark.slow

GUARD_DIR = Path(os.environ.get("CFN_GUARD_DIR", ROOT / ".tools" / "cfn-guard"))
STANDARD_LIMIT = 5
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LOG_BUCKET = "acme-s3-access-logs-111122223333-eu-west-1"


@pytest.fixture(scope="module")
def guard() -> Guard:
    if not GUARD_DIR.exists() and "CFN_GUARD_DIR" not in os.environ:
        pytest.skip("cfn-guard is not installed: `make test` installs it")
    return Guard.installed(GUARD_DIR)


def _service_templates(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.glob("*.yaml")) if not p.name.startswith("bootstrap-")]


def _load(path: Path) -> dict[str, Any]:
    data = parse_template(path.read_text(encoding="utf-8"))
    assert data is not None, path
    return data


def test_standard_templates_fail_only_their_waived_controls(guard: Guard) -> None:
    templates = _service_templates(TEMPLATES)
    failures = guard.failures(templates)
    for path in templates:
        failing = failures[str(path)]
        waived = waivers_of(_load(path))
        # Exactly the waived controls fail: a waiver nothing needs is stale, too.
        assert set(failing) == set(waived), path.name
        if _load(path)["Metadata"]["PipelineGenerator"].get("Hardening") == "standard":
            assert len(failing) <= STANDARD_LIMIT, (path.name, failing)


def test_bootstrap_templates_pass_every_control(guard: Guard) -> None:
    bootstraps = sorted(TEMPLATES.glob("bootstrap-*.yaml"))
    assert bootstraps
    assert all(not found for found in guard.failures(bootstraps).values())


def _strict_variant(data: dict[str, Any]) -> dict[str, Any]:
    """The example spec as a strict author would write it."""
    data = dict(data, hardening="strict")
    # A cross-account pipeline's artifact key must be in its tools account.
    tools = (data.get("delivery") or {}).get("tools_account")
    data.setdefault("kms_key", KEY.replace("111122223333", tools) if tools else KEY)
    data.setdefault("access_logs", LOG_BUCKET)
    # No privileged mode, so no Docker layer cache either.
    build = {k: v for k, v in data.get("build", {}).items() if k != "privileged"}
    if build.get("cache") == "local":
        build["cache"] = "s3"
    data["build"] = build
    data.pop("logs", None)
    # strict refuses regions (a regional store could not log in its Region)
    for env in (data.get("environments") or {}).values():
        env.pop("regions", None)
    return data


@pytest.fixture(scope="module")
def strict_templates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("strict")
    specs, out = root / "specs", root / "templates"
    specs.mkdir()
    for spec in sorted(SPECS.glob("*.yaml")):
        variant = _strict_variant(yaml.safe_load(spec.read_text(encoding="utf-8")))
        (specs / spec.name).write_text(yaml.safe_dump(variant), encoding="utf-8")
    assert main(["build", str(specs), "-o", str(out), "--format", "yaml"]) == 0
    return _service_templates(out)


def test_strict_variants_fail_no_control(guard: Guard, strict_templates: list[Path]) -> None:
    assert len(strict_templates) >= len(list(SPECS.glob("*.yaml")))
    failures = guard.failures(strict_templates)
    assert any(p.name.endswith("-checks.yaml") for p in strict_templates)
    for path in strict_templates:
        assert failures[str(path)] == {}, path.name
        assert waivers_of(_load(path)) == {}, path.name


def test_strict_buckets_log_to_access_logs_and_lock_without_default_retention(
    strict_templates: list[Path],
) -> None:
    """No log bucket of the stack's own; Object Lock on with no default retention, so an
    upload without Content-MD5 or a checksum header is not refused (S3 API reference,
    PutObject)."""
    for path in strict_templates:
        resources = _load(path)["Resources"]
        buckets = {k: r for k, r in resources.items() if r["Type"] == "AWS::S3::Bucket"}
        assert set(buckets) <= {"SourceBucket", "ArtifactBucket"}, path.name
        for name, bucket in buckets.items():
            props = bucket["Properties"]
            assert props["LoggingConfiguration"]["DestinationBucketName"] == LOG_BUCKET
            prefix = "source/" if name == "SourceBucket" else "artifacts/"
            assert props["LoggingConfiguration"]["LogFilePrefix"] == {
                "Fn::Sub": "${AWS::StackName}/" + prefix
            }
            assert props["ObjectLockEnabled"] is True
            assert props["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}


def test_user_rules_run_beside_control_tower(guard: Guard, tmp_path: Path) -> None:
    """docs/security.md's example of a team's own rule, run by `make test GUARD_RULES=...`."""
    rule = tmp_path / "team.guard"
    rule.write_text(
        "let projects = Resources.*[ Type == 'AWS::CodeBuild::Project' ]\n"
        "rule team_builds_time_out_within_an_hour when %projects not empty {\n"
        "    %projects.Properties.TimeoutInMinutes <= 60\n"
        "    <<[TEAM.1]: builds time out within an hour>>\n"
        "}\n",
        encoding="utf-8",
    )
    ours = Guard(guard.binary, (*guard.rules, rule))
    # The spec's build.timeout is a literal in the template, so a rule can read it:
    # orders-api builds for 60 minutes at most, billing-worker for 90.
    within, beyond = TEMPLATES / "orders-api-dev.yaml", TEMPLATES / "billing-worker-dev.yaml"
    failing = ours.failures([within, beyond])
    assert "team_builds_time_out_within_an_hour" not in failing[str(within)]
    assert "team_builds_time_out_within_an_hour" in failing[str(beyond)]


def test_readme_lists_every_waiver_with_its_reason() -> None:
    readme = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for waiver in controls.ALL_WAIVERS:
        assert waiver.control in readme, waiver.control


def test_multi_account_templates_pass_every_control(guard: Guard, tmp_path: Path) -> None:
    """The delivery key (CT.KMS.PR.1 rotation, CT.KMS.PR.3 grants only for AWS services),
    the StackSet, and the deploy roles (CT.IAM.PR.1/PR.5: no "*" or "service:*" actions)
    both as the StackSet's body and as the roles stack of target_roles: stacks."""
    import json

    from .policy_audit import stackset_bodies

    specs, out = tmp_path / "specs", tmp_path / "out"
    specs.mkdir()
    data = yaml.safe_load((SPECS / "shipping-api.yaml").read_text(encoding="utf-8"))
    delivery = {k: v for k, v in data["delivery"].items() if k != "organizational_units"}
    data["delivery"] = dict(delivery, target_roles="stacks")
    (specs / "shipping-api.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["build", str(specs), "-o", str(out), "--format", "json"]) == 0
    multi = [
        p
        for p in sorted(TEMPLATES.glob("*.json"))
        if "Kind" in json.loads(p.read_text())["Metadata"]["PipelineGenerator"]
    ]
    assert {p.name for p in multi} >= {"delivery-111111111111.json", "shipping-api-targets.json"}
    bodies = []
    for path in multi:
        for body in stackset_bodies(json.loads(path.read_text())):
            bodies.append(tmp_path / f"{path.stem}-body.json")
            bodies[-1].write_text(json.dumps(body), encoding="utf-8")
    assert bodies
    roles_stack = out / "shipping-api-targets.json"
    assert json.loads(roles_stack.read_text())["Metadata"]["PipelineGenerator"]["Kind"] == "targets"
    templates = [*multi, *bodies, roles_stack]
    failures = guard.failures(templates)
    for path in templates:
        # a Region's artifact store fails exactly the controls its Metadata waives, as a
        # standard stack's buckets (strict refuses regions)
        assert set(failures[str(path)]) == set(waivers_of(_load(path))), path.name
        if not path.name.startswith("regional-"):
            assert waivers_of(_load(path)) == {}, path.name
