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

from .enums import LOG_RETENTION_DAYS, PROVIDER_EVENTS, SPEC_EVENTS
from .errors import SpecError, SpecErrors, did_you_mean
from .loader import FieldPath, LoadedSpec
from .model import Spec, parse_secret

Problem = tuple[FieldPath, str]


def validate_spec(loaded: LoadedSpec) -> Spec:
    """The typed spec, or SpecErrors listing every problem found in it."""
    try:
        spec = Spec.model_validate(loaded.data)
    except ValidationError as exc:
        raise SpecErrors(_pydantic_errors(loaded, exc)) from None
    problems = list(semantic_problems(spec))
    if problems:
        raise SpecErrors(loaded.error(path, message) for path, message in problems)
    return spec


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
        return "required field is missing", False
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
        return f"must match {ctx.get('pattern')}; got {_show(value)}", False
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

_BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*/$)(?!.*\.lock$)[A-Za-z0-9._/+-]+$")
_CONNECTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[\w-]+$"
)
_HOSTS = {"bitbucket": "bitbucket.org", "github": "github.com"}


def semantic_problems(spec: Spec) -> Iterator[Problem]:
    """Every cross-field or AWS rule the spec breaks, with its field path."""
    yield from _repository_problems(spec)
    yield from _build_problems(spec)
    if spec.logs.retention not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        yield (
            ("logs", "retention"),
            f"must be one of {allowed} (CloudWatch Logs' allowed values); "
            f"got {spec.logs.retention}",
        )
    for name in spec.environments:
        yield from _environment_problems(spec, name)


def _repository_problems(spec: Spec) -> Iterator[Problem]:
    repo = spec.repository
    url = urlsplit(repo.url)
    host = _HOSTS[repo.provider]
    if url.scheme != "https":
        yield ("repository", "url"), f'must be an https:// clone URL; got "{repo.url}"'
    elif (url.hostname or "") != host:
        if repo.provider == "github":
            yield (
                ("repository", "url"),
                f'must be on {host}; got "{url.hostname}" (GitHub Enterprise is not supported: '
                "CloudFormation cannot create a GitHub Enterprise webhook)",
            )
        else:
            yield (
                ("repository", "url"),
                f'must be on {host} for provider {repo.provider}; got "{url.hostname}"',
            )
    elif not re.match(r"^/[\w.-]+/[\w.-]+?(\.git)?/?$", url.path):
        yield ("repository", "url"), f'must be https://{host}/<owner>/<repo>.git; got "{repo.url}"'
    if repo.connection is not None and not _CONNECTION_ARN.match(repo.connection):
        yield (
            ("repository", "connection"),
            "must be a CodeConnections ARN "
            "(arn:aws:codeconnections:<region>:<account>:connection/<id>); "
            f'got "{repo.connection}"',
        )


def _build_problems(spec: Spec) -> Iterator[Problem]:
    build = spec.build
    for name, value in build.secrets.items():
        if parse_secret(value) is None:
            yield (
                ("build", "secrets", name),
                "must be ssm:/parameter/path or secretsmanager:<secret-name-or-arn>[:json-key]; "
                f'got "{value}"',
            )
        if name in build.variables:
            yield ("build", "secrets", name), "is also given in build.variables; give it once"
    if len(set(build.ecr)) != len(build.ecr):
        yield ("build", "ecr"), "lists a repository twice"


def _environment_problems(spec: Spec, name: str) -> Iterator[Problem]:
    env = spec.environments[name]
    base: FieldPath = ("environments", name)
    if not _BRANCH.match(env.branch):
        yield (
            base + ("branch",),
            "must be a Git branch name (letters, digits, . _ / + -; no '..', no leading or "
            f'trailing /); got "{env.branch}"',
        )
    provider = spec.repository.provider
    supported = PROVIDER_EVENTS[provider]
    seen: set[str] = set()
    for i, event in enumerate(env.events):
        if event in seen:
            yield base + ("events", i), f'lists "{event}" twice'
        seen.add(event)
        if SPEC_EVENTS[event] not in supported:
            allowed = ", ".join(e for e, aws in SPEC_EVENTS.items() if aws in supported)
            yield (
                base + ("events", i),
                f'must be one of {allowed} for provider {provider}; got "{event}" '
                f"({provider.capitalize()} does not send it)",
            )
    targets = [t for t in ("ecs", "s3") if getattr(env.deploy, t) is not None]
    if len(targets) != 1:
        got = " and ".join(targets) if targets else "none"
        yield base + ("deploy",), f"must name exactly one target, ecs or s3; got {got}"
    s3 = env.deploy.s3
    if s3 is not None and not s3.extract and s3.key is None:
        yield base + ("deploy", "s3", "key"), "is required when extract is false"
    if s3 is not None and s3.extract and s3.key is not None:
        yield (
            base + ("deploy", "s3", "key"),
            "is used only when extract is false (the zipped output's object key)",
        )
