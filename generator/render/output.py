"""Writing templates all-or-nothing, and comparing a folder with what we would write."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """The output folder cannot take the files; the message says why, in the user's terms."""


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def refuse_file_as_folder(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{directory} is a file, not a folder: name a folder with -o")


def _usable_folder(directory: Path) -> None:
    refuse_file_as_folder(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create {directory}: {exc.strerror}; name a folder you can write with -o"
        ) from None


def write_all(directory: Path, files: dict[str, str]) -> list[Path]:
    """Write every file through a temporary file and a rename, only after all
    temporary files are complete: a failure leaves the old files untouched.
    Unchanged files are not rewritten. Files get the mode the user's umask gives a
    new file (0644 under the usual 022), not mkstemp's private 0600."""
    _usable_folder(directory)
    mode = 0o666 & ~_current_umask()
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            target = directory / name
            if target.is_file() and target.read_bytes() == text.encode("utf-8"):
                continue
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            staged.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.chmod(tmp, mode)
    except BaseException as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write to {directory}: {exc.strerror}") from None
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return [target for _, target in staged]


def remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


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
