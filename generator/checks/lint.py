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
PRELOAD_MODULE = "generator.checks.preload"
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


class LintWorkers:
    """Lint workers that are ready sooner than the templates: a fork server imports cfn-lint
    and loads its rules once (about 1 s), in a process of its own, while this process loads,
    validates and composes the specs; each worker is then forked from it, rules loaded.
    Starting the server does not wait for it, and no thread is left running while this
    process forks its own generation workers."""

    def __init__(self, jobs: int | None = None) -> None:
        from multiprocessing import forkserver

        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([PRELOAD_MODULE])
        forkserver.ensure_running()
        self._pool: Any = None

    def _ready(self) -> Any:
        if self._pool is None:
            self._pool = self._context.Pool(processes=self.jobs)
        return self._pool

    def findings(self, texts: Sequence[str]) -> Iterator[list[str]]:
        chunk = max(1, len(texts) // (8 * self.jobs))
        yield from self._ready().imap(template_findings, texts, chunksize=chunk)

    def map(self, function: Any, items: Sequence[Any]) -> list[Any]:
        """function over items on the workers (a module-level function, picklable)."""
        chunk = max(1, len(items) // (8 * self.jobs))
        return list(self._ready().imap(function, items, chunksize=chunk))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()

    def __enter__(self) -> LintWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _findings_in_order(
    texts: Sequence[str], jobs: int, workers: LintWorkers | None
) -> Iterator[list[str]]:
    if workers is not None and texts:
        yield from workers.findings(texts)
        return
    if len(texts) < PARALLEL_THRESHOLD or jobs == 1:
        yield from map(template_findings, texts)
        return
    with LintWorkers(min(jobs, len(texts))) as started:
        yield from started.findings(texts)


def lint_texts(
    items: Sequence[tuple[str, str]],
    jobs: int | None = None,
    *,
    progress: bool = False,
    workers: LintWorkers | None = None,
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
        _findings_in_order([text for _, text in todo], jobs or os.cpu_count() or 1, workers),
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
