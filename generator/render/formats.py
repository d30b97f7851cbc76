"""Template -> the exact bytes we write: JSON and CloudFormation-ready YAML.

YAML uses the long form of intrinsics (`Fn::Sub:` keys, not `!Sub` tags), which
CloudFormation accepts and which any YAML parser can read back; `yaml_emitter`
writes it, and `check_round_trip` proves each file reads back as its JSON twin.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from troposphere import Template

from . import yaml_emitter

# libyaml's parser reads the YAML back several times faster than PyYAML's.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


TOP_LEVEL_ORDER = (
    "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings",
    "Conditions", "Resources", "Outputs",
)  # fmt: skip
RESOURCE_ORDER = (
    "Type", "DeletionPolicy", "UpdateReplacePolicy", "DependsOn", "Condition", "Metadata",
    "Properties",
)  # fmt: skip


def _ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    known = {key: data[key] for key in order if key in data}
    return known | {key: value for key, value in data.items() if key not in known}


def template_data(template: Template) -> dict[str, Any]:
    """The template as plain data, in a reviewer's order: sections as in AWS's
    template anatomy, each resource's Type and policies before its Properties."""
    data = _ordered(template.to_dict(), TOP_LEVEL_ORDER)
    data["Resources"] = {
        name: _ordered(resource, RESOURCE_ORDER) for name, resource in data["Resources"].items()
    }
    return data


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_yaml(data: dict[str, Any]) -> str:
    return yaml_emitter.dump(data)


RENDERERS = {"json": to_json, "yaml": to_yaml}


def twins(files: dict[str, str]) -> list[tuple[str, str, str]]:
    """(YAML file name, its text, its JSON twin's text) for every pair in files."""
    return [
        (name, text, files[name.removesuffix(".yaml") + ".json"])
        for name, text in files.items()
        if name.endswith(".yaml") and name.removesuffix(".yaml") + ".json" in files
    ]


def round_trip_problem(pair: tuple[str, str, str]) -> str | None:
    """A YAML file must read back as the same template as its JSON twin (the JSON is what
    cfn-lint checked)."""
    name, yaml_text, json_text = pair
    if yaml.load(yaml_text, Loader=_BaseLoader) != json.loads(json_text):
        twin = name.removesuffix(".yaml") + ".json"
        return f"{name}: does not read back as the same template as {twin}"
    return None


def check_round_trip(files: dict[str, str]) -> list[str]:
    return [p for p in map(round_trip_problem, twins(files)) if p is not None]
