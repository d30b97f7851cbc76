"""AWS CloudFormation Guard over templates: which controls fail, on which resources.

`make guard` and `make test` install cfn-guard and the AWS Control Tower proactive-control
rules into .tools/ (scripts/install_cfn_guard.py). A rule that finds no resource of its
type is not applicable, not a failure.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..stack.naming import METADATA_KEY

CONTROL_TOWER_RULES = Path("rules/control-tower/cfn-guard")

_CONTROL_ID = re.compile(r"\[(CT\.[A-Z0-9]+\.PR\.\d+)\]")
_RESOURCE = re.compile(r"/Resources/([A-Za-z0-9]+)")

# template path -> control (or rule name) -> logical IDs of the resources that fail it
Failures = dict[str, dict[str, tuple[str, ...]]]


class GuardError(Exception):
    """cfn-guard is missing or did not run."""


@dataclass(frozen=True)
class Guard:
    binary: Path
    rules: tuple[Path, ...]

    @classmethod
    def installed(cls, tool_dir: Path, extra_rules: Sequence[Path] = ()) -> Guard:
        """cfn-guard and the Control Tower rules from the unpacked npm package."""
        system = {"Linux": "ubuntu", "Darwin": "macos"}.get(platform.system(), "")
        machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(
            platform.machine().lower(), platform.machine().lower()
        )
        binary = tool_dir / "bin" / system / machine / "cfn-guard"
        if not binary.is_file():
            raise GuardError(f"cfn-guard not found at {binary}: run `make guard` to install it")
        return cls(binary, (tool_dir / CONTROL_TOWER_RULES, *extra_rules))

    def failures(self, templates: Sequence[Path]) -> Failures:
        """Each template's failing controls, one cfn-guard run for all of them."""
        if not templates:
            return {}
        command = [str(self.binary), "validate", "--structured", "--output-format", "json"]
        command += ["--show-summary", "none"]
        for rules in self.rules:
            command += ["--rules", str(rules)]
        # cfn-guard names each result by the absolute path it was given.
        named = {str(t.resolve()): str(t) for t in templates}
        for absolute in named:
            command += ["--data", absolute]
        # Exit status 19 means "some rule failed"; the JSON says which.
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        try:
            results = json.loads(done.stdout)
        except json.JSONDecodeError:
            message = done.stderr.strip() or done.stdout[:500]
            raise GuardError(f"cfn-guard failed: {message}") from None
        found: Failures = {str(t): {} for t in templates}
        for result in results:
            path = named.get(result["name"], result["name"])
            found[path] = _failed_controls(result.get("not_compliant", []))
        return found


def _failed_controls(not_compliant: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    controls: dict[str, set[str]] = {}
    for entry in not_compliant:
        text = json.dumps(entry)
        ids = _CONTROL_ID.findall(text)
        control = ids[0] if ids else entry.get("Rule", {}).get("name", "unnamed rule")
        controls.setdefault(control, set()).update(_RESOURCE.findall(text))
    return {c: tuple(sorted(r)) for c, r in sorted(controls.items())}


def waivers_of(template: Mapping[str, Any]) -> dict[str, str]:
    """The controls a generated template says it does not meet, with the reasons."""
    metadata = template.get("Metadata", {}).get(METADATA_KEY, {})
    return dict(metadata.get("ControlTowerWaivers", {}))


def report_lines(failures: Failures, waivers: Mapping[str, Mapping[str, str]]) -> list[str]:
    """One line per template: its failing controls, each marked waived or not."""
    lines = []
    for path, controls in failures.items():
        waived = waivers.get(path, {})
        if not controls:
            lines.append(f"{path}: 0 controls fail")
            continue
        named = [
            f"{c}{'' if c in waived else ' (NOT WAIVED)'} [{', '.join(r) or 'template'}]"
            for c, r in controls.items()
        ]
        lines.append(f"{path}: {len(controls)} fail: " + "; ".join(named))
    return lines


def unwaived(failures: Failures, waivers: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """Per template, the failing controls its Metadata does not waive."""
    found = {}
    for path, controls in failures.items():
        missing = [c for c in controls if c not in waivers.get(path, {})]
        if missing:
            found[path] = missing
    return found
