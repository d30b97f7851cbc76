"""specs/*.yaml -> {file name: text}: discovery, validation and rendering of a
whole run, all specs or none."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .compose import compose
from .errors import SpecError, SpecErrors
from .loader import LoadedSpec, load_spec_file
from .model import Spec
from .naming import stack_name
from .render import RENDERERS, template_data
from .validate import validate_spec

SPEC_SUFFIXES = (".yaml", ".yml")
FORMATS = {"json": ("json",), "yaml": ("yaml",), "both": ("json", "yaml")}


@dataclass(frozen=True)
class Stack:
    name: str
    spec_file: str
    data: dict[str, Any]


def discover(paths: Sequence[Path]) -> list[Path]:
    """Spec files named on the command line, or found (sorted) in named folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise SpecErrors([SpecError(str(path), 1, 1, "", "no such spec file or folder")])
    if not found:
        names = ", ".join(str(p) for p in paths)
        raise SpecErrors([SpecError(names, 1, 1, "", "no spec files (*.yaml, *.yml) found")])
    return found


def load_specs(files: Iterable[Path]) -> list[tuple[Path, Spec]]:
    """Validated specs, or SpecErrors with every problem of every file."""
    loaded: list[tuple[LoadedSpec, Spec]] = []
    errors: list[SpecError] = []
    for file in files:
        try:
            spec_data = load_spec_file(file)
            loaded.append((spec_data, validate_spec(spec_data)))
        except SpecErrors as exc:
            errors += exc.errors
    errors += _duplicate_stacks(loaded)
    if errors:
        raise SpecErrors(errors)
    return [(Path(data.file), spec) for data, spec in loaded]


def _duplicate_stacks(loaded: list[tuple[LoadedSpec, Spec]]) -> list[SpecError]:
    """Two specs that would write the same `<service>-<env>` stack: name both files."""
    first: dict[str, str] = {}
    errors = []
    for data, spec in loaded:
        for env in spec.environments:
            name = stack_name(spec.service, env)
            if name in first and first[name] != data.file:
                errors.append(
                    data.error(
                        ("service",),
                        f'stack "{name}" is also built from {first[name]}; each stack needs '
                        "a unique service and environment",
                    )
                )
            first.setdefault(name, data.file)
    return errors


def compose_stacks(specs: list[tuple[Path, Spec]]) -> list[Stack]:
    return [
        Stack(stack_name(spec.service, env), str(file), template_data(compose(spec, env)))
        for file, spec in specs
        for env in spec.environments
    ]


def render_stacks(stacks: Iterable[Stack], fmt: str) -> dict[str, str]:
    """{'<stack>.<ext>': text} for every stack in the chosen formats."""
    return {
        f"{stack.name}.{ext}": RENDERERS[ext](stack.data)
        for stack in stacks
        for ext in FORMATS[fmt]
    }
