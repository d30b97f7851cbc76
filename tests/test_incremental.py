"""The caches make unchanged runs cheap and are never trusted blindly."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from generator.checks.lint import lint_texts
from generator.cli import main
from generator.ops.cache import fingerprint
from generator.ops.progress import Progress

from .conftest import SPECS, TEMPLATES

ORDERS = str(SPECS / "orders-api.yaml")


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("PIPELINE_GENERATOR_CACHE", str(directory))
    return directory


def test_second_build_and_check_take_the_cached_path(tmp_path: Path, cache: Path, capsys) -> None:
    out = str(tmp_path / "out")
    assert main(["build", ORDERS, "-o", out]) == 0
    assert "lint clean" in capsys.readouterr().out
    assert main(["build", ORDERS, "-o", out]) == 0
    assert "up to date (no spec or generator change)" in capsys.readouterr().out
    assert main(["check", ORDERS, "-o", out]) == 0


def test_a_hand_edited_template_is_not_hidden_by_the_cache(
    tmp_path: Path, cache: Path, capsys
) -> None:
    out = tmp_path / "out"
    assert main(["build", ORDERS, "-o", str(out)]) == 0
    edited = out / "orders-api-dev.yaml"
    edited.write_text(edited.read_text() + "# edited\n")
    assert main(["check", ORDERS, "-o", str(out)]) == 1
    assert main(["build", ORDERS, "-o", str(out)]) == 0
    assert "1 changed" in capsys.readouterr().out
    assert main(["check", ORDERS, "-o", str(out)]) == 0


def test_corrupt_cache_files_are_ignored(tmp_path: Path, cache: Path) -> None:
    cache.mkdir()
    (cache / "build.json").write_text("{not json")
    (cache / "lint.json").write_bytes(os.urandom(64))
    out = str(tmp_path / "out")
    assert main(["build", ORDERS, "-o", out]) == 0
    assert main(["check", ORDERS, "-o", out]) == 0


def test_a_foreign_cache_cannot_declare_a_broken_template_clean(cache: Path) -> None:
    broken = (
        (TEMPLATES / "orders-api-dev.json")
        .read_text()
        .replace('"Pattern": "PUSH"', '"Pattern": "PUSH, PULL_REQUEST_MERGED"')
    )
    from generator.ops.cache import sha256

    cache.mkdir()
    (cache / "lint.json").write_text(
        json.dumps({"fingerprint": "another-release", "entries": {sha256(broken): []}})
    )
    assert any("[E9103]" in f for f in lint_texts([("t.json", broken)]))
    stored = json.loads((cache / "lint.json").read_text())
    assert stored["fingerprint"] == fingerprint()


def test_progress_prints_periodic_lines_when_not_a_terminal(monkeypatch) -> None:
    stream = io.StringIO()
    meter = Progress("linted", 40, stream=stream)
    for _ in range(40):
        meter.advance()
    meter.done()
    assert stream.getvalue().splitlines()[-1].startswith("40/40 linted")
    quiet = io.StringIO()
    small = Progress("linted", 3, stream=quiet)
    small.advance()
    assert quiet.getvalue() == ""


def test_progress_draws_a_bar_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    meter = Progress("linted", 20, stream=stream)
    for _ in range(20):
        meter.advance()
    meter.done()
    assert "\r[" + "#" * 30 + "] 20/20 linted" in stream.getvalue()


def test_a_full_cache_keeps_only_what_this_run_used(cache: Path, monkeypatch) -> None:
    from generator.ops import cache as cache_module

    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 3)
    old = cache_module.JsonCache("lint")
    for i in range(5):
        old.put(f"old-{i}", [])
    old.save()
    assert len(cache_module.JsonCache("lint").entries) == 5  # saved before pruning applied
    run = cache_module.JsonCache("lint")
    run.get("old-1")
    run.put("new", [])
    run.save()
    assert set(cache_module.JsonCache("lint").entries) == {"old-1", "new"}


WARNED_SPEC = """\
service: shop-api
repository:
  provider: bitbucket
  url: https://bitbucket.org/acme/shop-api.git
build:
  privileged: true
  ecr: [shop-api]
environments:
  dev:
    branch: develop
    deploy:
      ecs: {cluster: dev, service: shop-api, task_roles: []}
  prod:
    branch: main
    deploy:
      ecs: {cluster: prod, service: shop-api, task_roles: [shop-api-task, shop-api-exec]}
"""


def test_an_unchanged_build_shows_the_same_warnings(tmp_path: Path, cache: Path, capsys) -> None:
    spec = tmp_path / "shop-api.yaml"
    spec.write_text(WARNED_SPEC, encoding="utf-8")
    out = str(tmp_path / "out")
    assert main(["build", str(spec), "-o", out]) == 0
    first = [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line]
    assert [line.split(": warning: ")[0] for line in first] == [
        f"{spec}:7:8: build.ecr",
        f"{spec}:12:58: environments.dev.deploy.ecs.task_roles",
    ]
    assert main(["build", str(spec), "-o", out]) == 0
    again = capsys.readouterr()
    assert "up to date (no spec or generator change)" in again.out
    assert [line for line in again.err.splitlines() if ": warning: " in line] == first
