"""Which spec files a run reads, and which template files it writes (no heavy imports:
the cached no-op path of `build` and `check` starts here)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import SpecError, SpecErrors

SPEC_SUFFIXES = (".yaml", ".yml")
FORMATS = {"json": ("json",), "yaml": ("yaml",), "both": ("json", "yaml")}


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
