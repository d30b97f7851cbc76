from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.generate import Stack, compose_stacks, discover, load_specs

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
TEMPLATES = ROOT / "templates"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite templates/ (the golden files) from specs/ instead of comparing",
    )


@pytest.fixture(scope="session")
def example_stacks() -> list[Stack]:
    return compose_stacks(load_specs(discover([SPECS])))


def resources_of(stack: Stack, kind: str) -> dict[str, Any]:
    return {
        name: resource
        for name, resource in stack.data["Resources"].items()
        if resource["Type"] == kind
    }
