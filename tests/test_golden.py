"""Golden files: templates/ is what specs/ builds. Refresh with
`pytest tests/test_golden.py --update-golden` (or `make templates`)."""

from __future__ import annotations

import difflib
import json

import pytest

from generator.ops.generate import load_specs
from generator.render.formats import to_json, to_yaml
from generator.render.output import write_all
from generator.spec.sources import discover

from .conftest import SPECS, TEMPLATES


def test_every_example_stack_matches_its_golden_file(all_example_stacks, request) -> None:
    from generator.ops.generate import bootstrap_stacks, delivery_stacks, has_targets

    specs = [spec for _, spec in load_specs(discover([SPECS]))]
    cross_account = any(has_targets(spec) for spec in specs)
    stacks = [
        *all_example_stacks,
        *delivery_stacks(specs),
        *bootstrap_stacks(named_artifact_buckets=cross_account),
    ]
    if request.config.getoption("--update-golden"):
        files = {f"{s.name}.json": to_json(s.data) for s in stacks}
        files |= {f"{s.name}.yaml": to_yaml(s.data) for s in stacks}
        write_all(TEMPLATES, files)
    failures = []
    for stack in stacks:
        golden_file = TEMPLATES / f"{stack.name}.json"
        assert golden_file.is_file(), f"{golden_file} missing: run make templates"
        golden = json.loads(golden_file.read_text())
        if golden != stack.data:
            diff = difflib.unified_diff(
                json.dumps(golden, indent=2).splitlines(),
                json.dumps(stack.data, indent=2).splitlines(),
                f"{golden_file} (golden)",
                f"{stack.name} (built now)",
                lineterm="",
            )
            failures.append("\n".join(diff))
    if failures:
        pytest.fail("templates differ from their golden files:\n" + "\n\n".join(failures))


def test_golden_yaml_is_the_same_template_as_the_json(all_example_stacks) -> None:
    import yaml

    for stack in all_example_stacks:
        yaml_data = yaml.safe_load((TEMPLATES / f"{stack.name}.yaml").read_text())
        json_data = json.loads((TEMPLATES / f"{stack.name}.json").read_text())
        assert yaml_data == json_data, stack.name
