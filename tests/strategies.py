"""Hypothesis strategies: specs drawn from the model (shared by the property tests
and the permission contract test)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from generator.aws.enums import (
    LOG_RETENTION_DAYS,
    PROVIDER_EVENTS,
    SECRET_LIKE_NAME,
    SPEC_EVENTS,
)
from generator.spec.validate import is_production

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
        ecs["task_roles"] = draw(
            st.lists(regex(r"(service-role/|team/ci/)?[a-z][a-z0-9-]{0,20}"), max_size=3)
        )
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
    secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
    secret_values = st.one_of(
        regex(r"/[a-z]{1,8}(/[a-z0-9-]{1,8}){0,2}").map(lambda p: f"ssm:{p}"),
        regex(r"[a-z][a-z0-9_.-]{0,8}").map(lambda p: f"ssm:{p}"),
        regex(r"[a-z]{1,8}(/[a-z0-9-]{1,8})?(:[a-z_]{1,6})?").map(lambda n: f"secretsmanager:{n}"),
        regex(r"[a-z]{1,8}/[a-z]{1,8}(-[A-Za-z0-9]{6})?(:[a-z_]{1,6})?").map(
            lambda n: f"secretsmanager:{secret_arn}{n}"
        ),
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
    optional = {
        "actors": st.lists(regex(r"[a-z0-9:{}-]{1,20}"), min_size=1, max_size=3),
        "pull_request_approval": st.sampled_from(
            ["all", "none", "fork"] if provider == "github" else ["all", "none"]
        ),
        "production": st.booleans(),
    }
    environments: dict[str, dict[str, Any]] = draw(
        st.dictionaries(
            st.one_of(
                regex(r"[a-z][a-z0-9-]{0,15}"),
                st.sampled_from(["prod", "production", "prod-eu", "eu-live", "prd", "non-prod"]),
            ),
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
        assert isinstance(env["events"], list)
        if "push" in env["events"] and "pull-request-merged" in env["events"]:
            env["events"].remove("pull-request-merged")
        if is_production(name, env) and env["events"] != ["push"] and not env.get("actors"):
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
