"""The benchmark keeps working (at N = 10); its figures are reported, not asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.bench import run, synthetic_spec

# subprocess builds: `make test-fast` skips them
pytestmark = pytest.mark.slow


def test_synthetic_specs_vary_provider_deploy_target_secrets_and_approval() -> None:
    specs = [synthetic_spec(i) for i in range(12)]
    assert {s["repository"]["provider"] for s in specs} == {"bitbucket", "github"}
    assert {next(iter(s["environments"]["prod"]["deploy"])) for s in specs} == {"ecs", "s3"}
    assert {bool(s["build"]["secrets"]) for s in specs} == {True, False}
    assert {s["environments"]["prod"]["approval"] for s in specs} == {True, False}


def test_benchmark_runs_at_ten_stacks(tmp_path: Path, capsys) -> None:
    results = tmp_path / "results.json"
    rows = run([10], results)
    runs = {row["run"] for row in rows}
    assert runs == {
        "start-up: one spec, cold",
        "cold build",
        "cfn-lint alone, same templates (floor)",
        "warm no-op build",
        "check (cached)",
        "check (no cache)",
    }
    assert all(row["wall_s"] > 0 and row["peak_rss_mb"] > 0 for row in rows)
    assert json.loads(results.read_text())["results"] == rows
    out = capsys.readouterr().out
    assert "| 10 | cold build |" in out
    assert "10 stacks: cold build / cfn-lint floor = " in out
