"""Hypothesis strategies: specs drawn from the model (shared by the property tests
and the permission contract test)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from generator.aws.enums import (
    CHECKS_STACK,
    GENERATED_VARIABLES,
    LOG_RETENTION_DAYS,
    PROVIDER_EVENTS,
    SECRET_LIKE_NAME,
    SPEC_EVENTS,
)
from generator.aws.images import CURATED_IMAGES
from generator.spec.validate import is_production

SECRET_LIKE = re.compile(SECRET_LIKE_NAME, re.IGNORECASE)
BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*/$)(?!.*\.lock$)[A-Za-z0-9._/+-]+$")


def regex(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(pattern, fullmatch=True)


names = regex(r"[a-z][a-z0-9]{0,8}")
plain_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=0, max_size=40
)
env_var = regex(r"[A-Z_][A-Z0-9_]{0,15}").filter(lambda n: n not in GENERATED_VARIABLES)
hex8 = regex(r"[0-9a-f]{8}")
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
def build_settings(draw: st.DrawFn, build: dict[str, Any]) -> dict[str, Any]:
    """Image, arch, cache, VPC, submodules and certificate, each drawn or left out, in the
    combinations the spec allows."""
    settings: dict[str, Any] = {}
    image = draw(
        st.one_of(
            st.none(),
            st.sampled_from(sorted(CURATED_IMAGES)),
            st.sampled_from(["node:20", "public.ecr.aws/docker/library/python:3.12"]),
            regex(r"[0-9]{12}").map(lambda a: f"{a}.dkr.ecr.eu-west-1.amazonaws.com/ci/base:1"),
        )
    )
    if image is not None:
        settings["image"] = image
        arch = CURATED_IMAGES.get(image) or draw(st.sampled_from(["x86_64", "arm64"]))
        if arch != "x86_64" or draw(st.booleans()):
            settings["arch"] = arch
    if draw(st.booleans()):
        ids = st.lists(hex8, min_size=1, max_size=3, unique=True)
        settings["vpc"] = {
            "vpc": f"vpc-{draw(hex8)}",
            "subnets": [f"subnet-{h}" for h in draw(ids)],
            "security_groups": [f"sg-{h}" for h in draw(ids)],
        }
    local_ok = (
        build["privileged"]
        and "vpc" not in settings
        and build["compute"] != "2xlarge"
        and settings.get("arch") != "arm64"
    )
    settings["cache"] = draw(
        st.sampled_from(["none", "s3", "local"] if local_ok else ["none", "s3"])
    )
    settings["submodules"] = draw(st.booleans())
    if draw(st.booleans()):
        settings["certificate"] = f"s3://certs-{draw(names)}/ca/{draw(names)}.pem"
    return settings


@st.composite
def checks(draw: st.DrawFn, provider: str) -> dict[str, Any]:
    events = ["pull-request-created", "pull-request-updated"]
    events += ["pull-request-reopened"] if provider == "github" else []
    drawn: dict[str, Any] = {
        "branches": draw(st.lists(branch, min_size=1, max_size=3, unique=True))
    }
    if draw(st.booleans()):
        drawn["events"] = draw(st.lists(st.sampled_from(events), min_size=1, unique=True))
    drawn["approval"] = draw(st.sampled_from(["all", "none", "fork"]))
    if draw(st.booleans()):
        drawn["actors"] = draw(st.lists(regex(r"[0-9]{6,9}"), min_size=1, max_size=2))
    if drawn["approval"] == "all" or "actors" in drawn:
        drawn["secrets"] = draw(
            st.dictionaries(env_var, st.just("secretsmanager:ci/checks-token"), max_size=2)
        )
    return drawn


@st.composite
def notifications(draw: st.DrawFn) -> dict[str, Any]:
    events = ["failed", "approval-needed", "succeeded", "started"]
    drawn: dict[str, Any] = {}
    if draw(st.booleans()):
        drawn["events"] = draw(st.lists(st.sampled_from(events), min_size=1, unique=True))
    if draw(st.booleans()):
        drawn["topic"] = f"arn:aws:sns:eu-west-1:111122223333:{draw(names)}"
    else:
        emails = names.map(lambda n: f"{n}@example.com")
        drawn["emails"] = draw(st.lists(emails, max_size=2, unique=True))
    return drawn


@st.composite
def delivery(draw: st.DrawFn) -> dict[str, Any]:
    """A tools account (the drawn kms_key's account), and how the roles reach targets."""
    found: dict[str, Any] = {"tools_account": "111122223333"}
    if draw(st.booleans()):
        found["target_roles"] = "stackset"
        found["organizational_units"] = ["ou-ab12-34cd5678"]
        if draw(st.booleans()):
            found["stackset_admin"] = "delegated-admin"
    return found


# What an environment with `after` may not set (validate.BUILD_TIME_FIELDS).
BUILD_TIME = ("branch", "events", "paths", "variables", "secrets", "actors", "overrides")


def promote(draw: st.DrawFn, environments: dict[str, dict[str, Any]]) -> None:
    """Maybe chain the environments (each after the one before), and give some of them
    gates, a window and Regions."""
    names = list(environments)
    if len(names) > 1 and draw(st.booleans()):
        for before, name in zip(names, names[1:], strict=False):
            env = environments[name]
            for field in (*BUILD_TIME, "pull_request_approval"):
                env.pop(field, None)
            env["after"] = before
    for env in environments.values():
        if draw(st.booleans()):
            env["gates"] = {
                "alarms": draw(
                    st.lists(regex(r"[a-z][a-z0-9-]{0,12}"), min_size=1, max_size=2, unique=True)
                ),
                "bake": draw(st.integers(min_value=1, max_value=120)),
            }
        if draw(st.booleans()):
            env["window"] = draw(
                st.sampled_from(["* * 8-16 ? * MON-THU", "0 0/30 9-17 ? * MON-FRI *"])
            )
        if draw(st.booleans()):
            env["regions"] = draw(
                st.lists(
                    st.sampled_from(["eu-west-1", "us-east-1", "ap-southeast-2"]),
                    min_size=1,
                    max_size=2,
                    unique=True,
                )
            )


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
    if bool(secrets) and draw(st.booleans()):
        build["secret_keys"] = [
            "arn:aws:kms:eu-west-1:111122223333:key/" + key
            for key in draw(
                st.lists(
                    regex(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
                    min_size=1,
                    max_size=2,
                    unique=True,
                )
            )
        ]
    build |= draw(build_settings(build))
    allowed_events = [
        e
        for e, aws in SPEC_EVENTS.items()
        if aws in PROVIDER_EVENTS[provider] and e != "pull-request-closed"
    ]
    optional = {
        "actors": st.lists(regex(r"[a-z0-9:{}-]{1,20}"), min_size=1, max_size=3),
        "pull_request_approval": st.sampled_from(["all", "none", "fork"]),
        "production": st.booleans(),
        "variables": st.dictionaries(
            env_var.filter(lambda n: not SECRET_LIKE.search(n) and n not in secrets),
            plain_text,
            max_size=2,
        ),
        "secrets": st.dictionaries(
            env_var.filter(lambda n: n not in variables), secret_values, max_size=2
        ),
        "paths": st.lists(
            regex(r"[a-z]{1,8}(/[a-z]{1,8})?/\*\*"), min_size=1, max_size=3, unique=True
        ),
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
        for shared in set(env.get("variables", {})) & set(env.get("secrets", {})):
            del env["variables"][shared]
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
    promote(draw, environments)
    if draw(st.booleans()) and "targets" not in environments:
        spec["delivery"] = draw(delivery())
        for env in environments.values():
            account = draw(st.sampled_from([None, "222222222222", "333333333333"]))
            if account is not None:
                env["account"] = account
                # across accounts, regions need a multi-Region key: the drawn key is not one
                env.pop("regions", None)
    if draw(st.booleans()) and CHECKS_STACK not in environments:
        spec["checks"] = draw(checks(provider))
    if draw(st.booleans()):
        spec["notifications"] = draw(notifications())
    if draw(st.booleans()):
        spec["overrides"] = {"BuildProject": {"Properties": {"ConcurrentBuildLimit": 2}}}
    if "kms_key" in spec and draw(st.booleans()):
        for env in environments.values():  # strict refuses regions
            env.pop("regions", None)
        spec["hardening"] = "strict"
        spec["access_logs"] = "acme-s3-access-logs-111122223333-eu-west-1"
        spec["logs"]["retention"] = draw(
            st.sampled_from([d for d in LOG_RETENTION_DAYS if d >= 365])
        )
        build["privileged"] = False
        if build["cache"] == "local":
            build["cache"] = "s3"
    return spec
