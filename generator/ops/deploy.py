"""`aws cloudformation deploy` for the templates in templates/, with what users of
`cdk deploy` expect: the stack's events as they happen, then its outputs, or the
resource that failed and why.

The deploy path keeps the spec the source of truth:
- it refuses a template that is not what its spec builds today, finding that spec by the
  service and environment the template records (never by its file name: every service
  may keep its spec in `specs/<service>/pipeline.yaml`);
- a service template has no parameters: the spec's values are literals in it, so every
  deploy path gives the stack the spec's values; `--parameter-overrides` are for the
  templates that have parameters (the bootstrap stacks), and an override naming a
  parameter the template does not have is refused;
- it deploys the file `stackfiles.deploy_file` picks, the one every other command reads.

Before its first write it runs the read-only checks of preflight.py and refuses a stack
whose first create rolled back; a dry run prints the change set as a table (changeset.py);
a first create ends with what to do next (aftercreate.py). The AWS CLI is the `aws` on
PATH unless AWS_CLI names another (awscli.py), with the run's --profile and --region.
"""

from __future__ import annotations

import difflib
import os
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..stack.naming import stack_name
from .aftercreate import known_fix, next_steps
from .awscli import INSTALL_HINT, AwsCli, DeployRefused
from .changeset import change_set_arn, change_table
from .preflight import caller_identity, management_account, preflight, refuse_rolled_back
from .stackfiles import (
    TEMPLATE_SUFFIXES,
    StackFile,
    stack_file,
    stack_files,
    stacks_of_environment,
)
from .waves import (
    DELIVERY,
    REGIONAL,
    STACKSET,
    TARGETS,
    Home,
    belongs,
    deploy_hints,
    has_home,
    home_of,
    in_waves,
    kind_of,
    misplaced,
    region_of,
    wrong_region,
)

if TYPE_CHECKING:
    from ..spec.model import Spec

# The largest template body CloudFormation takes inline (CreateStack/UpdateStack
# TemplateBody, and so `aws cloudformation deploy` without --s3-bucket).
TEMPLATE_BODY_LIMIT = 51_200
DEFAULT_JOBS = 4
FAILED_STATES = ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED")
CANCELLED = ("Resource creation cancelled", "Resource update cancelled")


__all__ = ["AwsCli", "DeployRefused", "DeployRequest", "Outcome", "deploy_one"]
DEPLOYER_STACK = "pipeline-bootstrap-deployer"
DEPLOYER_OUTPUT = "DeployRoleArn"


@dataclass
class DeployRequest:
    stack: str  # the template's stem: <service>-<env> or bootstrap-<host>
    templates: Path = Path("templates")
    parameter_overrides: list[str] = field(default_factory=list)
    dry_run: bool = False
    s3_bucket: str | None = None
    specs: Path = Path("specs")
    profile: str | None = None
    region: str | None = None
    role_arn: str | None = None  # an IAM role ARN, or "deployer": DeployRoleArn of its stack


@dataclass
class Outcome:
    stack: str
    result: str  # deployed | no changes | change set created | failed | refused
    seconds: float
    reason: str = ""


def oversized(files: Mapping[str, str], limit: int = TEMPLATE_BODY_LIMIT) -> list[str]:
    """One line per template too large for an inline template body."""
    return [
        f"{name}: {len(text.encode())} bytes is over CloudFormation's {limit}-byte inline "
        "template limit; build with --allow-large (make templates ALLOW_LARGE=1) and deploy "
        "with --s3-bucket (make deploy DEPLOY_BUCKET=...)"
        for name, text in sorted(files.items())
        if len(text.encode()) > limit
    ]


# --- the template and what its spec builds today ------------------------------------------


def template_for(request: DeployRequest) -> StackFile:
    """The template a name means: its stem (orders-dev), its path (templates/orders-dev.yaml)
    or its stack's name (pipeline-bootstrap-github)."""
    name = request.stack
    if Path(name).suffix in TEMPLATE_SUFFIXES:
        name = Path(name).stem
    found = stack_file(request.templates, name)
    if found is not None:
        return found
    files = stack_files(request.templates)
    by_stack = [f for f in files if f.stack_name == name]
    if by_stack:
        return by_stack[0]
    for spec in valid_specs(request.specs):
        for environment in spec.environments:
            pointer = chained_pointer(spec, environment)
            if pointer and stack_name(spec.service, environment) == name:
                head = stack_name(spec.service, spec.head_of(environment))
                raise DeployRefused(
                    f"{name} has no stack of its own: {pointer}: pipeline-generator deploy {head}"
                )
    names = sorted({f.stem for f in files} | {f.stack_name for f in files})
    if not names:
        raise DeployRefused(f"no templates in {request.templates}: run `pipeline-generator build`")
    near = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(near)}?" if near else f"`ls {request.templates}` lists them"
    raise DeployRefused(f"no template for stack {request.stack!r} in {request.templates}: {hint}")


def chained_pointer(spec: Spec, environment: str) -> str | None:
    """For an environment with `after`: the pipeline whose later stages deploy it (it has
    no stack of its own); None for any other environment."""
    env = spec.environments.get(environment)
    if env is None or env.after is None:
        return None
    pipeline = stack_name(spec.service, spec.head_of(environment))
    return f"{environment} is deployed by the pipeline {pipeline} (after: {env.after})"


def valid_specs(specs: Path) -> list[Spec]:
    """The valid specs under a specs folder (none when it has no spec file)."""
    from ..spec.errors import SpecErrors
    from ..spec.sources import discover
    from .generate import load_file

    try:
        files = discover([specs]) if specs.is_dir() else []
    except SpecErrors:
        return []
    loaded = (load_file(path).spec for path in files)
    return [spec for spec in loaded if spec is not None]


def expected_text(template: StackFile, specs: Path) -> str:
    """The bytes `build` writes for this template file today, or DeployRefused."""
    return expected(template, specs)[0]


def expected(template: StackFile, specs: Path) -> tuple[str, Spec | None]:
    """The bytes `build` writes for this template file today and the spec that builds it
    (None for a bootstrap template), or DeployRefused."""
    from ..render.formats import RENDERERS, template_data
    from ..spec.sources import spec_name
    from ..stack.bootstrap import GIT_HOSTS, compose_bootstrap
    from ..stack.deployer import compose_deployer
    from .generate import stack_data

    record = template.record
    render = RENDERERS[template.path.suffix.lstrip(".")]
    if record.get("Bootstrap") in GIT_HOSTS:
        return render(template_data(compose_bootstrap(record["Bootstrap"]))), None
    if record.get("Bootstrap") == "deployer":
        named = record.get("NamedArtifactBuckets") is True
        return render(template_data(compose_deployer(named))), None
    if not record:
        raise DeployRefused(
            f"{template.path} was not written by this generator (its Metadata has no "
            "PipelineGenerator record): build it from a spec with `make templates`"
        )
    if kind_of(record) is not None:
        return expected_account_stack(template, specs, render)
    service, environment = record.get("Service"), str(record.get("Environment"))
    found = specs_of_service(specs, service, str(record.get("SpecFile")))
    building = [(path, spec) for path, spec in found if environment in spec.stack_environments]
    if len(found) > 1:
        files = " and ".join(str(path) for path, _ in found)
        raise DeployRefused(
            f"{files} both have service: {service}; each service needs one spec: rename or "
            "remove one, then `make templates`"
        )
    if building:
        path, spec = building[0]
        return render(stack_data(spec, environment, spec_name(path, [specs]))), spec
    pointer = chained_pointer(found[0][1], environment) if found else None
    if pointer:
        raise DeployRefused(
            f"{template.path} is not built by any spec today: {pointer} and has no stack of "
            "its own; `make templates` removes the template"
        )
    where = (
        f"{found[0][0]} has no environment {environment}"
        if found
        else f"no spec in {specs} has service: {service}"
    )
    raise DeployRefused(
        f"{template.path} is not built by any spec today ({where}): if its spec lives in "
        "another folder, pass --specs DIR; otherwise the stack was removed from its spec and "
        "`make templates` removes the template"
    )


def expected_account_stack(
    template: StackFile, specs: Path, render: Callable[[dict[str, Any]], str]
) -> tuple[str, Spec | None]:
    """What `build` writes today for a delivery, regional, targets or stackset template,
    and the spec that builds it (None for the delivery and regional stacks, which serve
    many specs)."""
    from ..spec.sources import spec_name
    from .generate import delivery_stacks, has_targets, regional_stacks, targets_data

    record = template.record
    if kind_of(record) == DELIVERY:
        for stack in delivery_stacks(valid_specs(specs)):
            if stack.name == template.stem:
                return render(stack.data), None
        raise DeployRefused(
            f"{template.path} is not built by any spec in {specs} today (no spec there has "
            f"delivery.tools_account {record.get('Account')} without a kms_key): pass "
            "--specs DIR, or `make templates` removes it"
        )
    if kind_of(record) == REGIONAL:
        for stack in regional_stacks(valid_specs(specs)):
            if stack.name == template.stem:
                return render(stack.data), None
        raise DeployRefused(
            f"{template.path} is not built by any spec in {specs} today (no pipeline there "
            f"deploys to {record.get('Region')} under regions): pass --specs DIR, or `make "
            "templates` removes it"
        )
    service = record.get("Service")
    found = specs_of_service(specs, service, str(record.get("SpecFile")))
    if len(found) > 1:
        both = " and ".join(str(path) for path, _ in found)
        raise DeployRefused(f"{both} both have service: {service}; each service needs one spec")
    if found and has_targets(found[0][1]):
        path, spec = found[0]
        return render(targets_data(spec, spec_name(path, [specs]))), spec
    raise DeployRefused(
        f"{template.path} is not built by any spec today (no spec in {specs} with service: "
        f"{service} deploys into another account): pass --specs DIR, or `make templates` "
        "removes it"
    )


def specs_of_service(specs: Path, service: object, recorded: str) -> list[tuple[Path, Spec]]:
    """The valid specs under the specs root whose service is this one: the spec at the
    path the template records, when it still has that service (one file read), else
    every spec that has it."""
    from ..spec.errors import SpecErrors
    from ..spec.sources import discover, spec_name
    from .generate import load_file

    if not specs.is_dir():
        return []
    try:
        files = discover([specs])
    except SpecErrors:  # no spec files at all
        return []
    recorded_first = [p for p in files if spec_name(p, [specs]) == recorded]
    for group in (recorded_first, files):
        loaded = [(path, load_file(path).spec) for path in group]
        found = [(p, spec) for p, spec in loaded if spec is not None and spec.service == service]
        if found:
            return found
    return []


def refuse_stale(template: StackFile, specs: Path) -> Spec | None:
    """The template's spec (None for a bootstrap template), refusing a stale template."""
    text, spec = expected(template, specs)
    if template.path.read_text(encoding="utf-8") != text:
        raise DeployRefused(
            f"{template.path} is not what its spec builds today: run `make templates`, "
            "review the change (`python -m generator diff`), and deploy again"
        )
    return spec


def is_production(spec: Spec | None, environment: str | None) -> bool:
    from ..spec.validate import is_production as named_production

    if spec is None or environment not in spec.environments:
        return False
    explicit = spec.environments[environment].production
    return named_production(environment, {"production": explicit} if explicit is not None else {})


# --- the command line ---------------------------------------------------------------------


def stack_tags(template: StackFile) -> list[str]:
    """The spec's tags (as written on the pipeline) as Key=Value stack tags."""
    resources = template.data.get("Resources") or {}
    tags = resources.get("Pipeline", {}).get("Properties", {}).get("Tags", [])
    return [f"{tag['Key']}={tag['Value']}" for tag in tags]


# Parameters that templates of earlier releases had, and the spec field that sets the value
# now (a literal in the template).
RETIRED_PARAMETERS = {
    "BuildComputeType": "build.compute",
    "BuildTimeoutInMinutes": "build.timeout",
    "LogRetentionInDays": "logs.retention",
}


def parameter_overrides(template: StackFile, overrides: Sequence[str]) -> list[str]:
    """The run's KEY=VALUE overrides, each naming a parameter the template has."""
    declared = sorted(template.data.get("Parameters") or {})
    for item in overrides:
        key, sep, _ = item.partition("=")
        if not sep:
            raise DeployRefused(f"--parameter-overrides takes KEY=VALUE; got {item!r}")
        if key not in declared:
            has = f"its parameters: {', '.join(declared)}" if declared else "it has none"
            spec = (
                f"; set {RETIRED_PARAMETERS[key]} in the spec and run `make templates`"
                if key in RETIRED_PARAMETERS
                else ""
            )
            raise DeployRefused(
                f"--parameter-overrides {item}: {template.path} has no parameter {key} "
                f"({has}){spec}"
            )
    return list(overrides)


# The name property of each IAM resource type that needs an acknowledgement. CloudFormation
# user guide, "Acknowledging IAM resources in CloudFormation templates" and CreateStack
# Capabilities: "If you have IAM resources with custom names, you must specify
# CAPABILITY_NAMED_IAM"; for unnamed ones either capability does.
IAM_NAME_PROPERTIES = {
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
}


def capability_for(template: Mapping[str, Any]) -> str:
    """CAPABILITY_NAMED_IAM for a template that names IAM resources, else CAPABILITY_IAM.

    A StackSet is not among the resource types that page lists: its own Capabilities
    property acknowledges the roles its instances create. One whose Capabilities holds
    CAPABILITY_NAMED_IAM still gets it here, so the deploy acknowledges the named roles it
    rolls out (an acknowledgement the template does not need is accepted)."""
    for resource in (template.get("Resources") or {}).values():
        if not isinstance(resource, dict):
            continue
        kind, properties = resource.get("Type"), resource.get("Properties") or {}
        if kind in IAM_NAME_PROPERTIES and IAM_NAME_PROPERTIES[kind] in properties:
            return "CAPABILITY_NAMED_IAM"
        if kind == "AWS::CloudFormation::StackSet" and "CAPABILITY_NAMED_IAM" in (
            properties.get("Capabilities") or []
        ):
            return "CAPABILITY_NAMED_IAM"
    return "CAPABILITY_IAM"


def deploy_command(
    request: DeployRequest, template: StackFile, aws: AwsCli, role_arn: str | None = None
) -> list[str]:
    command = [
        "aws", "cloudformation", "deploy",
        "--template-file", str(template.path),
        "--stack-name", template.stack_name,
        "--capabilities", capability_for(template.data),
        "--no-fail-on-empty-changeset",
    ]  # fmt: skip
    size = template.path.stat().st_size
    if request.s3_bucket:
        command += ["--s3-bucket", request.s3_bucket]
    elif size > TEMPLATE_BODY_LIMIT:
        raise DeployRefused(
            f"{template.path} is {size} bytes, over the {TEMPLATE_BODY_LIMIT}-byte inline limit: "
            "pass --s3-bucket BUCKET (or DEPLOY_BUCKET=BUCKET with make) to upload it first"
        )
    command += aws.global_options()
    if role_arn:
        command += ["--role-arn", role_arn]
    tags = stack_tags(template)
    if tags:
        command += ["--tags", *tags]
    overrides = parameter_overrides(template, request.parameter_overrides)
    if overrides:
        command += ["--parameter-overrides", *overrides]
    if request.dry_run:
        command.append("--no-execute-changeset")
    return command


# --- talking to CloudFormation through the AWS CLI -------------------------------------------


def deployer_role(aws: AwsCli) -> str:
    """DeployRoleArn from the deployer stack's outputs (bootstrap-deployer)."""
    outputs = (aws.stack(DEPLOYER_STACK) or {}).get("Outputs") or []
    for output in outputs:
        if output.get("OutputKey") == DEPLOYER_OUTPUT:
            return str(output["OutputValue"])
    raise DeployRefused(
        f"--role-arn deployer: stack {DEPLOYER_STACK} has no output {DEPLOYER_OUTPUT} in this "
        "account and region: deploy it first (pipeline-generator deploy bootstrap-deployer), "
        "or pass the role's ARN"
    )


def format_event(event: Mapping[str, Any]) -> str:
    stamp = str(event.get("Timestamp", ""))
    clock = stamp[11:19] if len(stamp) >= 19 else stamp
    text = (
        f"{clock}  {event.get('ResourceStatus', '?'):<22} {event.get('LogicalResourceId', '?')}"
        f" ({event.get('ResourceType', '?')})"
    )
    reason = event.get("ResourceStatusReason")
    return f"{text}: {reason}" if reason else text


def first_failure(events: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The event that started a failure: the first FAILED one that is not a cancellation."""
    for event in events:
        reason = str(event.get("ResourceStatusReason") or "")
        if event.get("ResourceStatus") in FAILED_STATES and not reason.startswith(CANCELLED):
            return event
    return None


class EventWatcher:
    """Prints each stack event once, as it appears."""

    def __init__(self, aws: AwsCli, stack: str, say: Callable[[str], None]) -> None:
        self.aws, self.stack, self.say = aws, stack, say
        self.seen = {e.get("EventId") for e in aws.events(stack)}  # events of earlier runs
        self.new: list[dict[str, Any]] = []

    def poll(self) -> None:
        for event in self.aws.events(self.stack):
            if event.get("EventId") not in self.seen:
                self.seen.add(event.get("EventId"))
                self.new.append(event)
                self.say("  " + format_event(event))


def _poll_seconds(environ: Mapping[str, str]) -> float:
    try:
        return float(environ.get("PIPELINE_GENERATOR_POLL_SECONDS", "5"))
    except ValueError:
        return 5.0


def _stream(lines: TextIO, say: Callable[[str], None], captured: list[str]) -> None:
    for line in lines:
        captured.append(line.rstrip("\n"))
        say(line.rstrip("\n"))


def _run_cli(
    aws: AwsCli, command: list[str], watcher: EventWatcher | None, poll: float, say: Callable
) -> tuple[int, list[str]]:
    """Run the deploy command, printing its lines and the stack's new events meanwhile."""
    try:
        process = subprocess.Popen(
            aws.argv(command),
            env=aws.environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    except FileNotFoundError:
        raise DeployRefused(
            f"the AWS CLI ({aws.executable}) is not on PATH: {INSTALL_HINT}"
        ) from None
    captured: list[str] = []
    assert process.stdout is not None  # PIPE was asked for
    reader = threading.Thread(target=_stream, args=(process.stdout, say, captured), daemon=True)
    reader.start()
    while True:
        try:
            status = process.wait(timeout=poll)
            break
        except subprocess.TimeoutExpired:
            if watcher is not None:
                watcher.poll()
    reader.join()
    if watcher is not None:
        watcher.poll()
    return status, captured


def dry_run_report(aws: AwsCli, name: str, existed: bool, captured: list[str]) -> Outcome:
    """The change set as a table of action, logical ID, type and replacement."""
    arn = change_set_arn(captured)
    lines = []
    if arn:
        answer = aws.call("cloudformation", "describe-change-set", "--change-set-name", arn)
        lines.append(change_table(answer.data) if answer.ok else answer.error)
    lines += [
        f"Change set created for {name} and not executed. Execute it in the CloudFormation "
        f"console (Stacks > {name} > Change sets), or deploy without --dry-run.",
    ]
    if not existed:
        lines.append(
            f"{name} did not exist: CloudFormation created it in REVIEW_IN_PROGRESS, holding "
            "only this change set. Execute the change set, or drop it with "
            f"`aws cloudformation delete-stack --stack-name {name}`."
        )
    return Outcome(name, "change set created", 0, "\n".join(lines))


def protect(aws: AwsCli, name: str) -> str:
    """Termination protection on a production stack, set once it exists (CloudFormation
    user guide, "Protect a stack from being deleted": UpdateTerminationProtection)."""
    answer = aws.call(
        "cloudformation", "update-termination-protection",
        "--enable-termination-protection", "--stack-name", name,
    )  # fmt: skip
    if answer.ok:
        return f"Termination protection is on for {name} (a production stack)."
    return f"Could not turn on termination protection for {name}:\n{answer.error}"


def _success(
    aws: AwsCli,
    template: StackFile,
    existed: bool,
    captured: list[str],
    spec: Spec | None,
    account: str = "",
) -> Outcome:
    name = template.stack_name
    if any("No changes to deploy" in line for line in captured):
        return Outcome(name, "no changes", 0, f"Stack {name} is up to date.")
    outputs = (aws.stack(name) or {}).get("Outputs") or []
    lines = [f"Stack {name} is deployed. Outputs:"] + [
        f"  {o.get('OutputKey')} = {o.get('OutputValue')}" for o in outputs
    ]
    if not outputs:
        lines = [
            f"Stack {name} is deployed. Its outputs:",
            f"  aws cloudformation describe-stacks --stack-name {name} --query 'Stacks[0].Outputs'",
        ]
    if not existed:
        if is_production(spec, template.environment):
            lines.append(protect(aws, name))
        steps = next_steps(template.data, spec, template.environment, account)
        if steps:
            lines += ["Next:"] + [f"  - {step}" for step in steps]
    return Outcome(name, "deployed", 0, "\n".join(lines))


def _failure(
    aws: AwsCli, name: str, status: int, watcher: EventWatcher | None, captured: list[str]
) -> Outcome:
    failed = first_failure(watcher.new if watcher else [])
    if failed:
        reason = (
            f"{failed.get('LogicalResourceId')} ({failed.get('ResourceType')}) "
            f"{failed.get('ResourceStatus')}: {failed.get('ResourceStatusReason')}"
        )
    else:  # the CLI's own words, not a guess
        said = "\n".join(line for line in captured if line.strip())
        reason = f"the AWS CLI exited with {status}" + (f":\n{said}" if said else "")
    lines = [f"Deploying {name} failed: {reason}"]
    fix = known_fix(str((failed or {}).get("ResourceStatusReason") or ""))
    if fix:
        lines.append(f"Fix: {fix}.")
    state = (aws.stack(name) or {}).get("StackStatus")
    if state == "ROLLBACK_COMPLETE":
        lines.append(
            f"The stack's first create was rolled back; a ROLLBACK_COMPLETE stack cannot be "
            f"updated. Delete it (`aws cloudformation delete-stack --stack-name {name}`), fix "
            "the cause, and deploy again."
        )
    elif state:
        lines.append(f"Stack status: {state}.")
    return Outcome(name, "failed", 0, "\n".join(lines))


def home_check(
    aws: AwsCli, template: StackFile, request: DeployRequest, say: Callable[[str], None]
) -> Callable[[str], None] | None:
    """For a template that says which account it belongs in: refuse credentials of any
    other account (waves.py), naming the account and the command. None for the others."""
    record = template.record
    if not has_home(record):
        return None

    def check(account: str) -> None:
        management = management_account(aws) if kind_of(record) == STACKSET else None
        if kind_of(record) == STACKSET and management is None:
            say(
                "cannot read the organization's management account (organizations "
                "describe-organization): only checked that this is no target account"
            )
        home = home_of(record, management)
        if not belongs(home, account):
            assert home is not None
            raise DeployRefused(misplaced(template.stem, record, account, home, request.region))

    return check


def deploy_one(
    request: DeployRequest,
    environ: Mapping[str, str] | None = None,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Refuse a stale template, check the account before any write, run the deploy, follow
    the stack's events, and say how it ended."""
    environ = os.environ if environ is None else environ
    started = time.monotonic()
    aws = AwsCli(environ, request.profile, request.region)
    try:
        template = template_for(request)
        refusal = wrong_region(template.stem, template.record, request.region)
        if refusal:
            raise DeployRefused(refusal)
        region = region_of(template.record)
        if region:  # a regional stack deploys in its Region, whatever the profile's is
            request = replace(request, region=region)
            aws = AwsCli(environ, request.profile, region)
        spec = refuse_stale(template, request.specs)
        name = template.stack_name
        deploy_command(request, template, aws)  # refuses bad overrides before any AWS call
        identity = preflight(aws, template.data, say, home_check(aws, template, request, say))
        stack = aws.stack(name)
        refuse_rolled_back(stack, name)
        role = request.role_arn
        if role == "deployer" and kind_of(template.record) is not None:
            # The execution role exists in the tools account and creates no KMS key, no
            # StackSet and no named role outside a pipeline stack (stack/deployer.py).
            say(
                f"{DEPLOYER_STACK} deploys pipeline stacks only; deploying {name} with your "
                "own credentials"
            )
            role = None
        elif role == "deployer":
            role = deployer_role(aws)
        command = deploy_command(request, template, aws, role)
    except DeployRefused as exc:
        return Outcome(request.stack, "refused", 0, str(exc))
    say("+ " + shlex.join(command))
    watcher = None if request.dry_run else EventWatcher(aws, name, say)
    try:
        status, captured = _run_cli(aws, command, watcher, _poll_seconds(environ), say)
    except DeployRefused as exc:
        return Outcome(name, "refused", 0, str(exc))
    if status != 0:
        outcome = _failure(aws, name, status, watcher, captured)
    elif request.dry_run:
        outcome = dry_run_report(aws, name, stack is not None, captured)
    else:
        account = str(identity.get("Account", ""))
        outcome = _success(aws, template, stack is not None, captured, spec, account)
    outcome.seconds = time.monotonic() - started
    return outcome


def run_deploy(request: DeployRequest, environ: Mapping[str, str] | None = None) -> int:
    """One stack; 0 when it deployed (or had nothing to change), 2 refused, 1 failed."""
    outcome = deploy_one(request, environ)
    if outcome.result == "refused":
        raise DeployRefused(outcome.reason)
    stream = sys.stdout if outcome.result != "failed" else sys.stderr
    print(outcome.reason, file=stream)
    return 1 if outcome.result == "failed" else 0


def _prefixed(stack: str, lock: threading.Lock) -> Callable[[str], None]:
    def say(line: str) -> None:
        with lock:
            print(f"[{stack}] {line}", flush=True)

    return say


def outcome_table(outcomes: Sequence[Outcome]) -> str:
    width = max([len("stack"), *(len(o.stack) for o in outcomes)])
    rows = [f"{'stack':<{width}}  {'result':<18} {'seconds':>7}  reason"]
    for o in outcomes:
        reason = o.reason.splitlines()[0] if o.result in ("failed", "refused", "not run") else ""
        rows.append(f"{o.stack:<{width}}  {o.result:<18} {o.seconds:>7.1f}  {reason}")
    return "\n".join(rows)


def services_of(specs: Path) -> set[str]:
    """The services of the valid specs under a specs folder."""
    return {spec.service for spec in valid_specs(specs)}


def chained_pointers(specs: Sequence[Spec], environment: str) -> list[str]:
    """For each spec whose environment has `after`: which pipeline deploys it, and the
    deploy-all that runs that pipeline's stack."""
    lines = []
    for spec in sorted(specs, key=lambda spec: spec.service):
        pointer = chained_pointer(spec, environment)
        if pointer:
            lines.append(f"{pointer}: pipeline-generator deploy-all {spec.head_of(environment)}")
    return lines


def stacks_to_deploy(templates: Path, environment: str, services: set[str]) -> list[StackFile]:
    """The environment's stacks of these services and what they need: for a multi-account
    spec the delivery stack and target roles, and the regional artifact stores of their
    services (unordered: see waves.in_waves)."""
    pipelines = [
        s for s in stacks_of_environment(templates, environment)
        if s.record.get("Service") in services
    ]  # fmt: skip
    cross_account = {s.record.get("Service") for s in pipelines if has_home(s.record)}
    present = {s.record.get("Service") for s in pipelines}
    needed = [
        f for f in stack_files(templates)
        if (kind_of(f.record) in (TARGETS, STACKSET) and f.record.get("Service") in cross_account)
        or (kind_of(f.record) == DELIVERY and cross_account & set(f.record.get("Services") or []))
        or (kind_of(f.record) == REGIONAL and present & set(f.record.get("Services") or []))
    ]  # fmt: skip
    return needed + pipelines


def split_by_account(
    files: Sequence[StackFile], aws: AwsCli
) -> tuple[str, list[StackFile], list[tuple[StackFile, Home]]]:
    """The caller's account; the stacks that belong in it; the others with their home.
    deploy-all runs a StackSet only where it confirms the organization's management
    account (a delegated administrator, or an organization it cannot read, is left to
    `deploy <stem>`, which says what it could check)."""
    account = str(caller_identity(aws).get("Account", ""))
    stackset = any(kind_of(f.record) == STACKSET for f in files)
    management = management_account(aws) if stackset else None
    here: list[StackFile] = []
    elsewhere: list[tuple[StackFile, Home]] = []
    for f in files:
        home = home_of(f.record, management)
        unconfirmed = kind_of(f.record) == STACKSET and account != management
        if belongs(home, account) and not unconfirmed:
            here.append(f)
        else:
            assert home is not None
            elsewhere.append((f, home))
    return account, here, elsewhere


def elsewhere_report(
    account: str, elsewhere: Sequence[tuple[StackFile, Home]], region: str | None
) -> str:
    """Each stack left to other credentials, in wave order, with the command for it."""
    lines = [
        f"Not deployed with these credentials (account {account}); deploy these in this "
        "order with credentials for their account:"
    ]
    for wave in in_waves(list(elsewhere), lambda item: item[0].record):
        for f, home in wave:
            where = region_of(f.record) or region
            lines.append(f"  {f.stem}: belongs in {home.describe()}")
            lines += [f"    {hint}" for hint in deploy_hints(f.stem, home, where)]
    return "\n".join(lines)


def without_own_region_store(files: Sequence[StackFile], aws: AwsCli) -> list[StackFile]:
    """The files but the regional store of the Region the pipelines deploy to: there the
    pipeline's own artifact bucket is the store (the pipeline template leaves that Region's
    regional store out, stack/regions.py), so it would be a bucket nothing uses."""
    here = aws.deploy_region()
    kept = []
    for f in files:
        if here and region_of(f.record) == here:
            print(
                f"{f.stem}: not deployed: the pipelines deploy in {here}, where their own "
                "artifact bucket is the store"
            )
        else:
            kept.append(f)
    return kept


def run_deploy_all(
    base: DeployRequest,
    environment: str,
    *,
    jobs: int = DEFAULT_JOBS,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Every stack of this environment whose service has a spec in base.specs (never the
    templates of other specs in the same folder), `jobs` at a time; keeps going past a
    failure and ends with a table. 0 only when every stack deployed.

    A multi-account spec's stacks go in waves (waves.py): delivery and regional artifact
    stores (each in its own Region), target roles, pipelines; a wave starts only when the
    one before deployed. Only the stacks that belong in the credentials' account deploy;
    the others are listed with their command. An environment with `after` has no stack of
    its own: the command names the pipeline that deploys it."""
    specs = valid_specs(base.specs)
    pointers = chained_pointers(specs, environment)
    for line in pointers:
        print(line)
    chained = {spec.service for spec in specs if chained_pointer(spec, environment)}
    services = {spec.service for spec in specs} - chained
    files = stacks_to_deploy(base.templates, environment, services)
    if not files and pointers:
        raise DeployRefused(f"no stack of its own to deploy for environment {environment!r}")
    if not files:
        raise DeployRefused(
            f"no stacks for environment {environment!r} in {base.templates} built from the specs "
            f"in {base.specs} (templates record their service and environment in Metadata: run "
            "`pipeline-generator build`, or pass --specs DIR)"
        )
    if any(region_of(f.record) for f in files):
        environ_ = os.environ if environ is None else environ
        files = without_own_region_store(files, AwsCli(environ_, base.profile, base.region))
    elsewhere: list[tuple[StackFile, Home]] = []
    account = ""
    if any(has_home(f.record) for f in files):
        aws = AwsCli(os.environ if environ is None else environ, base.profile, base.region)
        account, files, elsewhere = split_by_account(files, aws)
    lock = threading.Lock()

    def one(f: StackFile) -> Outcome:
        # a regional stack goes to its own Region, not the run's --region
        request = replace(base, stack=f.stem, region=region_of(f.record) or base.region)
        outcome = deploy_one(request, environ, _prefixed(f.stem, lock))
        say = _prefixed(f.stem, lock)
        say(outcome.reason.splitlines()[0] if outcome.reason else outcome.result)
        return outcome

    outcomes: list[Outcome] = []
    for wave in in_waves(files, lambda f: f.record):
        stopped = [o.stack for o in outcomes if o.result in ("failed", "refused")]
        if stopped:
            outcomes += [
                Outcome(f.stem, "not run", 0, f"waits for {', '.join(stopped)} to deploy")
                for f in wave
            ]
            continue
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            outcomes += list(pool.map(one, wave))
    print(outcome_table(outcomes))
    if elsewhere:
        print(elsewhere_report(account, elsewhere, base.region))
    bad = [o for o in outcomes if o.result in ("failed", "refused", "not run")]
    return 1 if bad else 0


# --- diff --deployed ---------------------------------------------------------------------


def deployed_changes(
    stem: str,
    templates: Path,
    environ: Mapping[str, str] | None = None,
    profile: str | None = None,
    region: str | None = None,
) -> list[str]:
    """What deploying templates/<stem> would change in the deployed stack: the template
    diff against `get-template`, and the deployed value of each parameter of an earlier
    release that the spec's literal replaces. DeployRefused when the stack cannot be
    read."""
    from .diff import cross_account_changes, template_changes
    from .stackfiles import parse_template

    environ = os.environ if environ is None else environ
    template = template_for(DeployRequest(stem, templates))
    refusal = wrong_region(template.stem, template.record, region)
    if refusal:
        raise DeployRefused(refusal)
    aws = AwsCli(environ, profile, region_of(template.record) or region)
    name = template.stack_name
    answer = aws.query("get-template", "--stack-name", name, "--template-stage", "Original")
    body = answer.get("TemplateBody") if isinstance(answer, dict) else None
    deployed = parse_template(body) if isinstance(body, str) else body
    if not isinstance(deployed, dict):
        raise DeployRefused(
            f"cannot read the deployed stack {name} (does it exist? are AWS credentials and "
            "the region set?)"
        )
    lines = [str(change) for change in template_changes(deployed, template.data)]
    lines += cross_account_changes(deployed, template.data)
    parameters = template.data.get("Parameters") or {}
    for given in (aws.stack(name) or {}).get("Parameters") or []:
        key = given.get("ParameterKey")
        if key in RETIRED_PARAMETERS and key not in parameters:
            lines.append(
                f"  - value   {key} (Parameter value): {given.get('ParameterValue')} -> the "
                f"spec's {RETIRED_PARAMETERS[key]}, a literal in the template"
            )
    return lines
