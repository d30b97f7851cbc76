"""What a dry run shows: the change set `aws cloudformation deploy --no-execute-changeset`
created, as the table `sam deploy --no-execute-changeset` and `cdk diff` print."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# `aws cloudformation deploy --no-execute-changeset` ends with the command to review it:
# "aws cloudformation describe-change-set --change-set-name arn:aws:cloudformation:...".
CHANGE_SET_ARN = re.compile(r"--change-set-name\s+(arn:aws[a-z-]*:cloudformation:\S+)")
HEADER = ("Action", "LogicalResourceId", "ResourceType", "Replacement")


def change_set_arn(lines: Sequence[str]) -> str | None:
    for line in lines:
        match = CHANGE_SET_ARN.search(line)
        if match:
            return match.group(1)
    return None


def change_rows(answer: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """One row per resource change of a describe-change-set answer. Replacement is only
    given for Modify (CloudFormation API reference, ResourceChange: True, False or
    Conditional)."""
    rows = []
    for change in answer.get("Changes") or []:
        resource = change.get("ResourceChange") or {}
        action = str(resource.get("Action", "?"))
        replacement = str(resource.get("Replacement") or "N/A") if action == "Modify" else "N/A"
        rows.append(
            (
                f"+ {action}"
                if action == "Add"
                else f"- {action}"
                if action == "Remove"
                else f"* {action}",
                str(resource.get("LogicalResourceId", "?")),
                str(resource.get("ResourceType", "?")),
                replacement,
            )
        )
    return rows


def change_table(answer: Mapping[str, Any]) -> str:
    rows = change_rows(answer)
    if not rows:
        return "The change set has no resource changes."
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [HEADER, *rows]
    ]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])
