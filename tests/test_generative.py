"""Property-based tests: specs drawn from the model always build and lint clean;
mutated specs either build clean or fail with our SpecErrors, never anything else.

500 examples each by default; `HYPOTHESIS_PROFILE=long make test` runs 5,000.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.checks import run_checks
from generator.compose import compose
from generator.enums import (
    LOG_RETENTION_DAYS,
    PRODUCTION_NAMES,
    PROVIDER_EVENTS,
    SECRET_LIKE_NAME,
    SPEC_EVENTS,
)
from generator.errors import SpecErrors
from generator.lint import lint_texts
from generator.loader import load_spec_text
from generator.render import template_data, to_json
from generator.validate import validate_spec

settings.register_profile(
    "default",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("long", parent=settings.get_profile("default"), max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SECRET_LIKE = re.compile(SECRET_LIKE_NAME, re.IGNORECASE)
BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*/$)(?!.*\.lock$)[A-Za-z0-9._/+-]+$")


def regex(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(pattern, fullmatch=True)


names = regex(r"[a-z][a-z0-9]{0,8}")
plain_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=0, max_size=40
)
env_var = regex(r"[A-Z_][A-Z0-9_]{0,15}")
branch = regex(r"[A-Za-z0-9_+-]{1,10}(/[A-Za-z0-9._+-]{1,10}){0,2}").filter(BRANCH.match)


@st.composite
def deploy_targets(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        ecs: dict[str, Any] = {"cluster": draw(names), "service": draw(names)}
        if draw(st.booleans()):
            ecs["task_roles"] = draw(st.lists(regex(r"[a-z][a-z0-9-]{0,20}"), max_size=3))
        return {"ecs": ecs}
    s3: dict[str, Any] = {"bucket": draw(regex(r"[a-z0-9][a-z0-9-]{2,20}[a-z0-9]"))}
    if draw(st.booleans()):
        s3 |= {"extract": False, "key": draw(regex(r"[a-z0-9/]{0,10}[a-z0-9]\.zip"))}
    return {"s3": s3}


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    provider = draw(st.sampled_from(["bitbucket", "github"]))
    host = {"bitbucket": "bitbucket.org", "github": "github.com"}[provider]
    repository: dict[str, Any] = {
        "provider": provider,
        "url": f"https://{host}/{draw(names)}/{draw(names)}.git",
    }
    if draw(st.booleans()):
        repository["connection"] = (
            "arn:aws:codeconnections:eu-west-1:123456789012:connection/"
            + draw(regex(r"[0-9a-f]{8}-[0-9a-f]{4}"))
        )
    variables = draw(
        st.dictionaries(env_var.filter(lambda n: not SECRET_LIKE.search(n)), plain_text, max_size=4)
    )
    secret_values = st.one_of(
        regex(r"/[a-z]{1,8}(/[a-z0-9-]{1,8}){0,2}").map(lambda p: f"ssm:{p}"),
        regex(r"[a-z]{1,8}(/[a-z0-9-]{1,8})?(:[a-z_]{1,6})?").map(lambda n: f"secretsmanager:{n}"),
    )
    secrets = draw(
        st.dictionaries(env_var.filter(lambda n: n not in variables), secret_values, max_size=4)
    )
    build = {
        "compute": draw(st.sampled_from(["small", "medium", "large", "2xlarge"])),
        "privileged": draw(st.booleans()),
        "timeout": draw(st.integers(5, 480)),
        "variables": variables,
        "secrets": secrets,
        "ecr": draw(st.lists(regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8})?"), unique=True, max_size=3)),
    }
    allowed_events = [e for e, aws in SPEC_EVENTS.items() if aws in PROVIDER_EVENTS[provider]]
    optional = {"actors": st.lists(regex(r"[a-z0-9:{}-]{1,20}"), min_size=1, max_size=3)}
    if provider == "github":
        optional["pull_request_approval"] = st.sampled_from(["fork", "all", "none"])
    environments = draw(
        st.dictionaries(
            st.one_of(regex(r"[a-z][a-z0-9-]{0,15}"), st.sampled_from(sorted(PRODUCTION_NAMES))),
            st.fixed_dictionaries(
                {
                    "branch": branch,
                    "events": st.lists(
                        st.sampled_from(allowed_events), min_size=1, max_size=4, unique=True
                    ),
                    "approval": st.booleans(),
                    "deploy": deploy_targets(),
                },
                optional=optional,
            ),
            min_size=1,
            max_size=3,
        )
    )
    for name, env in environments.items():
        if name in PRODUCTION_NAMES and env["events"] != ["push"] and not env.get("actors"):
            env["actors"] = ["557058:ci-bot"]
    spec: dict[str, Any] = {
        "service": draw(regex(r"[a-z][a-z0-9-]{1,30}")),
        "repository": repository,
        "build": build,
        "logs": {"retention": draw(st.sampled_from(LOG_RETENTION_DAYS))},
        "badge": draw(st.booleans()),
        "environments": environments,
        "tags": draw(
            st.dictionaries(regex(r"[a-z][a-z0-9-]{0,10}"), regex(r"[a-z0-9 ]{0,10}"), max_size=4)
        ),
    }
    if draw(st.booleans()):
        spec["description"] = draw(plain_text)
    if draw(st.booleans()):
        spec["kms_key"] = "arn:aws:kms:eu-west-1:111122223333:key/" + draw(
            regex(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        )
    return spec


def build_all(text: str) -> list[dict[str, Any]]:
    spec = validate_spec(load_spec_text(text, "generated.yaml"))
    return [template_data(compose(spec, env)) for env in spec.environments]


LINT_QUEUE: dict[str, str] = {}


@given(specs())
def test_specs_drawn_from_the_model_build_and_pass_our_checks(spec: dict[str, Any]) -> None:
    templates = build_all(yaml.safe_dump(spec, allow_unicode=True))
    for data in templates:
        assert run_checks(data) == []
    # cfn-lint costs ~0.3 s a template: lint one stack of every drawn spec (the others
    # differ only in branch, events and deploy target, which other draws cover).
    text = to_json(templates[0])
    LINT_QUEUE.setdefault(text, text)


def test_the_drawn_templates_lint_clean_with_cfn_lint() -> None:
    """cfn-lint over the templates the property test above built, on all cores."""
    assert LINT_QUEUE, "run with the property test above"
    items = [(f"generated-{i}.json", text) for i, text in enumerate(LINT_QUEUE.values())]
    findings = lint_texts(items)
    print(f"\ncfn-lint checked {len(items)} generated templates: {len(findings)} findings")
    assert findings == []


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False),
    plain_text,
    st.text(min_size=200, max_size=2000),
    st.lists(plain_text, max_size=3),
    st.dictionaries(plain_text, plain_text, max_size=3),
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, prefix + (i,))
    return found


@st.composite
def mutated_specs(draw: st.DrawFn) -> dict[str, Any]:
    spec = json.loads(json.dumps(draw(specs())))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(spec)
        path = draw(st.sampled_from(paths))
        parent = spec
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(JUNK)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(plain_text)] = draw(JUNK)
    return spec


@given(mutated_specs())
def test_mutated_specs_build_clean_or_raise_our_spec_error(spec: dict[str, Any]) -> None:
    try:
        templates = build_all(yaml.safe_dump(spec, allow_unicode=True))
    except SpecErrors as exc:
        assert exc.errors and all(str(e) for e in exc.errors)
        return
    for data in templates:
        assert run_checks(data) == []


@given(st.text(max_size=300))
def test_arbitrary_text_is_a_spec_or_our_spec_error(text: str) -> None:
    try:
        build_all(text)
    except SpecErrors as exc:
        assert exc.errors
