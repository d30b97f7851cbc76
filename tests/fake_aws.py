"""A stand-in `aws` executable for the deploy tests: it records its arguments and answers
from recorded CloudFormation responses, so the real deploy code runs end to end without
AWS.

Answers come from files in its folder:
  events-1.json, events-2.json, ...  describe-stack-events pages, one per call (the last
                                     one repeats); none: the stack does not exist (exit 255)
  stacks.json                        describe-stacks; absent: the stack does not exist
  template.json                      get-template
  deploy.txt                         what `deploy` prints
and $FAKE_AWS_EXIT is the exit status of `deploy`.
"""

from __future__ import annotations

import json
from pathlib import Path

SCRIPT = r"""#!/usr/bin/env python3
import json, os, sys
from pathlib import Path
here = Path(__file__).parent
args = sys.argv[1:]
with open(here / "calls.log", "a") as f:
    f.write(json.dumps(args) + "\n")
command = args[1] if len(args) > 1 else ""
if command == "deploy":
    if (here / "deploy.txt").exists():
        print((here / "deploy.txt").read_text(), end="")
    sys.exit(int(os.environ.get("FAKE_AWS_EXIT", "0")))
if command == "describe-stack-events":
    pages = sorted(here.glob("events-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    if not pages:
        print("An error occurred (ValidationError): Stack does not exist", file=sys.stderr)
        sys.exit(255)
    counter = here / "events.count"
    n = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(n + 1))
    print(pages[min(n, len(pages) - 1)].read_text())
    sys.exit(0)
answers = {"describe-stacks": "stacks.json", "get-template": "template.json"}
if command in answers:
    answer = here / answers[command]
    if not answer.exists():
        print("An error occurred (ValidationError): Stack does not exist", file=sys.stderr)
        sys.exit(255)
    print(answer.read_text())
    sys.exit(0)
sys.exit(0)
"""


def install(folder: Path) -> Path:
    """Write the stand-in into folder (which goes first on PATH); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    aws = folder / "aws"
    aws.write_text(SCRIPT)
    aws.chmod(0o755)
    return aws


def calls(folder: Path) -> list[list[str]]:
    log = folder / "calls.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def deploy_calls(folder: Path) -> list[list[str]]:
    return [c for c in calls(folder) if c[:2] == ["cloudformation", "deploy"]]


def event(n: int, logical: str, kind: str, status: str, reason: str = "") -> dict:
    record = {
        "StackName": "orders-api-dev",
        "EventId": f"event-{n}",
        "LogicalResourceId": logical,
        "ResourceType": kind,
        "Timestamp": f"2026-11-27T10:00:{n:02d}.000Z",
        "ResourceStatus": status,
    }
    if reason:
        record["ResourceStatusReason"] = reason
    return record


def write_events(folder: Path, *pages: list[dict]) -> None:
    """Each page lists events oldest first; written newest first, as CloudFormation answers."""
    for i, page in enumerate(pages, start=1):
        (folder / f"events-{i}.json").write_text(json.dumps({"StackEvents": page[::-1]}))
