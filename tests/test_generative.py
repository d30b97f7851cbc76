"""Property-based tests (marked slow: `make test-fast` skips them): specs drawn from the
model always build and lint clean;
mutated specs either build clean or fail with our SpecErrors, never anything else.

500 examples each by default; `HYPOTHESIS_PROFILE=long make test` runs 5,000
(settings in conftest.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks import run_checks
from generator.checks.lint import lint_texts
from generator.ops.generate import stack_data
from generator.render.formats import to_json
from generator.spec.errors import SpecErrors
from generator.spec.loader import load_spec_text
from generator.spec.validate import validate_spec

from .conftest import examples
from .strategies import plain_text, specs

pytestmark = pytest.mark.slow

# Drawn specs now also carry accounts, chains, gates and Regions, so each composes more
# templates; 200 (100 for the cfn-lint pass, ~0.3 s a template) keeps `make test` inside
# its 6 minutes on 2 cores. HYPOTHESIS_PROFILE=long draws ten times as many.
EXAMPLES = settings(max_examples=examples(200))
LINT_EXAMPLES = settings(max_examples=examples(100))


def build_all(text: str) -> list[dict[str, Any]]:
    """Every stack the spec builds (its checks stack too), overrides merged in."""
    spec = validate_spec(load_spec_text(text, "generated.yaml"))
    return [stack_data(spec, env) for env in spec.stack_environments]


ERROR_LINE = re.compile(r"^generated\.yaml:\d+:\d+: \S")


def assert_our_errors(exc: SpecErrors) -> None:
    """One or more errors, each `file:line:col: ...` with a message."""
    assert exc.errors
    for error in exc.errors:
        assert ERROR_LINE.match(str(error)), str(error)


@EXAMPLES
@given(specs())
def test_specs_drawn_from_the_model_build_and_pass_our_checks(spec: dict[str, Any]) -> None:
    for data in build_all(yaml.safe_dump(spec, allow_unicode=True)):
        assert run_checks(data) == []


def test_the_drawn_templates_lint_clean_with_cfn_lint() -> None:
    """cfn-lint over templates of drawn specs, on all cores. cfn-lint costs ~0.3 s a
    template: one stack of every drawn spec (the others differ only in branch, events and
    deploy target, which other draws cover)."""
    texts: dict[str, str] = {}

    @LINT_EXAMPLES
    @given(specs())
    def collect(spec: dict[str, Any]) -> None:
        text = to_json(build_all(yaml.safe_dump(spec, allow_unicode=True))[0])
        texts.setdefault(text, text)

    collect()
    items = [(f"generated-{i}.json", text) for i, text in enumerate(texts.values())]
    findings = lint_texts(items)
    print(f"\ncfn-lint checked {len(items)} generated templates: {len(findings)} findings")
    assert findings == []


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False),
    plain_text,
    st.text(min_size=200, max_size=2000),
    st.lists(plain_text, max_size=3),
    st.dictionaries(plain_text, plain_text, max_size=3),
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, prefix + (i,))
    return found


@st.composite
def mutated_specs(draw: st.DrawFn) -> dict[str, Any]:
    spec = json.loads(json.dumps(draw(specs())))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(spec)
        path = draw(st.sampled_from(paths))
        parent = spec
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(JUNK)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(plain_text)] = draw(JUNK)
    return spec


@EXAMPLES
@given(mutated_specs())
def test_mutated_specs_build_clean_or_raise_our_spec_error(spec: dict[str, Any]) -> None:
    try:
        templates = build_all(yaml.safe_dump(spec, allow_unicode=True))
    except SpecErrors as exc:
        assert_our_errors(exc)
        return
    for data in templates:
        assert run_checks(data) == []


@EXAMPLES
@given(st.text(max_size=300))
def test_arbitrary_text_is_a_spec_or_our_spec_error(text: str) -> None:
    try:
        templates = build_all(text)
    except SpecErrors as exc:
        assert_our_errors(exc)
        return
    for data in templates:
        assert run_checks(data) == []
