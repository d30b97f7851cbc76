"""The cached no-op path: when no spec, no generator source and no library
changed since the last clean build, and templates/ still holds exactly what
that build wrote, there is nothing to compose, render or lint."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from .cache import JsonCache, sha256

BOOTSTRAP_SOURCE = Path("<bootstrap>")  # output that comes from no spec file
# The tools accounts' delivery stacks: built from every spec that deploys across accounts.
DELIVERY_SOURCE = Path("<delivery>")
SHARED_SOURCES = (BOOTSTRAP_SOURCE, DELIVERY_SOURCE)


def _spec_key(spec_file: Path, name: str, variant: str, spec_files: Iterable[Path] = ()) -> str:
    """The spec's bytes and its path under the specs root, which its templates record: two
    `pipeline.yaml` files, or one spec moved to another folder, never share a key. The
    bootstrap templates depend on every spec's text (one per Git host the specs use)."""
    if spec_file in SHARED_SOURCES:
        source = b"\0".join(sha256(p.read_bytes()).encode() for p in sorted(spec_files))
        return sha256(str(spec_file).encode() + b"\0" + source + b"\0" + variant.encode())
    source = spec_file.read_bytes()
    return sha256(source + b"\0" + name.encode() + b"\0" + variant.encode())


def expected_outputs(
    spec_files: Mapping[Path, str], variant: str, *, bootstrap: bool
) -> dict[str, str] | None:
    """{template file name: sha256} that the last clean build wrote for these exact
    specs ({spec file: its path under the specs root}), or None when any spec is unknown
    or two specs claim one template."""
    cache = JsonCache("build")
    expected: dict[str, str] = {}
    named = [
        *spec_files.items(),
        *([(BOOTSTRAP_SOURCE, "")] if bootstrap else []),
        (DELIVERY_SOURCE, ""),
    ]
    for spec_file, name in named:
        try:
            entry = cache.get(_spec_key(spec_file, name, variant, spec_files))
        except OSError:
            return None
        if not isinstance(entry, dict) or (not entry and spec_file != DELIVERY_SOURCE):
            return None
        for name, digest in entry.items():
            if name in expected or not isinstance(digest, str):
                return None
            expected[name] = digest
    return expected


def matches_disk(directory: Path, expected: dict[str, str]) -> bool:
    for name, digest in expected.items():
        try:
            if sha256((directory / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def record_clean_build(
    outputs_by_spec: dict[Path, dict[str, str]], names: Mapping[Path, str], variant: str
) -> None:
    """Remember what each spec built ({file name: text}) after a clean, linted build;
    names: each spec file's path under the specs root."""
    cache = JsonCache("build")
    spec_files = [path for path in outputs_by_spec if path not in SHARED_SOURCES]
    for spec_file, files in outputs_by_spec.items():
        key = _spec_key(spec_file, names.get(spec_file, ""), variant, spec_files)
        cache.put(key, {name: sha256(text) for name, text in files.items()})
    cache.save()
