"""What a user does after a stack's first create, read from its template and spec, and the
fix for CloudFormation failures whose cause is known."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..aws.enums import CHECKS_STACK
from ..stack.naming import METADATA_KEY, stack_name
from .waves import deploy_hint

if TYPE_CHECKING:
    from ..spec.model import Spec

# A failed event's reason -> what to do. The texts are CodeBuild's CreateWebhook errors as
# CloudFormation reports them (aws/aws-cdk#1844 and hashicorp/terraform-provider-aws#2814:
# no stored credential; aws/aws-cdk#31726: the connection; rust-lang/simpleinfra#677: the
# credential cannot add webhooks).
KNOWN_FAILURES = (
    (
        ("No Access token found", "Could not find access token"),
        "CodeBuild has no source credential for this Git host in this account and region: "
        "deploy bootstrap-bitbucket / bootstrap-github first (or connect the host in the "
        "CodeBuild console, or set repository.connection in the spec), delete the rolled-back "
        "stack and deploy again",
    ),
    (
        ("Access denied to connection",),
        "CodeBuild could not use the connection: check that it is AVAILABLE and that its app "
        "can see the repository (Developer Tools > Settings > Connections), then delete the "
        "rolled-back stack and deploy again",
    ),
    (
        ("Repository not found or permission denied",),
        "the stored credential cannot add a webhook to this repository: it needs admin rights "
        "on it (Bitbucket: the app password's webhook and repository admin scopes; GitHub: "
        "admin:repo_hook); store a new one with the bootstrap stack and deploy again",
    ),
)


# CodePipeline user guide, "Configure stage rollback" (considerations for rollbacks).
STAGE_ROLLBACK_PAGE = (
    "https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-rollback.html"
)
STAGE_ROLLBACK_QUOTE = (
    "The pipeline can only roll back to a previous execution if the previous execution was "
    "started in the current pipeline structure version"
)


def known_fix(reason: str) -> str | None:
    for texts, fix in KNOWN_FAILURES:
        if any(text in reason for text in texts):
            return fix
    return None


def _resources(template: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    resources = template.get("Resources") or {}
    return [
        r.get("Properties") or {}
        for _, r in sorted(resources.items())
        if isinstance(r, dict) and r.get("Type") == kind
    ]


def email_subscribers(template: Mapping[str, Any]) -> list[str]:
    return sorted(
        str(p.get("Endpoint"))
        for p in _resources(template, "AWS::SNS::Subscription")
        if p.get("Protocol") == "email"
    )


def bitbucket_pull_request_ends(template: Mapping[str, Any]) -> list[str]:
    """The merged/declined events a Bitbucket webhook filters on: Bitbucket sends them only
    when the repository webhook has those triggers ticked (docs/deploy.md)."""
    found = set()
    for project in _resources(template, "AWS::CodeBuild::Project"):
        if (project.get("Source") or {}).get("Type") != "BITBUCKET":
            continue
        for group in ((project.get("Triggers") or {}).get("FilterGroups")) or []:
            for item in group:
                if item.get("Type") == "EVENT":
                    found |= {
                        e for e in str(item.get("Pattern")).split(",")
                        if e in ("PULL_REQUEST_MERGED", "PULL_REQUEST_CLOSED")
                    }  # fmt: skip
    return sorted(found)


def waits_for_source_object(template: Mapping[str, Any]) -> str | None:
    """The S3 key a pipeline's source action reads, when it has one."""
    for pipeline in _resources(template, "AWS::CodePipeline::Pipeline"):
        for stage in pipeline.get("Stages") or []:
            for action in stage.get("Actions") or []:
                if (action.get("ActionTypeId") or {}).get("Provider") == "S3":
                    return str((action.get("Configuration") or {}).get("S3ObjectKey"))
    return None


def _record(template: Mapping[str, Any]) -> Mapping[str, Any]:
    record = (template.get("Metadata") or {}).get(METADATA_KEY)
    return record if isinstance(record, dict) else {}


def _accounts(record: Mapping[str, Any], key: str) -> list[str]:
    value = record.get(key)
    return [str(a) for a in value] if isinstance(value, list) else []


def pipeline_commands(spec: Spec | None, tools_account: str) -> list[str]:
    """deploy commands for the spec's pipeline stacks in the tools account."""
    if spec is None:
        return []
    return [
        deploy_hint(stack_name(spec.service, env), tools_account)
        for env in spec.stack_environments
        if env != CHECKS_STACK
    ]


def stackset_ous(template: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for stackset in _resources(template, "AWS::CloudFormation::StackSet"):
        for group in stackset.get("StackInstancesGroup") or []:
            targets = group.get("DeploymentTargets") or {}
            found += [str(ou) for ou in targets.get("OrganizationalUnitIds") or []]
    return sorted(set(found))


def account_stack_steps(
    template: Mapping[str, Any], spec: Spec | None, account: str | None
) -> list[str]:
    """After the delivery stack, a targets stack or the StackSet: the stacks that come
    next (the order of waves.py)."""
    record = _record(template)
    kind = record.get("Kind")
    if kind == "regional":
        services = ", ".join(_accounts(record, "Services"))
        where = (
            f" --profile <profile for account {record['Account']}>" if record.get("Account") else ""
        )
        return [
            f"deploy the pipelines of {services} (their actions in {record.get('Region')} keep "
            f"their artifacts in this bucket): pipeline-generator deploy-all <environment>{where}"
        ]
    if kind == "delivery":
        services = ", ".join(_accounts(record, "Services"))
        return [
            f"deploy the pipelines of {services} in this account (they import its key "
            f"pipeline-delivery-ArtifactKeyArn): pipeline-generator deploy-all <environment> "
            f"--profile <profile for account {record.get('Account')}>"
        ]
    tools = str(record.get("ToolsAccount"))
    targets = _accounts(record, "Accounts")
    pipelines = pipeline_commands(spec, tools)
    then = ("; then deploy the pipelines: " + "; ".join(pipelines)) if pipelines else ""
    if kind == "stackset":
        name = record.get("Stack")
        return [
            f"StackSets now rolls the deploy roles out to the target accounts "
            f"{', '.join(targets)} in the OUs {', '.join(stackset_ous(template))}, one account "
            f"at a time; follow it with `aws cloudformation list-stack-instances "
            f"--stack-set-name {name} --call-as {record.get('CallAs')}` until every "
            f"instance is CURRENT{then}"
        ]
    if kind == "targets":
        stem = str(record.get("Stack"))
        steps = [
            f"deploy it in the other target accounts too: {deploy_hint(stem, other)}"
            for other in targets
            if other != account
        ]
        if pipelines:
            steps.append(
                "once every target account has its roles, deploy the pipelines: "
                + "; ".join(pipelines)
            )
        return steps
    return []


def rolling_back_stages(template: Mapping[str, Any]) -> list[str]:
    """The pipeline's stages that roll back: a condition with Result ROLLBACK (a gate's
    alarm) or OnFailure Result ROLLBACK."""
    found = []
    for pipeline in _resources(template, "AWS::CodePipeline::Pipeline"):
        for stage in pipeline.get("Stages") or []:
            results = [(stage.get("OnFailure") or {}).get("Result")] + [
                condition.get("Result")
                for key in ("OnSuccess", "OnFailure")
                for condition in (stage.get(key) or {}).get("Conditions") or []
            ]
            if "ROLLBACK" in results:
                found.append(str(stage.get("Name")))
    return found


def chain_steps(template: Mapping[str, Any], spec: Spec | None, environment: str) -> list[str]:
    """After the first create of a chain's pipeline: its later environments are stages of
    it, and a gated stage rolls back only to an earlier successful run of itself."""
    if spec is None or environment not in spec.environments:
        return []
    chain = spec.chain(environment)
    pipeline = stack_name(spec.service, environment)
    steps = []
    if len(chain) > 1:
        later = ", ".join(chain[1:])
        steps.append(
            f"{later} {'are stages' if len(chain) > 2 else 'is a stage'} of this pipeline "
            f"(after: {environment}), with no stack of {'their' if len(chain) > 2 else 'its'} "
            f"own: a release reaches {'them' if len(chain) > 2 else 'it'} through {pipeline}, "
            f"and `pipeline-generator deploy-all {environment}` is the command that updates "
            f"{'them' if len(chain) > 2 else 'it'}"
        )
    guarded = any(spec.environments[env].gates or spec.environments[env].window for env in chain)
    stages = rolling_back_stages(template)
    if guarded and stages:
        steps.append(
            f"{', '.join(stages)} roll{'s' if len(stages) == 1 else ''} back when a gate fails, "
            "but only to an earlier successful run of that stage: the first release through "
            "each of them (and the first after a stack update that changes the pipeline) "
            'cannot roll back, so watch it (CodePipeline user guide, "Configure stage '
            f'rollback": "{STAGE_ROLLBACK_QUOTE}", {STAGE_ROLLBACK_PAGE})'
        )
    return steps


def next_steps(
    template: Mapping[str, Any],
    spec: Spec | None,
    environment: str | None,
    account: str | None = None,
) -> list[str]:
    """What to do after the first create: confirmations and console steps CloudFormation
    cannot do, the expected failed first run, the stack still to deploy. account: the
    account the stack was created in."""
    if _record(template).get("Kind"):
        return account_stack_steps(template, spec, account)
    steps = []
    emails = email_subscribers(template)
    if emails:
        steps.append(
            f"confirm the SNS subscription e-mail AWS sent to {', '.join(emails)}: nothing is "
            "delivered to an address until it clicks Confirm subscription"
        )
    ends = bitbucket_pull_request_ends(template)
    if ends:
        names = {"PULL_REQUEST_MERGED": "Merged", "PULL_REQUEST_CLOSED": "Declined"}
        ticks = " and ".join(f"Pull Request: {names[e]}" for e in ends)
        steps.append(
            f"in Bitbucket, Repository settings > Webhooks > the CodeBuild webhook: tick {ticks} "
            "(Bitbucket sends them only when ticked)"
        )
    key = waits_for_source_object(template)
    if key:
        branch = _branch(spec, environment)
        steps.append(
            f"CodePipeline starts a new pipeline once: that run fails in Source (NoSuchKey: no "
            f"{key} yet), as expected; push to {branch} and the webhook build uploads it"
        )
    if environment is not None and environment != CHECKS_STACK:
        steps += chain_steps(template, spec, environment)
    if spec is not None and spec.checks is not None and environment != CHECKS_STACK:
        steps.append(
            f"deploy the pull-request checks: pipeline-generator deploy {spec.service}-checks"
        )
    return steps


def _branch(spec: Spec | None, environment: str | None) -> str:
    if spec is None or environment not in spec.environments:
        return "the environment's branch"
    return str(spec.environments[environment].branch)
