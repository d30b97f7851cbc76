"""Every emitted template lints clean: cfn-lint with informational checks, and our checks."""

from __future__ import annotations

import pytest

from generator.checks.lint import lint_texts
from generator.render.formats import to_json, to_yaml

from .conftest import TEMPLATES


@pytest.mark.slow
def test_cfn_lint_reports_nothing_on_any_emitted_template(all_example_stacks) -> None:
    """Service stacks and the target-account templates (a StackSet's body is linted as a
    template of its own in tests/test_cross_account.py)."""
    items = [(f"{s.name}.json", to_json(s.data)) for s in all_example_stacks]
    items += [(f"{s.name}.yaml", to_yaml(s.data)) for s in all_example_stacks]
    assert lint_texts(items) == []
    print(f"\nlinted {len(items)} templates clean (cfn-lint incl. informational, own checks)")


@pytest.mark.slow  # the same texts as above (test_golden): cache hits in the full suite
def test_committed_templates_lint_clean() -> None:
    files = sorted(TEMPLATES.glob("*.json")) + sorted(TEMPLATES.glob("*.yaml"))
    assert files
    assert lint_texts([(str(f), f.read_text()) for f in files]) == []


@pytest.mark.parametrize(
    "broken, rule",
    [
        ('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Nope": 1}}}}', "E3002"),
        ('{"Resources": {"L": {"Type": "AWS::Logs::LogGroup"}}}', "I3011"),
    ],
)
def test_lint_reports_cfn_lint_findings_with_rule_id(broken, rule) -> None:
    findings = lint_texts([("t.json", broken)])
    assert any(f"[{rule}]" in line and line.startswith("t.json:") for line in findings), findings
