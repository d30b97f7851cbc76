"""Turn loaded spec data into a validated `Spec`, or into SpecErrors that name
the file, position, field path, offending value and the allowed values.

pydantic checks types, ranges and unknown keys; the functions below add the
rules that span fields or come from AWS, each reported on its own field.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from ..aws.enums import (
    BITBUCKET_WEBHOOK_TRIGGERS,
    CHECKS_STACK,
    GENERATED_VARIABLES,
    PRODUCTION_WORDS,
    PROVIDER_EVENTS,
    SECRET_LIKE_NAME,
    SPEC_EVENTS,
    TARGETS_STACK,
)
from ..aws.images import ARCHES, CURATED_IMAGES, PRIVATE_ECR, classify
from .errors import SpecError, SpecErrors, did_you_mean
from .loader import FieldPath, LoadedSpec
from .model import PATTERN_MEANINGS, STRICT_MIN_RETENTION, Spec

# What a missing required field means, where "required field is missing" says too little.
MISSING_MEANINGS = {
    # The ECS deploy action registers a new task definition revision with the same roles,
    # which needs iam:PassRole on each (CodePipeline user guide, ECS deploy action).
    "task_roles": "is required: list the task definition's task and execution "
    "roles (the pipeline must pass them to ECS on every deploy, or the deploy fails), or "
    "write task_roles: [] when it has neither",
}

Problem = tuple[FieldPath, str]


def validate_spec(loaded: LoadedSpec) -> Spec:
    """The typed spec, or SpecErrors listing every problem found in it.

    The AWS and cross-field rules read the raw data, so they are reported in the
    same run as type errors elsewhere in the file."""
    errors = [loaded.error(path, message) for path, message in semantic_problems(loaded.data)]
    try:
        spec = Spec.model_validate(loaded.data)
    except ValidationError as exc:
        # A rule's message says more than a type error at the same field; one per field.
        ruled = {e.path for e in errors}
        type_errors = [e for e in _pydantic_errors(loaded, exc) if e.path not in ruled]
        raise SpecErrors(type_errors + errors) from None
    errors += [loaded.error(path, message) for path, message in _override_problems(spec)]
    if errors:
        raise SpecErrors(errors)
    return spec


def _override_problems(spec: Spec) -> Iterator[Problem]:
    """Overrides name resources of the stacks the spec builds, and never a permission."""
    layers = [(("environments", env), e.overrides) for env, e in spec.environments.items()]
    if not spec.overrides and not any(overrides for _, overrides in layers):
        return
    from ..stack.compose import compose
    from ..stack.overrides import override_problems

    types = {
        env: {name: r.resource_type for name, r in compose(spec, env).resources.items()}
        for env in spec.stack_environments
    }
    every_stack = {name: kind for found in types.values() for name, kind in found.items()}
    yield from override_problems(("overrides",), spec.overrides, every_stack, "any stack")
    for (base, overrides), env in zip(layers, spec.environments, strict=True):
        stack = f"stack {spec.service}-{env}"
        yield from override_problems(base + ("overrides",), overrides, types[env], stack)


def spec_warnings(loaded: LoadedSpec) -> list[SpecError]:
    """What a valid spec builds but may not do as its author expects, one line each."""
    return [
        loaded.error(path, "warning: " + message)
        for path, message in semantic_warnings(loaded.data)
    ]


# --- pydantic errors -> our messages ---------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return '"' + text.replace("\n", "\\n") + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _model_at(path: FieldPath) -> type[BaseModel] | None:
    """The model class whose fields live at path (for 'allowed keys' hints)."""
    model: Any = Spec
    for part in path:
        if isinstance(model, type) and issubclass(model, BaseModel) and isinstance(part, str):
            field = model.model_fields.get(part)
            if field is None:
                return None
            model = field.annotation
        elif typing.get_origin(model) in (dict, list):
            model = typing.get_args(model)[-1]
        else:
            return None
        model = _unwrap_optional(model)
    if typing.get_origin(model) in (dict, list):
        return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap_optional(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return args[0] if len(args) == 1 else annotation
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _pydantic_message(error: Any, path: FieldPath) -> tuple[str, bool]:
    """(message, whether it points at the key rather than the value)."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        allowed = list(model.model_fields) if model else []
        hint = did_you_mean(path[-1], allowed)
        return f"unknown field; allowed: {', '.join(allowed)}{hint}", True
    if kind == "missing":
        return MISSING_MEANINGS.get(str(path[-1]), "required field is missing"), False
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])), False
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        choices = [c.strip() for c in expected.replace(" or ", ", ").split(",")]
        return (
            f"must be one of {', '.join(choices)}; got {_show(value)}"
            + did_you_mean(value, choices),
            False,
        )
    simple = {
        "bool_type": "must be true or false",
        "int_type": "must be a whole number",
        "string_type": "must be a string (quote it)",
        "dict_type": "must be a mapping",
        "model_type": "must be a mapping",
        "model_attributes_type": "must be a mapping",
        "list_type": "must be a list",
    }
    if kind in simple:
        return f"{simple[kind]}; got {_show(value)}", False
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        text = PATTERN_MEANINGS.get(pattern, f"must match {pattern}")
        return f"{text}; got {_show(value)}", False
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = "at least" if kind == "greater_than_equal" else "at most"
        limit = ctx.get("ge", ctx.get("le"))
        return f"must be {bound} {limit}; got {_show(value)}", False
    if kind == "too_short":
        least, got = ctx.get("min_length"), ctx.get("actual_length")
        return f"must have at least {least} item(s); got {got}", False
    if kind == "too_long":
        most, got = ctx.get("max_length"), ctx.get("actual_length")
        return f"must have at most {most} item(s); got {got}", False
    if kind in ("string_too_short", "string_too_long"):
        return f"{error['msg'].replace('String should', 'must')}; got {_show(value)}", False
    return f"{error['msg']}; got {_show(value)}", False


def _pydantic_errors(loaded: LoadedSpec, exc: ValidationError) -> Iterator[SpecError]:
    for error in exc.errors(include_url=False):
        path: FieldPath = tuple(error["loc"])
        if path and path[-1] == "[key]":
            path = path[:-1]
            message, _ = _pydantic_message(error, path)
            yield loaded.error(path, f"invalid name: {message}", key=True)
            continue
        message, at_key = _pydantic_message(error, path)
        yield loaded.error(path, message, key=at_key)


# --- rules that span fields or come from AWS ----------------------------------------------
# They read the raw data defensively: a value of the wrong type is pydantic's to report.

_HOSTS = {"bitbucket": "bitbucket.org", "github": "github.com"}
_SECRET_LIKE = re.compile(SECRET_LIKE_NAME, re.IGNORECASE)


def _mapping(data: Any, key: str) -> dict[Any, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _text(data: dict[Any, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def semantic_problems(data: Any) -> Iterator[Problem]:
    """Every cross-field or AWS rule the spec data breaks, with its field path."""
    yield from _repository_problems(_mapping(data, "repository"))
    yield from _build_problems(_mapping(data, "build"))
    if isinstance(data, dict) and data.get("hardening") == "strict":
        yield from _strict_problems(data)
    provider = _provider(_mapping(data, "repository"))
    build = _mapping(data, "build")
    for name, env in _mapping(data, "environments").items():
        if isinstance(env, dict):
            yield from _environment_problems(("environments", name), env, provider)
            yield from _environment_variable_problems(("environments", name), env, build)
    if isinstance(data, dict) and "checks" in data:
        if CHECKS_STACK in _mapping(data, "environments"):
            yield (
                ("environments", CHECKS_STACK),
                f"an environment may not be named {CHECKS_STACK} when the spec has checks: "
                f"the stack <service>-{CHECKS_STACK} holds the pull-request checks",
            )
        yield from _checks_problems(_mapping(data, "checks"), provider)
    yield from _delivery_problems(data)
    yield from _promotion_problems(_mapping(data, "environments"))
    yield from _region_problems(data)
    notifications = _mapping(data, "notifications")
    if "topic" in notifications and "emails" in notifications:
        yield (
            ("notifications", "emails"),
            "subscribes to the topic the stack creates; with notifications.topic, subscribe "
            "on that topic instead (or leave topic out)",
        )
    for key in ("events", "emails"):
        values = notifications.get(key)
        if isinstance(values, list):
            for i, value in enumerate(values):
                if value in values[:i]:
                    yield ("notifications", key, i), f'lists "{value}" twice'


def _account_number_problem(value: Any) -> str | None:
    """YAML reads an unquoted account id as a number (and drops a leading zero)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (
            f'must be a 12-digit AWS account id in quotes ("{value:012d}"): YAML reads '
            "an unquoted one as a number"
        )
    return None


def _delivery_problems(data: Any) -> Iterator[Problem]:
    """delivery and environments.<env>.account: the cross-account rules of DESIGN v1.2."""
    if not isinstance(data, dict):
        return
    delivery = _mapping(data, "delivery")
    tools = delivery.get("tools_account")
    if (problem := _account_number_problem(tools)) is not None:
        yield ("delivery", "tools_account"), problem
    targets = delivery.get("target_roles", "stacks")
    units = delivery.get("organizational_units")
    if units and targets != "stackset":
        yield (
            ("delivery", "organizational_units"),
            "is used only with target_roles: stackset (a service-managed StackSet targets "
            "OUs); with target_roles: stacks, deploy <service>-targets in each account",
        )
    if "delivery" in data and targets == "stackset" and not units:
        yield (
            ("delivery", "organizational_units"),
            "is required with target_roles: stackset: a service-managed StackSet deploys "
            "to accounts inside organizational units (CloudFormation user guide, "
            '"StackSets with service-managed permissions"); list the OUs that hold the '
            "environments' accounts, or use target_roles: stacks",
        )
    if "stackset_admin" in delivery and targets != "stackset":
        yield ("delivery", "stackset_admin"), "is used only with target_roles: stackset"
    if isinstance(units, list):
        for i, unit in enumerate(units):
            if unit in units[:i]:
                yield ("delivery", "organizational_units", i), f'lists "{unit}" twice'
    key = data.get("kms_key")
    if isinstance(tools, str) and isinstance(key, str) and key.count(":") >= 5:
        key_account = key.split(":")[4]
        if key_account != tools and _has_target_environment(data):
            yield (
                ("kms_key",),
                f"is in account {key_account}, not the tools account {tools}: the artifact "
                "store's key must be in the pipeline's account (CodePipeline user guide, "
                '"Create a pipeline that uses resources from another AWS account")',
            )
    environments = _mapping(data, "environments")
    if "delivery" in data and TARGETS_STACK in environments:
        yield (
            ("environments", TARGETS_STACK),
            f"an environment may not be named {TARGETS_STACK} when the spec has delivery: "
            f"the template <service>-{TARGETS_STACK} holds the target accounts' deploy roles",
        )
    for name, env in environments.items():
        if not isinstance(env, dict) or "account" not in env:
            continue
        path = ("environments", name, "account")
        account = env["account"]
        if (problem := _account_number_problem(account)) is not None:
            yield path, problem
        elif "delivery" not in data:
            yield (
                path,
                "needs delivery.tools_account: an environment in another account is deployed "
                "from the pipelines' tools account through a role there; add delivery: "
                "{tools_account: ...}, or leave account out to deploy in the stack's account",
            )
        elif account == tools:
            yield (
                path,
                f"is the tools account {tools}: leave account out (an environment without "
                "account deploys in the tools account with the pipeline's own role, and gets "
                "no cross-account role); an account here means a target account",
            )


# What an environment with `after` may not set: each would apply only where a pipeline
# starts or builds, and a promoted environment does neither (DESIGN, v1.2 additions).
BUILD_TIME_FIELDS = (
    "branch",
    "events",
    "paths",
    "variables",
    "secrets",
    "actors",
    "pull_request_approval",
    "overrides",
)


def _promotion_problems(environments: dict[Any, Any]) -> Iterator[Problem]:
    """`after`: a known environment, no cycle, one follower per environment, and nothing
    that only a pipeline's start or build would use."""
    names = [str(name) for name in environments]
    claimed: dict[str, str] = {}
    for name, env in environments.items():
        if not isinstance(env, dict):
            continue
        after = env.get("after")
        if after is None:
            if "branch" not in env:
                yield (
                    ("environments", name, "branch"),
                    "is required: the branch whose pushes start this environment's pipeline "
                    "(or after: <environment> to deploy what that environment deployed)",
                )
            continue
        path = ("environments", name, "after")
        if not isinstance(after, str):
            continue
        if after == name:
            yield path, "names the environment itself; name the environment to promote from"
            continue
        if after not in environments:
            yield (
                path,
                f'unknown environment "{after}"'
                + did_you_mean(after, names)
                + ("; allowed: " + ", ".join(n for n in names if n != name)),
            )
            continue
        if after in claimed:
            yield (
                path,
                f"{after} is already followed by {claimed[after]}: a chain promotes one "
                "environment to the next, so each environment has at most one environment "
                f"after it (put {name} after {claimed[after]})",
            )
        claimed.setdefault(after, str(name))
        for field in BUILD_TIME_FIELDS:
            if field in env:
                yield (
                    ("environments", name, field),
                    f"cannot be set with after: {name} deploys the build of {after}'s "
                    f"pipeline and is never started or built on its own, so {field} would "
                    f"not apply; set it on the first environment of the chain",
                )
    yield from _cycle_problems(environments)


def _region_problems(data: Any) -> Iterator[Problem]:
    """`regions`: each once; across accounts a multi-Region key; gates within one
    condition's five rules."""
    if not isinstance(data, dict):
        return
    key = data.get("kms_key")
    for name, env in _mapping(data, "environments").items():
        if not isinstance(env, dict) or not isinstance(env.get("regions"), list):
            continue
        regions = env["regions"]
        for i, region in enumerate(regions):
            if region in regions[:i]:
                yield ("environments", name, "regions", i), f'lists "{region}" twice'
        if (
            regions
            and env.get("account") is not None
            and not (isinstance(key, str) and "key/mrk-" in key)
        ):
            yield (
                ("environments", name, "regions"),
                "needs kms_key to be a multi-Region key (key/mrk-...) replicated into each of "
                "these Regions: a deploy in another account reads the artifact store of each "
                "Region, which needs a customer managed key there named by key ARN "
                "(CodePipeline user guide, actions-create-cross-region and "
                "pipelines-create-cross-account); a multi-Region key's replicas share its key ID",
            )
        alarms = _mapping(env, "gates").get("alarms")
        if regions and isinstance(alarms, list) and len(alarms) * len(regions) > 5:
            yield (
                ("environments", name, "gates", "alarms"),
                f"{len(alarms)} alarms in each of {len(regions)} Regions make "
                f"{len(alarms) * len(regions)} rules; a stage condition holds at most 5 "
                "(CodePipeline API reference, Condition: rules)",
            )


def _cycle_problems(environments: dict[Any, Any]) -> Iterator[Problem]:
    """One message per cycle of `after`, on its first environment in file order."""
    reported: set[str] = set()
    for name in environments:
        seen: list[str] = []
        current: Any = name
        while isinstance(current, str) and current in environments and current not in seen:
            seen.append(current)
            env = environments[current]
            current = env.get("after") if isinstance(env, dict) else None
        if isinstance(current, str) and current in seen:
            cycle = seen[seen.index(current) :]
            if not reported & set(cycle) and name == cycle[0]:
                reported |= set(cycle)
                yield (
                    ("environments", name, "after"),
                    "makes a cycle ("
                    + " -> ".join([*cycle, cycle[0]])
                    + "): a chain needs a first environment with a branch",
                )


def _has_target_environment(data: dict[Any, Any]) -> bool:
    return any(
        isinstance(env, dict) and env.get("account") is not None
        for env in _mapping(data, "environments").values()
    )


def semantic_warnings(data: Any) -> Iterator[Problem]:
    """What builds but may not do what the author expects; printed, never fatal."""
    image = _mapping(data, "build").get("image")
    ecr = PRIVATE_ECR.match(image) if isinstance(image, str) else None
    if ecr:
        # CodeBuild user guide, troubleshooting.html#troubleshooting-unable-to-pull-image:
        # an ECR image "not available in the AWS Region" is a cause of the error, and the
        # solution is "an Amazon ECR image that is in the same AWS Region".
        yield (
            ("build", "image"),
            f"the image is in {ecr['region']}; builds in another Region can fail with "
            "BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE (CodeBuild troubleshooting: use an Amazon "
            f"ECR image in the same AWS Region): deploy these stacks in {ecr['region']}, or "
            "copy the image to the Region you deploy in",
        )
    provider = _provider(_mapping(data, "repository"))
    for name, env in _mapping(data, "environments").items():
        events = env.get("events") if isinstance(env, dict) else None
        if not isinstance(events, list):
            continue
        base: FieldPath = ("environments", name, "events")
        for i, event in enumerate(events):
            trigger = BITBUCKET_WEBHOOK_TRIGGERS.get(event) if provider == "bitbucket" else None
            if trigger:
                yield (
                    base + (i,),
                    f"Bitbucket sends {event} only when the repository webhook that CodeBuild "
                    f'creates has the "{trigger}" trigger: after the first deploy, tick it in '
                    "Repository settings > Webhooks",
                )
        if "push" in events and any(str(e).startswith("pull-request-") for e in events):
            yield (
                base,
                "pull-request builds and pushes write the same source.zip: what deploys is "
                "the last upload, whichever event made it; validate pull requests without "
                "deploying in a separate environment or pipeline",
            )
    yield from _check_push_warnings(data)
    yield from _task_role_warnings(data)
    yield from _shared_tag_warnings(data)
    yield from _unused_secret_key_warnings(data)


def _unused_secret_key_warnings(data: Any) -> Iterator[Problem]:
    """secret_keys with no secret anywhere grants nothing: most likely the secrets were
    left out or put in variables."""
    build = _mapping(data, "build")
    if not build.get("secret_keys"):
        return
    stores = [build, _mapping(data, "checks")]
    stores += [env for env in _mapping(data, "environments").values() if isinstance(env, dict)]
    if not any(_mapping(store, "secrets") for store in stores):
        yield (
            ("build", "secret_keys"),
            "no role reads a secret (build.secrets, environments.<env>.secrets and "
            "checks.secrets are empty), so these keys are granted to none; list the secrets "
            "they encrypt, or leave secret_keys out",
        )


def _pushes(data: Any) -> bool:
    ecr = _mapping(data, "build").get("ecr")
    return isinstance(ecr, list) and len(ecr) > 0


def _check_push_warnings(data: Any) -> Iterator[Problem]:
    """The check project runs build.buildspec unless checks.buildspec is set; its role may
    not push to ECR, so a buildspec that pushes fails every pull-request check."""
    if not isinstance(data, dict) or "checks" not in data or not _pushes(data):
        return
    if "buildspec" in _mapping(data, "checks"):
        return
    yield (
        ("checks",),
        "pull-request checks run build.buildspec, and this spec's builds push to ECR "
        "(build.ecr); the check project may not push, so a buildspec that logs in to ECR or "
        f"pushes fails every check: skip the ECR login and push when PIPELINE_ENV is "
        f"{CHECKS_STACK} (the starter buildspec of init does), or set checks.buildspec to "
        "one that only builds and tests",
    )


def _task_role_warnings(data: Any) -> Iterator[Problem]:
    """An ECS deploy that may pass no role works only for a task definition without a task
    role and without an execution role. Fargate tasks that pull from a private ECR
    repository or log with awslogs need an execution role (ECS developer guide, "Amazon
    ECS task execution IAM role": task_execution_IAM_role.html), and the ECS deploy action
    registers a new task definition revision with the same roles, which needs iam:PassRole
    on each (CodePipeline user guide, action-reference-ECS, "Service role permissions")."""
    for name, env in _mapping(data, "environments").items():
        ecs = _mapping(_mapping(env, "deploy"), "ecs")
        if ecs.get("task_roles") == []:
            yield (
                ("environments", name, "deploy", "ecs", "task_roles"),
                "is empty, so the pipeline may pass no role to ECS: a task definition with a "
                "task role or an execution role (Fargate needs an execution role to pull from "
                "a private ECR repository or to send awslogs) fails its first deploy on "
                "iam:PassRole; list both roles by name, e.g. "
                "[<service>-task, <service>-exec]",
            )


def _shared_tag_warnings(data: Any) -> Iterator[Problem]:
    """Every environment's build pushes to the same build.ecr repositories: with mutable
    tags a later build can overwrite the tag another environment's imagedefinitions.json
    names (ECR user guide, "Image tag mutability": image-tag-mutability.html)."""
    environments = {  # a promoted environment deploys another's build: it pushes nothing
        name: env
        for name, env in _mapping(data, "environments").items()
        if not (isinstance(env, dict) and env.get("after") is not None)
    }
    if not _pushes(data) or len(environments) < 2:
        return
    yield (
        ("build", "ecr"),
        f"is pushed to by the builds of {len(environments)} environments "
        f"({', '.join(str(name) for name in environments)}): a tag one build pushes can be "
        "overwritten by another environment's build while a deployed imagedefinitions.json "
        "still names it; tag images with the commit and make the repositories' tags "
        "immutable (aws ecr put-image-tag-mutability --repository-name <repo> "
        "--image-tag-mutability IMMUTABLE)",
    )


def _provider(repo: dict[Any, Any]) -> str:
    provider = repo.get("provider", "bitbucket")
    return provider if isinstance(provider, str) else ""


def _repository_problems(repo: dict[Any, Any]) -> Iterator[Problem]:
    provider, raw_url = _provider(repo), _text(repo, "url")
    if raw_url is not None and provider in _HOSTS:
        yield from _url_problems(raw_url, provider)


def url_pattern(provider: str) -> str:
    """The clone URLs a provider's repositories have (shared with the JSON Schema)."""
    host = re.escape(_HOSTS[provider])
    return rf"^https://{host}/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?(\.git)?/?$"


def _url_problems(raw_url: str, provider: str) -> Iterator[Problem]:
    if re.match(url_pattern(provider), raw_url):
        return
    path: FieldPath = ("repository", "url")
    url, host = urlsplit(raw_url), _HOSTS[provider]
    if url.scheme != "https":
        yield path, f'must be an https:// clone URL; got "{raw_url}"'
    elif url.netloc != host:
        if provider == "github":
            yield (
                path,
                f'must be on {host}; got "{url.netloc}" (GitHub Enterprise is not supported: '
                "CloudFormation cannot create a GitHub Enterprise webhook)",
            )
        else:
            yield path, f'must be on {host} for provider {provider}; got "{url.netloc}"'
    else:
        yield path, f'must be https://{host}/<owner>/<repo>.git; got "{raw_url}"'


# Credential shapes in a variable's value, whatever its name: (pattern, what it is).
_CREDENTIAL_SHAPES = [
    (re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@"), "a password in a URL"),
    (re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}"), "a GitHub token"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), "a GitHub token"),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), "a GitLab token"),
    (re.compile(r"\bnpm_[A-Za-z0-9]{30,}"), "an npm token"),
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), "an AWS access key ID"),
    (re.compile(r"_authToken\s*="), "an npm auth token (_authToken=)"),
    (re.compile(r"^https://hooks\.slack\.com/services/\S+"), "a Slack webhook URL"),
]


def credential_kind(value: str) -> str | None:
    """What credential the value holds, if it has a known shape (never the value)."""
    return next((kind for shape, kind in _CREDENTIAL_SHAPES if shape.search(value)), None)


def _variable_problems(
    base: FieldPath, variables: dict[Any, Any], secrets: dict[Any, Any]
) -> Iterator[Problem]:
    """Plain variables named or shaped like secrets, names given twice, and generated names."""
    where = ".".join(str(part) for part in base)
    fix = f"move it to {where}.secrets (ssm:/... or secretsmanager:...)"
    for name, value in variables.items():
        if isinstance(name, str) and _SECRET_LIKE.search(name):
            yield (
                base + ("variables", name),
                "looks like a secret: plain variables are visible in the template and the "
                f"CodeBuild console; {fix}",
            )
        elif isinstance(value, str) and (kind := credential_kind(value)):
            yield (
                base + ("variables", name),
                f"holds {kind}: plain variables are visible in the template and the "
                f"CodeBuild console; {fix}",
            )
    for name in secrets:
        if name in variables:
            yield base + ("secrets", name), f"is also given in {where}.variables; give it once"
    for kind, names in (("variables", variables), ("secrets", secrets)):
        for name in names:
            if name in GENERATED_VARIABLES:
                yield (
                    base + (kind, name),
                    f"is set by the generator on every build ({', '.join(GENERATED_VARIABLES)}); "
                    "choose another name",
                )


def _build_problems(build: dict[Any, Any]) -> Iterator[Problem]:
    secrets, variables = _mapping(build, "secrets"), _mapping(build, "variables")
    yield from _variable_problems(("build",), variables, secrets)
    yield from _image_problems(build)
    yield from _cache_problems(build)
    yield from _buildspec_problems(("build",), build)
    vpc = _mapping(build, "vpc")
    for key in ("subnets", "security_groups"):
        values = vpc.get(key)
        if isinstance(values, list):
            for i, value in enumerate(values):
                if value in values[:i]:
                    yield ("build", "vpc", key, i), f'lists "{value}" twice; give it once'
    ecr = build.get("ecr")
    if isinstance(ecr, list):
        for i, repository in enumerate(ecr):
            if repository in ecr[:i]:
                yield ("build", "ecr", i), f'lists "{repository}" twice'
    keys = build.get("secret_keys")
    if isinstance(keys, list):
        for i, key in enumerate(keys):
            if key in keys[:i]:
                yield ("build", "secret_keys", i), f'lists "{key}" twice; give it once'


def _image_problems(build: dict[Any, Any]) -> Iterator[Problem]:
    image = build.get("image")
    if not isinstance(image, str):
        return
    found = classify(image)
    if isinstance(found, str):
        yield ("build", "image"), f'"{image}" {found}'
        return
    arch = build.get("arch", "x86_64")
    if found.arch is not None and arch in ARCHES and found.arch != arch:
        matching = ", ".join(i for i, a in CURATED_IMAGES.items() if a == arch)
        yield (
            ("build", "arch"),
            f"is {arch}, but {image} is an {found.arch} image; for {arch} use one of {matching}",
        )


def _buildspec_problems(base: FieldPath, data: dict[Any, Any]) -> Iterator[Problem]:
    """A buildspec is a path relative to the repository root (CodeBuild API reference,
    ProjectSource.buildspec: a path "relative to the value of the built-in
    CODEBUILD_SRC_DIR environment variable")."""
    if "buildspec" not in data:
        return
    buildspec = data["buildspec"]
    if buildspec is None or buildspec == "":
        yield base + ("buildspec",), "is empty: give a path or remove the line"
    elif isinstance(buildspec, str) and buildspec.startswith("/"):
        yield (
            base + ("buildspec",),
            f'"{buildspec}" starts with /: paths are relative to the repository root; '
            f'write "{buildspec.lstrip("/")}"',
        )


def _cache_problems(build: dict[Any, Any]) -> Iterator[Problem]:
    """Local caching limits (CodeBuild user guide, build-caching and caching-local)."""
    if build.get("cache") != "local":
        return
    if build.get("privileged") is not True:
        yield (
            ("build", "cache"),
            "local includes the Docker layer cache, which runs only in privileged mode: set "
            "build.privileged: true, or use cache: s3",
        )
    if build.get("arch") == "arm64":
        # specify-caching-local: "If you use a Docker layer cache, under Environment, you
        # must set PrivilegedMode to true and Type to LINUX_CONTAINER."
        yield (
            ("build", "cache"),
            "local includes the Docker layer cache, which CodeBuild supports only on "
            "LINUX_CONTAINER (x86_64), not on arm64 (ARM_CONTAINER): use cache: s3",
        )
    if build.get("vpc") is not None:
        yield (
            ("build", "cache"),
            "local caching is not supported for builds in a VPC; use cache: s3",
        )
    if build.get("compute") == "2xlarge":
        yield (
            ("build", "cache"),
            "local caching is not supported on the 2xlarge compute type; use cache: s3",
        )


def _strict_problems(data: dict[Any, Any]) -> Iterator[Problem]:
    """hardening: strict passes every AWS Control Tower proactive control that applies;
    these settings would fail one (AWS Control Tower controls reference)."""
    if data.get("kms_key") is None:
        yield (
            ("hardening",),
            "strict needs kms_key: Control Tower's CT.CLOUDWATCH.PR.3 requires log groups "
            "encrypted with a KMS key (CloudWatch Logs accepts only a customer managed key); "
            "give kms_key, or use hardening: standard",
        )
    if data.get("access_logs") is None:
        yield (
            ("hardening",),
            "strict needs access_logs: Control Tower's CT.S3.PR.2 requires server access "
            "logging on both buckets; give access_logs: <an existing log bucket in this "
            "account and Region>, or use hardening: standard",
        )
    if _mapping(data, "build").get("privileged") is True:
        yield (
            ("build", "privileged"),
            "is refused under hardening: strict: Control Tower's CT.CODEBUILD.PR.4 requires "
            "privileged mode off (Docker builds need it on; build images with a daemonless "
            "tool such as kaniko or buildah, or use hardening: standard)",
        )
    for name, env in _mapping(data, "environments").items():
        if isinstance(env, dict) and env.get("regions"):
            yield (
                ("environments", name, "regions"),
                "is refused under hardening: strict: the artifact store in each other Region "
                "(template regional-<region>) would need server access logs to a bucket in "
                "that Region (S3 delivers logs only within a Region: S3 user guide, "
                "enable-server-access-logging) and access_logs names one bucket; use "
                "hardening: standard for a pipeline that deploys to other Regions",
            )
    retention = _mapping(data, "logs").get("retention")
    if isinstance(retention, int) and not isinstance(retention, bool):
        if retention < STRICT_MIN_RETENTION:
            yield (
                ("logs", "retention"),
                f"must be at least {STRICT_MIN_RETENTION} under hardening: strict (Control "
                f"Tower's CT.CLOUDWATCH.PR.2: logs kept a year); got {retention}",
            )


def _environment_variable_problems(
    base: FieldPath, env: dict[Any, Any], build: dict[Any, Any]
) -> Iterator[Problem]:
    """An environment's variables and secrets merge over the build's: a name stays a
    variable or a secret at both levels."""
    variables, secrets = _mapping(env, "variables"), _mapping(env, "secrets")
    yield from _variable_problems(base, variables, secrets)
    paths = env.get("paths")
    if isinstance(paths, list):
        for i, path in enumerate(paths):
            if path in paths[:i]:
                yield base + ("paths", i), f'lists "{path}" twice'
            elif isinstance(path, str) and path.startswith("./"):
                yield (
                    base + ("paths", i),
                    f'"{path}" starts with ./, but CodeBuild matches changed files by their path '
                    f'from the repository root, which never does; write "{path[2:]}"',
                )

    for name in variables:
        if name in _mapping(build, "secrets"):
            yield (
                base + ("variables", name),
                "is a secret in build.secrets; override it in this environment's secrets",
            )
    for name in secrets:
        if name in _mapping(build, "variables"):
            yield (
                base + ("secrets", name),
                "is a plain variable in build.variables; a name is either a variable or a "
                "secret, at both levels",
            )


def _checks_problems(checks: dict[Any, Any], provider: str) -> Iterator[Problem]:
    if (
        checks.get("secrets")
        and checks.get("approval", "all") != "all"
        and not checks.get("actors")
    ):
        yield (
            ("checks", "secrets"),
            "would reach pull-request code from anyone: with secrets, keep approval: all "
            "(an approver's comment before each pull request builds) or list actors",
        )
    yield from _variable_problems(("checks",), {}, _mapping(checks, "secrets"))
    yield from _buildspec_problems(("checks",), checks)
    branches = checks.get("branches")
    if isinstance(branches, list):
        for i, branch in enumerate(branches):
            problem = branch_problem(branch)
            if problem:
                yield ("checks", "branches", i), problem
    events = checks.get("events")
    if isinstance(events, list):
        for i, event in enumerate(events):
            if event in events[:i]:
                yield ("checks", "events", i), f'lists "{event}" twice'
            if event == "pull-request-reopened" and provider != "github":
                yield (
                    ("checks", "events", i),
                    f"pull-request-reopened applies to GitHub only ({provider.capitalize()} "
                    "does not send it); use pull-request-created, pull-request-updated",
                )


# Branch names written as Git shows them elsewhere: (prefix, what it is).
_BRANCH_HABITS = [
    ("refs/heads/", "a full ref name; the generator adds refs/heads/ itself"),
    ("refs/remotes/", "a remote-tracking ref, which no webhook event names"),
    ("remotes/origin/", "a remote-tracking name, which no webhook event names"),
    ("origin/", "a remote-tracking name, which no webhook event names"),
]


def branch_problem(branch: Any) -> str | None:
    """Why a branch name would never match a webhook's refs/heads/<branch>, with the fix."""
    if not isinstance(branch, str):
        return None
    for prefix, what in _BRANCH_HABITS:
        if branch.startswith(prefix) and len(branch) > len(prefix):
            name = branch[len(prefix) :]
            if prefix == "refs/remotes/":
                name = name.partition("/")[2] or name
            return f'"{branch}" is {what}; write the branch name "{name}"'
    return None


def _environment_problems(base: FieldPath, env: dict[Any, Any], provider: str) -> Iterator[Problem]:
    problem = branch_problem(env.get("branch"))
    if problem:
        yield base + ("branch",), problem
    events = env.get("events")
    if isinstance(events, list):
        yield from _event_problems(base + ("events",), events, provider)
        yield from _pull_request_problems(base, env, events, provider)
    if isinstance(env.get("deploy"), dict):
        yield from _deploy_problems(base + ("deploy",), env["deploy"])


def _event_problems(base: FieldPath, events: list[Any], provider: str) -> Iterator[Problem]:
    supported = PROVIDER_EVENTS.get(provider, frozenset())
    for i, event in enumerate(events):
        if not isinstance(event, str) or event not in SPEC_EVENTS:
            continue  # pydantic names the allowed values
        if event in events[:i]:
            yield base + (i,), f'lists "{event}" twice'
        if event == "pull-request-closed":
            yield (
                base + (i,),
                "pull-request-closed would deploy the code of every declined pull request; "
                "validate pull requests in checks: (no deploy) or run clean-up in a separate "
                "job, and remove it here",
            )
            continue
        if supported and SPEC_EVENTS[event] not in supported:
            allowed = ", ".join(e for e, aws in SPEC_EVENTS.items() if aws in supported)
            yield (
                base + (i,),
                f'must be one of {allowed} for provider {provider}; got "{event}" '
                f"({provider.capitalize()} does not send it)",
            )


def is_production(name: str, env: dict[Any, Any]) -> bool:
    """An explicit `production:`, else whether a word of the name says production
    (`prod`, `prod-eu`, `eu-live`; not `product` or `prodigy`)."""
    explicit = env.get("production")
    if isinstance(explicit, bool):
        return explicit
    return any(word in PRODUCTION_WORDS for word in name.split("-"))


def _pull_request_problems(
    base: FieldPath, env: dict[Any, Any], events: list[Any], provider: str
) -> Iterator[Problem]:
    pull_requests = [e for e in events if isinstance(e, str) and e.startswith("pull-request-")]
    name = str(base[-1])
    if pull_requests and is_production(name, env) and not env.get("actors"):
        yield (
            base + ("events",),
            f"pull-request events ship unmerged code to the {name} pipeline, a production "
            "environment; list the account IDs allowed to trigger it in actors, use push "
            "events only, or set production: false if it is not production",
        )
    if "push" in events and "pull-request-merged" in events:
        yield (
            base + ("events", events.index("pull-request-merged")),
            "pull-request-merged beside push runs the pipeline twice for every merge (a merge "
            "is a push to the target branch, and the later upload decides what deploys); "
            "keep push",
        )


def _deploy_problems(base: FieldPath, deploy: dict[Any, Any]) -> Iterator[Problem]:
    s3 = _mapping(deploy, "s3")
    extract, key = s3.get("extract", True), s3.get("key")
    if s3 and extract is False and key is None:
        yield base + ("s3", "key"), "is required when extract is false"
    if s3 and extract is True and key is not None:
        yield (
            base + ("s3", "key"),
            "is used only when extract is false (the zipped output's object key)",
        )
