"""Our YAML emitter: whatever it writes reads back as the same data, with PyYAML's
pure-Python loader and with libyaml's."""

from __future__ import annotations

import json

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.render.formats import check_round_trip, to_json, to_yaml

from .conftest import TEMPLATES, examples

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])

TRICKY = [
    "",
    " lead",
    "trail ",
    "yes",
    "No",
    "on",
    "null",
    "~",
    "1",
    "1.0",
    "0x1F",
    "2010-09-09",
    "- x",
    "? x",
    ": x",
    "a: b",
    "a #b",
    "#c",
    "{x}",
    "[x]",
    "&a",
    "*a",
    "!t",
    "|",
    ">",
    "'q'",
    '"q"',
    "%p",
    "@p",
    "`p",
    "x\n",
    "x\ny",
    "x\n\n",
    "\nx",
    " x\ny",
    "tab\there",
    "uni é ✓",
    "https://x/y?z=1",
    "${AWS::Region}",
    "arn:${AWS::Partition}:s3:::b/*",
    "-",
    "...",
    "1e3",
    ".inf",
    "x:",
    "a\r\nb",
    "\u2028",
    "  ",
    "x\n y\n",
    "<<",
    "=x",
    "0o7",
    "1_000",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(TRICKY),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
)
data = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=examples(500))
@given(st.dictionaries(st.text(max_size=10), data, max_size=5))
@example({"": "\n 0"})  # a block whose first non-empty line starts with a space
def test_anything_it_writes_reads_back_as_the_same_data(value) -> None:
    text = to_yaml(value)
    for loader in LOADERS:
        assert yaml.load(text, Loader=loader) == value


def test_every_committed_yaml_template_is_the_json_template() -> None:
    files = {p.name: p.read_text() for p in TEMPLATES.iterdir() if p.suffix in (".json", ".yaml")}
    assert check_round_trip(files) == []
    for path in sorted(TEMPLATES.glob("*.json")):
        assert (
            to_yaml(json.loads(path.read_text())) == (TEMPLATES / f"{path.stem}.yaml").read_text()
        )


def test_buildspecs_are_literal_blocks_and_check_round_trip_catches_a_mismatch() -> None:
    data = json.loads((TEMPLATES / "orders-api-dev.json").read_text())
    text = to_yaml(data)
    assert "        BuildSpec: |\n          version: 0.2\n" in text
    assert check_round_trip({"t.json": to_json(data), "t.yaml": text.replace("PUSH", "PULL")})
