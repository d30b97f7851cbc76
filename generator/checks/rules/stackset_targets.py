"""E9603: a StackSet's DeploymentTargets fit its permission model.

CloudFormation reference, AWS::CloudFormation::StackSet DeploymentTargets: with
SERVICE_MANAGED "You must specify the OrganizationalUnitIds property" and, with OUs and
Accounts or AccountsUrl together, "you must also specify the AccountFilterType
property"; with SELF_MANAGED "You must specify either the Accounts or AccountsUrl
property" (OUs are an Organizations feature); API reference, API_DeploymentTargets. The
OU id format (ou-xxxx-xxxxxxxx, r-xxxx) is left to plain cfn-lint, whose E3031 checks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from generator.checks.rules._accounts import stack_sets
from generator.checks.rules._helpers import Path, as_list


def deployment_targets(props: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path below Properties, DeploymentTargets) of every stack instances group."""
    for i, group in enumerate(as_list(props.get("StackInstancesGroup") or [])):
        targets = group.get("DeploymentTargets") if isinstance(group, dict) else None
        if isinstance(targets, dict):
            yield ["StackInstancesGroup", i, "DeploymentTargets"], targets


def target_problems(model: Any, targets: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """(path below DeploymentTargets, message) for every problem of one target."""
    ous = targets.get("OrganizationalUnitIds")
    accounts = "Accounts" in targets or "AccountsUrl" in targets
    if model == "SELF_MANAGED" and ous is not None:
        yield (
            ["OrganizationalUnitIds"],
            (
                "a SELF_MANAGED StackSet targets Accounts (or AccountsUrl), not OUs; list the "
                "account ids or use PermissionModel SERVICE_MANAGED"
            ),
        )
    if model == "SERVICE_MANAGED" and ous is None:
        yield (
            [],
            (
                "a SERVICE_MANAGED StackSet targets OrganizationalUnitIds; add the OU ids "
                "(ou-xxxx-xxxxxxxx, or the root r-xxxx), with Accounts only as a filter"
            ),
        )
    if ous is not None and accounts and "AccountFilterType" not in targets:
        yield (
            [],
            (
                "OUs and Accounts together need AccountFilterType (INTERSECTION, DIFFERENCE or "
                "UNION) to say how the accounts refine the OUs"
            ),
        )


class StackSetTargets(CloudFormationLintRule):
    id = "E9603"
    shortdesc = "StackSet deployment targets that do not fit the permission model"
    description = (
        "SERVICE_MANAGED targets OUs, SELF_MANAGED targets accounts, and OUs "
        "with accounts need AccountFilterType."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html"
    tags = ["resources", "cloudformation", "stackset", "organizations"]

    def match(self, cfn: Template) -> list[RuleMatch]:
        return [
            RuleMatch(["Resources", name, "Properties", *path, *inner], message)
            for name, props in stack_sets(cfn.template)
            for path, targets in deployment_targets(props)
            for inner, message in target_problems(props.get("PermissionModel"), targets)
        ]
