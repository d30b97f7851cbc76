from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from generator.ops.generate import Stack, compose_stacks, load_specs
from generator.spec.sources import discover, spec_names

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
TEMPLATES = ROOT / "templates"

# One place for Hypothesis settings, loaded before any test module: property tests name
# their full example count with examples(); `make test-fast` (TEST_TIER=fast) draws a
# tenth of it, `HYPOTHESIS_PROFILE=long make test` ten times as many.
settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("long", parent=settings.get_profile("default"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def examples(full: int) -> int:
    """The example count for a property test whose full run draws `full`."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "long":
        return full * 10
    if os.environ.get("TEST_TIER") == "fast":
        return max(20, full // 10)
    return full


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite templates/ (the golden files) from specs/ instead of comparing",
    )
    parser.addoption(
        "--update-logical-ids",
        action="store_true",
        help="accept renamed logical IDs: rewrite tests/logical_ids.json (a rename replaces "
        "the resource; say so in CHANGELOG.md)",
    )


@pytest.fixture(scope="session")
def example_specs() -> list:
    return [spec for _, spec in load_specs(discover([SPECS]))]


@pytest.fixture(scope="session")
def all_example_stacks() -> list[Stack]:
    """Every template the example specs build: service stacks and the target-account
    templates (`<service>-targets`) of multi-account specs."""
    names = spec_names([SPECS])
    return compose_stacks(load_specs(names), names)


def kind_of(stack: Stack) -> str:
    """pipeline (a `<service>-<env>` or `<service>-checks` stack), targets or stackset."""
    return str(stack.data.get("Metadata", {}).get("PipelineGenerator", {}).get("Kind", "pipeline"))


@pytest.fixture(scope="session")
def example_stacks(all_example_stacks) -> list[Stack]:
    """The service stacks (`<service>-<env>`, `<service>-checks`) of the example specs."""
    return [s for s in all_example_stacks if kind_of(s) == "pipeline"]


@pytest.fixture(scope="session")
def target_stacks(all_example_stacks) -> list[Stack]:
    """The `<service>-targets` templates (roles, or their StackSet) of the example specs."""
    return [s for s in all_example_stacks if kind_of(s) != "pipeline"]


@pytest.fixture(scope="session")
def pipeline_stacks(example_stacks) -> list[Stack]:
    """The example stacks with a pipeline (not the `<service>-checks` stacks)."""
    return [s for s in example_stacks if not s.name.endswith("-checks")]


def resources_of(stack: Stack, kind: str) -> dict[str, Any]:
    return {
        name: resource
        for name, resource in stack.data["Resources"].items()
        if resource["Type"] == kind
    }


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests start from an empty cache of their own, never the developer's."""
    import os

    previous = os.environ.get("PIPELINE_GENERATOR_CACHE")
    os.environ["PIPELINE_GENERATOR_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("PIPELINE_GENERATOR_CACHE", None)
    else:
        os.environ["PIPELINE_GENERATOR_CACHE"] = previous
