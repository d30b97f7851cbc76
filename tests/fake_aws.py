"""A stand-in `aws` executable for the deploy tests: it records its arguments and answers
from recorded CloudFormation responses, so the real deploy code runs end to end without
AWS.

Answers come from files in its folder, else from RECORDED:
  events-1.json, events-2.json, ...  describe-stack-events pages, one per call (the last
                                     one repeats); none: the stack does not exist (exit 255)
  stacks.json                        describe-stacks; absent: the stack does not exist
  stacks-after-deploy.json           describe-stacks once `deploy` has been called
  template.json                      get-template
  identity.json, connection.json,    sts get-caller-identity, codeconnections get-connection,
  credentials.json, changeset.json,  codebuild list-source-credentials, describe-change-set,
  protection.json                    update-termination-protection
  identity-<profile>.json            sts get-caller-identity with --profile <profile>
  organization.json                  organizations describe-organization (none: the call fails)
  <any of those>.error               that call fails with this text on stderr
  deploy.txt                         what `deploy` prints (default: nothing, or the change
                                     set message with --no-execute-changeset)
and $FAKE_AWS_EXIT is the exit status of `deploy`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Recorded answers, shaped as the AWS CLI v2 prints them (`--output json`); a file of the
# same name in the fake's folder replaces one, and <name>.error makes that call fail with
# the file's text on stderr (exit 254, as the CLI v2 does for a service error).
RECORDED: dict[str, dict[str, Any]] = {
    "identity.json": {
        "UserId": "AROAEXAMPLEID:alice",
        "Account": "111122223333",
        "Arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
    },
    "connection.json": {
        "Connection": {
            "ConnectionName": "acme-bitbucket",
            "ConnectionArn": "arn:aws:codeconnections:eu-west-1:111122223333:connection/"
            "0c9f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
            "ProviderType": "Bitbucket",
            "OwnerAccountId": "111122223333",
            "ConnectionStatus": "AVAILABLE",
        }
    },
    # payments-gateway's connection is a GitHub one; any other answers as connection.json.
    "connection-5f0c2b7e-9d1a-4c3b-8e2f-6a7b8c9d0e1f.json": {
        "Connection": {
            "ConnectionName": "acme-github",
            "ConnectionArn": "arn:aws:codeconnections:eu-west-1:111122223333:connection/"
            "5f0c2b7e-9d1a-4c3b-8e2f-6a7b8c9d0e1f",
            "ProviderType": "GitHub",
            "OwnerAccountId": "111122223333",
            "ConnectionStatus": "AVAILABLE",
        }
    },
    "credentials.json": {
        "sourceCredentialsInfos": [
            {
                "arn": "arn:aws:codebuild:eu-west-1:111122223333:token/bitbucket",
                "serverType": "BITBUCKET",
                "authType": "BASIC_AUTH",
            },
            {
                "arn": "arn:aws:codebuild:eu-west-1:111122223333:token/github",
                "serverType": "GITHUB",
                "authType": "PERSONAL_ACCESS_TOKEN",
            },
        ]
    },
    "changeset.json": {
        "Changes": [
            {
                "Type": "Resource",
                "ResourceChange": {
                    "Action": "Add",
                    "LogicalResourceId": "SourceBucket",
                    "ResourceType": "AWS::S3::Bucket",
                    "Scope": [],
                    "Details": [],
                },
            },
            {
                "Type": "Resource",
                "ResourceChange": {
                    "Action": "Modify",
                    "LogicalResourceId": "BridgeProject",
                    "PhysicalResourceId": "orders-api-dev-bridge",
                    "ResourceType": "AWS::CodeBuild::Project",
                    "Replacement": "False",
                    "Scope": ["Properties"],
                    "Details": [],
                },
            },
            {
                "Type": "Resource",
                "ResourceChange": {
                    "Action": "Remove",
                    "LogicalResourceId": "OldTopic",
                    "PhysicalResourceId": "arn:aws:sns:eu-west-1:111122223333:old",
                    "ResourceType": "AWS::SNS::Topic",
                    "Scope": [],
                    "Details": [],
                },
            },
        ],
        "ChangeSetName": "awscli-cloudformation-package-deploy-1764985000",
        "StackName": "orders-api-dev",
        "Status": "CREATE_COMPLETE",
        "ExecutionStatus": "AVAILABLE",
    },
    "protection.json": {
        "StackId": "arn:aws:cloudformation:eu-west-1:111122223333:stack/orders-api-prod/1"
    },
}
# What `aws cloudformation deploy --no-execute-changeset` prints (AWS CLI v2).
CHANGE_SET_CREATED = (
    "\nWaiting for changeset to be created..\n"
    "Changeset created successfully. Run the following command to review changes:\n"
    "aws cloudformation describe-change-set --change-set-name "
    "arn:aws:cloudformation:eu-west-1:111122223333:changeSet/"
    "awscli-cloudformation-package-deploy-1764985000/5b2c8f3e-1d4a-4e6b-9c7d-0a1b2c3d4e5f\n"
)

SCRIPT = r"""#!/usr/bin/env python3
import json, os, sys
from pathlib import Path
from typing import Any
here = Path(__file__).parent
args = sys.argv[1:]
with open(here / "calls.log", "a") as f:
    f.write(json.dumps(args) + "\n")
command = " ".join(args[:2])
RECORDED = __RECORDED__
def answer(name, missing=None):
    error = here / (name + ".error")
    if error.exists():
        print(error.read_text(), file=sys.stderr)
        sys.exit(254)
    if (here / name).exists():
        print((here / name).read_text())
    elif name in RECORDED:
        print(json.dumps(RECORDED[name]))
    else:
        print(missing, file=sys.stderr)
        sys.exit(254)
    sys.exit(0)
if command == "cloudformation deploy":
    if (here / "deploy.txt").exists():
        print((here / "deploy.txt").read_text(), end="")
    elif "--no-execute-changeset" in args:
        print(__CHANGE_SET_CREATED__, end="")
    sys.exit(int(os.environ.get("FAKE_AWS_EXIT", "0")))
if command == "cloudformation describe-stack-events":
    pages = sorted(here.glob("events-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    if not pages:
        print("An error occurred (ValidationError): Stack does not exist", file=sys.stderr)
        sys.exit(255)
    counter = here / "events.count"
    n = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(n + 1))
    print(pages[min(n, len(pages) - 1)].read_text())
    sys.exit(0)
if command == "configure get":
    print(os.environ.get("FAKE_AWS_CONFIGURED_REGION", ""))
    sys.exit(0 if os.environ.get("FAKE_AWS_CONFIGURED_REGION") else 1)
missing = ("An error occurred (ValidationError) when calling the DescribeStacks operation: "
           "Stack with id {} does not exist")
answers = {
    "cloudformation describe-stacks": "stacks.json",
    "cloudformation get-template": "template.json",
    "cloudformation describe-change-set": "changeset.json",
    "cloudformation update-termination-protection": "protection.json",
    "sts get-caller-identity": "identity.json",
    "codeconnections get-connection": "connection.json",
    "codebuild list-source-credentials": "credentials.json",
    "organizations describe-organization": "organization.json",
}
if command == "sts get-caller-identity" and "--profile" in args:
    of_profile = "identity-" + args[args.index("--profile") + 1] + ".json"
    if (here / of_profile).exists():
        answers[command] = of_profile
deployed = any(json.loads(line)[:2] == ["cloudformation", "deploy"]
               for line in (here / "calls.log").read_text().splitlines())
after = here / "stacks-after-deploy.json"
if command == "cloudformation describe-stacks" and deployed and after.exists():
    answers[command] = after.name
if command == "codeconnections get-connection" and "--connection-arn" in args:
    by_id = "connection-" + args[args.index("--connection-arn") + 1].rsplit("/", 1)[-1] + ".json"
    recorded = answers[command]
    if by_id in RECORDED and not any((here / n).exists() for n in (recorded, recorded + ".error")):
        answers[command] = by_id
if command in answers:
    name = args[args.index("--stack-name") + 1] if "--stack-name" in args else "?"
    answer(answers[command], missing.format(name))
sys.exit(0)
"""


def install(folder: Path) -> Path:
    """Write the stand-in into folder (which goes first on PATH); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    aws = folder / "aws"
    aws.write_text(
        SCRIPT.replace("__RECORDED__", repr(RECORDED)).replace(
            "__CHANGE_SET_CREATED__", repr(CHANGE_SET_CREATED)
        )
    )
    aws.chmod(0o755)
    return aws


def calls(folder: Path) -> list[list[str]]:
    log = folder / "calls.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


WRITES = ("deploy", "update-termination-protection", "delete-stack", "create-change-set")


def writes(folder: Path) -> list[list[str]]:
    """The calls that change something in AWS."""
    return [c for c in calls(folder) if len(c) > 1 and c[1] in WRITES]


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
