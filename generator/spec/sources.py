"""Which spec files a run reads, and which template files it writes (no heavy imports:
the cached no-op path of `build` and `check` starts here)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import SpecError, SpecErrors

SPEC_SUFFIXES = (".yaml", ".yml")
# The specs root every command reads by default.
DEFAULT_SPECS = Path("specs")
FORMATS = {"json": ("json",), "yaml": ("yaml",), "both": ("json", "yaml")}


def is_spec_file(path: Path) -> bool:
    """`.yaml` or `.yml` in any case (`Orders.YAML` too), not a hidden file."""
    return path.suffix.lower() in SPEC_SUFFIXES and not path.name.startswith(".")


def discover(paths: Sequence[Path]) -> list[Path]:
    """Spec files named on the command line, or found (sorted) in named folders and the
    folders below them."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if is_spec_file(p)
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise SpecErrors([SpecError(str(path), 1, 1, "", "no such spec file or folder")])
    if not found:
        names = ", ".join(str(p) for p in paths)
        raise SpecErrors([SpecError(names, 1, 1, "", "no spec files (*.yaml, *.yml) found")])
    return found


def spec_name(file: Path, roots: Sequence[Path] = ()) -> str:
    """A spec's path under the specs root, the name its templates record
    (`orders-api/pipeline.yaml`): under ./specs when the file lies there, else under the
    first of `roots` (folders named on the command line) that holds it, else its file name.
    The same file gets the same name whichever way a command is given it."""
    resolved = file.resolve()
    for root in [DEFAULT_SPECS, *roots]:
        if root.is_dir() and resolved.is_relative_to(root.resolve()):
            return resolved.relative_to(root.resolve()).as_posix()
    return file.name


def spec_names(paths: Sequence[Path]) -> dict[Path, str]:
    """Every spec file discover(paths) finds, with its name under the specs root."""
    roots = [path for path in paths if path.is_dir()]
    return {file: spec_name(file, roots) for file in discover(paths)}
