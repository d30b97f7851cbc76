"""Imported by the lint workers' fork server before it forks them: cfn-lint and its rules
are loaded once, and every worker starts with them (multiprocessing.set_forkserver_preload)."""

from __future__ import annotations

from .lint import _cfn_rules

_cfn_rules()
