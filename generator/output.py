"""Writing templates all-or-nothing, and comparing a folder with what we would write."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_all(directory: Path, files: dict[str, str]) -> list[Path]:
    """Write every file through a temporary file and a rename, only after all
    temporary files are complete: a failure leaves the old files untouched.
    Unchanged files are not rewritten."""
    directory.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            target = directory / name
            if target.is_file() and target.read_bytes() == text.encode("utf-8"):
                continue
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            staged.append((tmp, target))
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return [target for _, target in staged]


def stale_files(directory: Path, files: dict[str, str]) -> list[str]:
    """Lines naming each file in directory that differs from, or is missing from, files."""
    problems = []
    for name, text in sorted(files.items()):
        target = directory / name
        if not target.is_file():
            problems.append(f"{target}: missing")
        elif target.read_bytes() != text.encode("utf-8"):
            problems.append(f"{target}: differs from what build would write")
    return problems
