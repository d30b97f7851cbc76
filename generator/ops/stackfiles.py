"""The template folder as the deploy path sees it: which file of a stack deploys, what
the generator recorded in it (service, environment, the spec's path), and
which files no spec builds any more.

Every command that reads a template for a stack (deploy, deploy-all, diff, the stack
tags, the size limit) takes it from `deploy_file`, so what is checked is what deploys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..stack.naming import METADATA_KEY

TEMPLATE_SUFFIXES = (".json", ".yaml")
# When both twins exist the YAML deploys (it is the smaller file, and the one
# `aws cloudformation deploy` and the console users are told to upload).
DEPLOY_PREFERENCE = (".yaml", ".json")

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def deploy_name(stem: str, names: set[str] | list[str] | dict[str, str]) -> str | None:
    """Of the file names given, the one that deploys stack file `stem`."""
    for suffix in DEPLOY_PREFERENCE:
        if stem + suffix in names:
            return stem + suffix
    return None


def deploy_file(folder: Path, stem: str) -> Path | None:
    """The file of `stem` in folder that deploys: the YAML, else the JSON."""
    for suffix in DEPLOY_PREFERENCE:
        path = folder / (stem + suffix)
        if path.is_file():
            return path
    return None


def parse_template(text: str) -> dict[str, Any] | None:
    """A template's data (JSON, or YAML in long or short form), None when it is neither."""
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError:
            from cfnlint.decode import (
                decode_str,  # short-form tags (!Sub) need cfn-lint's loader
            )

            data, errors = decode_str(text)
            if errors:
                return None
    return dict(data) if isinstance(data, dict) else None


def read_template(path: Path) -> dict[str, Any] | None:
    try:
        return parse_template(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class StackFile:
    """One stack's deploy file in the template folder."""

    stem: str
    path: Path
    data: dict[str, Any]

    @property
    def record(self) -> dict[str, Any]:
        """What the generator wrote into the template's Metadata ({} for other files)."""
        metadata = self.data.get("Metadata")
        record = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
        return record if isinstance(record, dict) else {}

    @property
    def stack_name(self) -> str:
        return str(self.record.get("Stack") or self.stem)

    @property
    def environment(self) -> str | None:
        value = self.record.get("Environment")
        return value if isinstance(value, str) else None


def template_stems(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(
        {p.stem for p in folder.iterdir() if p.suffix in TEMPLATE_SUFFIXES and p.is_file()}
    )


def stack_file(folder: Path, stem: str) -> StackFile | None:
    path = deploy_file(folder, stem)
    if path is None:
        return None
    return StackFile(stem, path, read_template(path) or {})


def stack_files(folder: Path) -> list[StackFile]:
    return [f for f in (stack_file(folder, stem) for stem in template_stems(folder)) if f]


def stacks_of_environment(folder: Path, environment: str) -> list[StackFile]:
    """The service stacks whose templates record this environment (never a match on the
    end of a file name: `prod` is not `non-prod`)."""
    return [f for f in stack_files(folder) if f.environment == environment]


def unbuilt_files(folder: Path, built_stems: set[str]) -> tuple[list[Path], list[Path]]:
    """Template files in folder whose stack no spec builds: (written by this generator, so
    safe to remove; anything else, left alone)."""
    ours: list[Path] = []
    foreign: list[Path] = []
    for stem in template_stems(folder):
        if stem in built_stems:
            continue
        for suffix in TEMPLATE_SUFFIXES:
            path = folder / (stem + suffix)
            if path.is_file():
                data = read_template(path) or {}
                generated = METADATA_KEY in (data.get("Metadata") or {})
                (ours if generated else foreign).append(path)
    return ours, foreign
