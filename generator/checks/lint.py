"""Every check a template must pass: cfn-lint (informational checks included, rules
loaded once per worker) with this product's own rules (`rules/`) appended.

Results are cached by the template's bytes (and the generator fingerprint,
which includes cfn-lint's version), and linting is spread over all cores.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from typing import Any

from ..ops.cache import JsonCache, sha256
from ..ops.progress import Progress

# This product's rules, appended to cfn-lint's own (`cfn-lint --append-rules` takes the
# same module path, or the folder).
RULES_MODULE = "generator.checks.rules"
# cfn-lint resolves region-specific rules against these regions.
LINT_REGIONS = ["us-east-1"]
# From two templates on, a second core pays off: each forked worker loads cfn-lint's
# rules once (~1 s, in parallel) and keeps them for every template it lints.
PARALLEL_THRESHOLD = 2

_rules: Any = None


def _cfn_rules() -> Any:
    global _rules
    if _rules is None:
        from cfnlint.core import get_rules

        _rules = get_rules([RULES_MODULE], [], ["I"])
    return _rules


def template_findings(text: str) -> list[str]:
    """Findings for one template as `:line:col: [RULE] message` suffixes, to be prefixed
    with the file name; empty when clean."""
    from cfnlint.api import lint

    return [
        f":{m.linenumber}:{m.columnnumber}: [{m.rule.id}] {m.message}"
        for m in lint(text, rules=_cfn_rules(), regions=LINT_REGIONS)
    ]


def _findings_in_order(texts: Sequence[str], jobs: int) -> Iterator[list[str]]:
    if len(texts) < PARALLEL_THRESHOLD or jobs == 1:
        yield from map(template_findings, texts)
        return
    workers = min(jobs, len(texts))
    with multiprocessing.get_context("fork").Pool(processes=workers) as pool:
        yield from pool.imap(
            template_findings, texts, chunksize=max(1, len(texts) // (8 * workers))
        )


def lint_texts(
    items: Sequence[tuple[str, str]], jobs: int | None = None, *, progress: bool = False
) -> list[str]:
    """Lint (name, text) pairs: cached results for texts seen before, the rest
    spread over the machine's cores. One line per finding, in input order."""
    cache = JsonCache("lint")
    keys = [sha256(text) for _, text in items]
    todo = sorted(
        {
            key: text
            for key, (_, text) in zip(keys, items, strict=True)
            if not isinstance(cache.get(key), list)
        }.items()
    )
    meter = Progress("linted", len(todo), enabled=progress)
    results = zip(
        todo,
        _findings_in_order([text for _, text in todo], jobs or os.cpu_count() or 1),
        strict=True,
    )
    for (key, _), findings in results:
        cache.put(key, findings)
        meter.advance()
    meter.done()
    cache.save()
    return [
        name + finding
        for (name, _), key in zip(items, keys, strict=True)
        for finding in cache.get(key)
    ]
