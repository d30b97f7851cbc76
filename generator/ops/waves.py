"""Where and in which order the stacks of a multi-account spec deploy, read from the
PipelineGenerator record in each template's Metadata (pure: no AWS call here).

Order (`deploy-all`): the delivery stack and the regional artifact stores first (the
pipelines import the key and name the buckets), then the target-account roles (`targets`
stacks, or the `stackset` that rolls them out), then the pipeline stacks, whose deploy
actions assume those roles.

Accounts: a pipeline stack and the delivery stack belong in their `Account` (the tools
account), and so does a `regional` stack (the artifact store a pipeline uses in another
Region: "You must create the artifact bucket and encryption key in the same AWS Region as
the cross-Region action and in the same account as your pipeline", CodePipeline user guide,
"Add a cross-Region action in CodePipeline",
https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-create-cross-region.html),
which also belongs in its `Region` (without `Account`: the account of the pipelines, which
is whatever account deploys them); a `targets` stack in each of its `Accounts` (its roles
are conditioned on the account, so anywhere else it creates nothing); a `stackset` in the
organization's management account (`CallAs` SELF) or a StackSets delegated administrator
(`CallAs` DELEGATED_ADMIN), never in a target account: "StackSets doesn't deploy stack
instances to the organization management account" (CloudFormation API reference,
DeploymentTargets) and "To create a stack set with service-managed permissions while signed
in to the management account, specify SELF ... signed in to a delegated administrator
account, specify DELEGATED_ADMIN" (CloudFormation API reference, CreateStackSet CallAs).
A template without these keys (a single-account spec, a bootstrap stack) may deploy
anywhere, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

DELIVERY, REGIONAL, TARGETS, STACKSET = "delivery", "regional", "targets", "stackset"
WAVE_NAMES = ("delivery and regional artifact stores", "target roles", "pipelines")
CALL_AS_MANAGEMENT = "SELF"

T = TypeVar("T")


def kind_of(record: Mapping[str, Any]) -> str | None:
    kind = record.get("Kind")
    return kind if kind in (DELIVERY, REGIONAL, TARGETS, STACKSET) else None


def region_of(record: Mapping[str, Any]) -> str | None:
    """The Region a regional stack belongs in; None for every other template."""
    region = record.get("Region")
    return str(region) if kind_of(record) == REGIONAL and region else None


def wave_of(record: Mapping[str, Any]) -> int:
    """0 delivery and regional, 1 target roles (targets or stackset), 2 everything else."""
    return {DELIVERY: 0, REGIONAL: 0, TARGETS: 1, STACKSET: 1}.get(kind_of(record) or "", 2)


def in_waves(items: Sequence[T], record_of: Any) -> list[list[T]]:
    """The items grouped by wave, in wave order, keeping their order inside a wave; empty
    waves left out. record_of(item) is the item's PipelineGenerator record."""
    waves: list[list[T]] = [[] for _ in WAVE_NAMES]
    for item in items:
        waves[wave_of(record_of(item))].append(item)
    return [wave for wave in waves if wave]


def _accounts(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(a) for a in value)
    return (str(value),) if value else ()


def has_home(record: Mapping[str, Any]) -> bool:
    """Whether the template says which account (or, regional, which Region) it belongs in."""
    return kind_of(record) is not None or bool(record.get("Account"))


@dataclass(frozen=True)
class Home:
    """Where a stack belongs: `accounts` (any of them), or for a StackSet the management
    or delegated-administrator account (`admin`), never one of `never`."""

    accounts: tuple[str, ...] = ()
    admin: str = ""  # "" | "the organization's management account" | "a StackSets ..."
    never: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.admin:
            return self.admin
        if len(self.accounts) == 1:
            return f"account {self.accounts[0]}"
        return f"one of the accounts {', '.join(self.accounts)}"


def home_of(record: Mapping[str, Any], management: str | None = None) -> Home | None:
    """The account(s) a stack belongs in; None when the template does not say (deploys
    anywhere). management: the organization's management account, when known."""
    kind = kind_of(record)
    if kind == TARGETS:
        return Home(accounts=_accounts(record.get("Accounts")))
    if kind == STACKSET:
        targets = _accounts(record.get("Accounts"))
        if record.get("CallAs", CALL_AS_MANAGEMENT) == CALL_AS_MANAGEMENT:
            if management:
                return Home(
                    accounts=(management,),
                    admin=f"the organization's management account {management}",
                    never=targets,
                )
            return Home(admin="the organization's management account", never=targets)
        never = targets + ((management,) if management else ())
        return Home(admin="a StackSets delegated administrator account", never=never)
    if record.get("Account"):
        return Home(accounts=_accounts(record.get("Account")))
    return None


def belongs(home: Home | None, account: str) -> bool:
    if home is None:
        return True
    if account in home.never:
        return False
    return not home.accounts or account in home.accounts


def deploy_hint(stem: str, account: str | None, region: str | None = None) -> str:
    """The command that deploys stem with credentials for account."""
    profile = f"<profile for account {account}>" if account else "<profile for that account>"
    where = f" --region {region}" if region else ""
    return f"pipeline-generator deploy {stem} --profile {profile}{where}"


def deploy_hints(stem: str, home: Home, region: str | None = None) -> list[str]:
    if home.accounts:
        return [deploy_hint(stem, account, region) for account in home.accounts]
    return [deploy_hint(stem, None, region)]


def misplaced(
    stem: str, record: Mapping[str, Any], account: str, home: Home, region: str | None = None
) -> str:
    """Why stem does not deploy into account, and the command that deploys it."""
    kind = kind_of(record)
    if kind == STACKSET and account in _accounts(record.get("Accounts")):
        why = (
            f"{stem} is a StackSet over the target accounts; it deploys from "
            f"{home.describe()}, never from a target account such as {account}"
        )
    elif kind == STACKSET:
        why = f"{stem} is a StackSet (CallAs {record.get('CallAs')}): it belongs in " + (
            home.describe()
        )
        if home.accounts:
            why += f", not {account}"
    elif kind == TARGETS:
        why = (
            f"{stem} holds the deploy roles of {home.describe()}; in account {account} it "
            "would create no resource (each role is conditioned on its account)"
        )
    else:
        why = f"{stem} belongs in {home.describe()}, but the credentials are for account {account}"
    where = region_of(record) or region
    commands = "\n".join(f"  {hint}" for hint in deploy_hints(stem, home, where))
    return f"{why}. Deploy it with credentials for that account:\n{commands}"


def wrong_region(stem: str, record: Mapping[str, Any], region: str | None) -> str | None:
    """Why a regional stack does not deploy to `region` (the run's --region), None when it
    may: a bucket in another Region is no artifact store for that Region's actions."""
    home = region_of(record)
    if home is None or not region or region == home:
        return None
    return (
        f"{stem} is the artifact store of the pipelines' actions in {home}: it belongs in "
        f"{home}, not {region}. Deploy it with --region {home}, or without --region (deploy "
        f"takes the Region from the template):\n  pipeline-generator deploy {stem} --region {home}"
    )
