"""A local cache that makes unchanged runs cheap, and is never trusted blindly.

Every key includes a fingerprint of the generator's own sources (every file of the
package, recursively) and of the
libraries that shape its output (troposphere, awacs, cfn-lint), so a new
release or a local edit never reuses an old answer. A cache file that cannot be
read, or that was written for another fingerprint, is ignored.

Set PIPELINE_GENERATOR_CACHE to another folder, or to "off" to disable it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(".cache") / "pipeline-generator"
# A cache file keeps at most this many entries: past it, only this run's are kept.
MAX_ENTRIES = 5000
LIBRARIES = ("troposphere", "awacs", "cfn-lint", "pydantic", "PyYAML")


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


@cache
def fingerprint() -> str:
    """Hash of every source file of the package (all subpackages) and the versions of the
    libraries that shape the output."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}=={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}==?".encode())
    return digest.hexdigest()


def cache_dir() -> Path | None:
    setting = os.environ.get("PIPELINE_GENERATOR_CACHE", "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else DEFAULT_DIR


class JsonCache:
    """A {key: value} store in one JSON file, bound to fingerprint()."""

    def __init__(self, name: str) -> None:
        directory = cache_dir()
        self.path = directory / f"{name}.json" if directory else None
        self.entries: dict[str, Any] = self._read()
        self.used: set[str] = set()
        self.dirty = False

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(stored, dict) or stored.get("fingerprint") != fingerprint():
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def get(self, key: str) -> Any:
        self.used.add(key)
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        self.used.add(key)
        if self.entries.get(key) != value:
            self.entries[key] = value
            self.dirty = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written is simply not kept."""
        if self.path is None or not self.dirty:
            return
        if len(self.entries) > MAX_ENTRIES:
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            payload = json.dumps({"fingerprint": fingerprint(), "entries": self.entries})
            fd, tmp = tempfile.mkstemp(prefix=".cache.", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path)
        except OSError:
            pass
