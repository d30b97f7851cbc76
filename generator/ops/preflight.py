"""Checks before a deploy's first AWS write, read-only calls each with the fix in its
message: who the credentials are, whether the stack can take a change set, whether the
template's connection and source credential exist, and whether its SNS topics are in the
deploy region."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .awscli import AwsCli, DeployRefused

# CodeConnections provider types (get-connection ProviderType) of each CodeBuild source type.
PROVIDER_OF_SOURCE = {"BITBUCKET": "Bitbucket", "GITHUB": "GitHub"}
SNS_ARN = re.compile(r"arn:aws[a-z-]*:sns:([a-z0-9-]+):([0-9]{12}):[A-Za-z0-9_.-]+")
ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):")


@dataclass(frozen=True)
class Source:
    """A CodeBuild project's Git source: its type and the connection it uses, if any."""

    project: str
    kind: str
    connection: str | None


def git_sources(template: Mapping[str, Any]) -> list[Source]:
    found = []
    for logical, resource in sorted((template.get("Resources") or {}).items()):
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::CodeBuild::Project":
            continue
        source = (resource.get("Properties") or {}).get("Source") or {}
        if source.get("Type") not in PROVIDER_OF_SOURCE:
            continue
        auth = source.get("Auth") or {}
        connection = auth.get("Resource") if auth.get("Type") == "CODECONNECTIONS" else None
        found.append(Source(logical, source["Type"], connection))
    return found


def sns_topics(template: Mapping[str, Any]) -> list[str]:
    """The literal SNS topic ARNs the template names (topics it creates are Refs)."""
    text = json.dumps(template.get("Resources") or {}, sort_keys=True)
    return sorted({m.group(0) for m in SNS_ARN.finditer(text)})


def caller_identity(aws: AwsCli) -> dict[str, Any]:
    answer = aws.call("sts", "get-caller-identity")
    if not answer.ok or not isinstance(answer.data, dict):
        who = f"--profile {aws.profile}" if aws.profile else "your AWS credentials"
        raise DeployRefused(
            f"{who} cannot call sts get-caller-identity:\n{answer.error}\n"
            "Sign in (`aws sso login"
            + (f" --profile {aws.profile}" if aws.profile else "")
            + "` or `aws configure`), or pass --profile NAME"
        )
    return answer.data


def refuse_rolled_back(stack: Mapping[str, Any] | None, name: str) -> None:
    """A stack whose first create rolled back takes no change set (CloudFormation user
    guide, "Stack status codes": ROLLBACK_COMPLETE can only be deleted)."""
    if stack and stack.get("StackStatus") == "ROLLBACK_COMPLETE":
        raise DeployRefused(
            f"stack {name} is ROLLBACK_COMPLETE: its first create failed and it cannot be "
            f"updated. Delete it and deploy again:\n  aws cloudformation delete-stack "
            f"--stack-name {name}\n(its events say why the create failed: aws cloudformation "
            f"describe-stack-events --stack-name {name})"
        )


def check_account(arn: str, account: str, what: str) -> None:
    match = ARN_ACCOUNT.match(arn)
    if match and match.group(1) != account:
        raise DeployRefused(
            f"{what} {arn} belongs to account {match.group(1)}, but the credentials are for "
            f"account {account}: pass --profile for account {match.group(1)}, or change the spec"
        )


def check_connection(aws: AwsCli, source: Source) -> None:
    """The connection exists, is AVAILABLE and is for the source's Git host. A connection
    made in another region is fine: "Connections are global resources ... you can use it in
    any AWS Region" (Developer Tools console user guide, Global resources in AWS
    CodeConnections)."""
    assert source.connection is not None
    answer = aws.call("codeconnections", "get-connection", "--connection-arn", source.connection)
    if not answer.ok or not isinstance(answer.data, dict):
        raise DeployRefused(
            f"cannot read the connection {source.connection}:\n{answer.error}\n"
            "Check repository.connection in the spec (Developer Tools console > Settings > "
            "Connections lists the account's connections)"
        )
    connection = answer.data.get("Connection") or {}
    name = connection.get("ConnectionName", source.connection)
    status = connection.get("ConnectionStatus")
    if status == "PENDING":
        raise DeployRefused(
            f"the connection {name} is PENDING: finish the handshake in the console: "
            f"Developer Tools > Settings > Connections > {name} > Update pending connection, "
            "and install or choose the app for your workspace; then deploy again"
        )
    if status != "AVAILABLE":
        raise DeployRefused(
            f"the connection {name} is {status}, not AVAILABLE: update it in the console "
            "(Developer Tools > Settings > Connections) or create a new one and put its ARN in "
            "repository.connection"
        )
    expected = PROVIDER_OF_SOURCE[source.kind]
    if connection.get("ProviderType") != expected:
        raise DeployRefused(
            f"the connection {name} is for {connection.get('ProviderType')}, but the spec's "
            f"repository is on {expected}: use a {expected} connection in repository.connection"
        )


def check_source_credential(aws: AwsCli, source: Source, region: str | None) -> None:
    """Without a connection CodeBuild uses the account's stored credential for the host,
    one per server type and region (AWS::CodeBuild::SourceCredential); without it the
    webhook's CreateWebhook fails."""
    answer = aws.call("codebuild", "list-source-credentials")
    if not answer.ok or not isinstance(answer.data, dict):
        raise DeployRefused(f"cannot list CodeBuild source credentials:\n{answer.error}")
    stored = {i.get("serverType") for i in answer.data.get("sourceCredentialsInfos") or []}
    if source.kind not in stored:
        host = source.kind.lower()
        where = f" in {region}" if region else ""
        raise DeployRefused(
            f"no CodeBuild source credential for {source.kind}{where}, which {source.project}'s "
            f"webhook needs: deploy the bootstrap-{host} stack first (pipeline-generator deploy "
            f"bootstrap-{host} --parameter-overrides ...), or connect "
            f"{PROVIDER_OF_SOURCE[source.kind]} in the CodeBuild console, or set "
            "repository.connection in the spec"
        )


def check_topic_regions(topics: list[str], region: str | None) -> None:
    """SNS topics are Regional resources: a topic of another region cannot be the target."""
    if not region:
        return
    for arn in topics:
        match = SNS_ARN.match(arn)
        if match and match.group(1) != region:
            raise DeployRefused(
                f"the SNS topic {arn} is in {match.group(1)}, but this deploy goes to {region}; "
                f"SNS topics are Regional: deploy with --region {match.group(1)}, or name a "
                f"topic in {region} in the spec"
            )


def management_account(aws: AwsCli) -> str | None:
    """The organization's management account (organizations describe-organization,
    MasterAccountId; any member account may call it), None when it cannot be read."""
    answer = aws.call("organizations", "describe-organization")
    if not answer.ok or not isinstance(answer.data, dict):
        return None
    found = (answer.data.get("Organization") or {}).get("MasterAccountId")
    return str(found) if found else None


def preflight(
    aws: AwsCli,
    template: Mapping[str, Any],
    say: Any,
    check_home: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every check, in order; the caller identity when all pass. check_home(account)
    refuses credentials of an account the stack does not belong in, before the checks
    that read the account's resources."""
    identity = caller_identity(aws)
    account = str(identity.get("Account", ""))
    region = aws.deploy_region()
    say(f"account {account} ({identity.get('Arn', '?')}), region {region or 'not set'}")
    if check_home is not None:
        check_home(account)
    for source in git_sources(template):
        if source.connection:
            check_account(source.connection, account, "the connection")
            check_connection(aws, source)
        else:
            check_source_credential(aws, source, region)
    topics = sns_topics(template)
    for arn in topics:
        check_account(arn, account, "the SNS topic")
    check_topic_regions(topics, region)
    return identity
