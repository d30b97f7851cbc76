"""The account bootstrap stacks: CodeBuild's stored source credential for one Git host,
read from a Secrets Manager secret, so CodeBuild can create the webhooks of every
pipeline stack that has no `repository.connection`.

CodeBuild keeps one source credential per server type per account and region, and
`AWS::CodeBuild::SourceCredential.ServerType` cannot change without replacing the
resource (which deletes the old credential). So each Git host gets its own template
and stack: `bootstrap-bitbucket` -> stack `pipeline-bootstrap-bitbucket`, and
`bootstrap-github` -> `pipeline-bootstrap-github`; deploy the ones you need once per
account and region.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Output, Parameter, Ref, Sub, Template
from troposphere.codebuild import SourceCredential

from .. import __version__
from .deployer import STEM as DEPLOYER_STEM
from .naming import METADATA_KEY

STACK_PREFIX = "pipeline-"


@dataclass(frozen=True)
class GitHost:
    """How CodeBuild authenticates to one Git host with a stored token."""

    provider: str  # spec `repository.provider`
    server_type: str  # SourceCredential.ServerType
    auth_type: str  # SourceCredential.AuthType
    label: str
    token: str  # what the secret holds
    username: str | None  # the parameter that holds the user name, if the host needs one


# CodeBuild user guide, "Bitbucket app password, API token, or access token"
# (access-tokens-bitbucket): app passwords are deprecated (Atlassian: creation disabled
# 2025-09-09, removed 2026-07-28); CodeBuild takes an Atlassian API token for basic
# authentication with the Atlassian account's e-mail address as user name, with scopes
# repository:read, pullrequest:read (webhooks), webhook and account. Atlassian's API-token
# screen names them read:repository:bitbucket, read:pullrequest:bitbucket,
# read:webhook:bitbucket + write:webhook:bitbucket and read:user:bitbucket (Bitbucket Cloud
# docs, "API token permissions": api-token-permissions). SourceCredential's
# Username is valid only with BASIC_AUTH (CodeBuild API reference, ImportSourceCredentials).
# GitHub: a personal access token (access-tokens-github).
GIT_HOSTS: dict[str, GitHost] = {
    "bitbucket": GitHost(
        provider="bitbucket",
        server_type="BITBUCKET",
        auth_type="BASIC_AUTH",
        label="Bitbucket",
        token="an Atlassian API token with the scopes read:repository:bitbucket, "
        "read:pullrequest:bitbucket, read:webhook:bitbucket, write:webhook:bitbucket, "
        "read:user:bitbucket",
        username="AtlassianEmail",
    ),
    "github": GitHost(
        provider="github",
        server_type="GITHUB",
        auth_type="PERSONAL_ACCESS_TOKEN",
        label="GitHub",
        token="a GitHub personal access token with the repo and admin:repo_hook scopes",
        username=None,
    ),
}


def file_stem(provider: str) -> str:
    return f"bootstrap-{provider}"


def stack_name_of(stem: str) -> str | None:
    """The stack a bootstrap template deploys to, or None when stem is no bootstrap."""
    hosts = {file_stem(p) for p in GIT_HOSTS} | {DEPLOYER_STEM}
    return STACK_PREFIX + stem if stem in hosts else None


def _parameters(host: GitHost) -> list[Parameter]:
    parameters = []
    if host.username is not None:
        parameters.append(
            Parameter(
                host.username,
                Type="String",
                AllowedPattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                ConstraintDescription="the e-mail address of the Atlassian account",
                Description="E-mail address of the Atlassian account that owns the API token "
                "(CodeBuild's user name for Bitbucket)",
            )
        )
    parameters.append(
        Parameter(
            "TokenSecretName",
            Type="String",
            AllowedPattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$",
            ConstraintDescription="a Secrets Manager secret name",
            Description=f"Secrets Manager secret whose SecretString is {host.token}",
        )
    )
    return parameters


def _interface(host: GitHost) -> dict[str, object]:
    names = [p.title for p in _parameters(host)]
    labels = {"TokenSecretName": {"default": "Secrets Manager secret with the token"}}
    if host.username is not None:
        labels[host.username] = {"default": "Atlassian account e-mail address"}
    return {
        "AWS::CloudFormation::Interface": {
            "ParameterGroups": [{"Label": {"default": host.label}, "Parameters": names}],
            "ParameterLabels": labels,
        }
    }


def compose_bootstrap(provider: str) -> Template:
    host = GIT_HOSTS[provider]
    template = Template(
        Description=(
            f"Account bootstrap for pipeline-template-generator stacks: CodeBuild's {host.label} "
            f"source credential (generator {__version__})."
        )
    )
    template.set_version("2010-09-09")
    stack = {
        "Stack": STACK_PREFIX + file_stem(provider),
        "Bootstrap": provider,
        "GeneratorVersion": __version__,
    }
    template.set_metadata({METADATA_KEY: stack} | _interface(host))
    template.add_parameter(_parameters(host))
    credential = SourceCredential(
        "SourceCredential",
        ServerType=host.server_type,
        AuthType=host.auth_type,
        # A dynamic reference: CloudFormation reads the secret at deploy time, so the
        # token never appears in the template, its parameters or the stack events.
        Token=Sub("{{resolve:secretsmanager:${TokenSecretName}}}"),
    )
    if host.username is not None:
        credential.Username = Ref(host.username)
    template.add_resource(credential)
    template.add_output(
        Output(
            "SourceCredentialArn",
            Description=f"The stored {host.label} source credential CodeBuild uses for webhooks",
            Value=Ref("SourceCredential"),
        )
    )
    return template
