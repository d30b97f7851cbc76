"""Checks every emitted template must pass: cfn-lint with this product's own rules
(`rules/`, one cfn-lint rule class per file, usable with `cfn-lint --append-rules`), run
in-process and in parallel by `lint.py`. A new check is a new file in `rules/`.
"""

from generator.checks.findings import Finding, run_checks  # noqa: E402

__all__ = ["Finding", "run_checks"]
