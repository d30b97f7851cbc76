"""Every check a template must pass: cfn-lint (informational checks included,
rules loaded once per process) and our own checks in `checks.py`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .checks import run_checks

# cfn-lint resolves region-specific rules against these regions.
LINT_REGIONS = ["us-east-1"]
# Below this many templates a worker pool costs more than it saves.
PARALLEL_THRESHOLD = 4

_rules: Any = None


def _cfn_rules() -> Any:
    global _rules
    if _rules is None:
        from cfnlint.core import get_rules

        _rules = get_rules([], [], ["I"])
    return _rules


def lint_text(name: str, text: str) -> list[str]:
    """One line per finding, `name:line:col: [RULE] message`; empty when clean."""
    from cfnlint.api import lint
    from cfnlint.decode import decode_str

    findings = [
        f"{name}:{m.linenumber}:{m.columnnumber}: [{m.rule.id}] {m.message}"
        for m in lint(text, rules=_cfn_rules(), regions=LINT_REGIONS)
    ]
    data, errors = decode_str(text)
    if data is not None and not errors:
        findings += [f"{name}: {finding}" for finding in run_checks(data)]
    return findings


def read_template(*candidates: Path) -> dict[str, Any] | None:
    """The first existing template file of candidates, parsed (JSON or YAML, short-form
    tags included), or None when none exists or none parses."""
    from cfnlint.decode import decode_str

    for path in candidates:
        if path.is_file():
            data, errors = decode_str(path.read_text(encoding="utf-8"))
            if data is not None and not errors:
                return dict(data)
    return None


def _lint_pair(item: tuple[str, str]) -> list[str]:
    return lint_text(*item)


def lint_texts(items: Sequence[tuple[str, str]], jobs: int | None = None) -> list[str]:
    """Lint (name, text) pairs, spread over the machine's cores when there are many."""
    jobs = jobs or os.cpu_count() or 1
    if len(items) < PARALLEL_THRESHOLD or jobs == 1:
        return [line for item in items for line in _lint_pair(item)]
    with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        chunks = pool.map(_lint_pair, items, chunksize=max(1, len(items) // (jobs * 4)))
        return [line for chunk in chunks for line in chunk]
