"""Webhook filter groups: exact branch matching, event grouping and joining."""

from __future__ import annotations

import re

import pytest

from generator.stack.codebuild import branch_pattern, filter_groups

from .conftest import resources_of

BRANCHES = ["main", "release/1.0", "feature/a-b", "hotfix+1", "v2.0.1-rc.1", "team/x/y_z"]


@pytest.mark.parametrize("branch", BRANCHES)
def test_branch_pattern_matches_exactly_that_branch(branch: str) -> None:
    pattern = re.compile(branch_pattern(branch))
    assert pattern.search(f"refs/heads/{branch}")
    near_misses = [
        f"refs/heads/{branch}x",
        f"refs/heads/x{branch}",
        f"refs/heads/{branch}/more",
        f"refs/tags/{branch}",
        f"refs/heads/{branch.replace('.', 'x')}" if "." in branch else None,
        f"refs/heads/{branch.replace('+', '')}" if "+" in branch else None,
        f"refs/heads/{branch.replace('+', 'x+')}" if "+" in branch else None,
    ]
    for miss in filter(None, near_misses):
        assert not pattern.search(miss), (branch, miss)


def test_release_1_0_does_not_match_release_1x0() -> None:
    assert not re.search(branch_pattern("release/1.0"), "refs/heads/release/1x0")


def test_push_and_pull_request_events_go_in_separate_groups() -> None:
    groups = filter_groups("develop", ["pull-request-merged", "push", "pull-request-created"])
    assert groups == [
        [
            {"Type": "EVENT", "Pattern": "PUSH"},
            {"Type": "HEAD_REF", "Pattern": "^refs/heads/develop$"},
        ],
        [
            {"Type": "EVENT", "Pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_MERGED"},
            {"Type": "BASE_REF", "Pattern": "^refs/heads/develop$"},
        ],
    ]


def test_push_only_has_one_group_without_base_ref() -> None:
    assert filter_groups("main", ["push"]) == [
        [{"Type": "EVENT", "Pattern": "PUSH"}, {"Type": "HEAD_REF", "Pattern": "^refs/heads/main$"}]
    ]


def test_every_example_bridge_joins_events_without_spaces(pipeline_stacks, example_specs) -> None:
    expected = sum(
        ("push" in env.events) + any(e != "push" for e in env.events)
        for spec in example_specs
        for env in spec.environments.values()
        if env.after is None  # a promoted environment has no webhook of its own
    )
    seen_groups = 0
    for stack in pipeline_stacks:
        bridge = resources_of(stack, "AWS::CodeBuild::Project")["BridgeProject"]
        for group in bridge["Properties"]["Triggers"]["FilterGroups"]:
            seen_groups += 1
            event = [f for f in group if f["Type"] == "EVENT"]
            assert len(event) == 1
            assert " " not in event[0]["Pattern"]
            refs = {f["Type"] for f in group} - {"EVENT", "ACTOR_ACCOUNT_ID", "FILE_PATH"}
            assert refs == ({"HEAD_REF"} if event[0]["Pattern"] == "PUSH" else {"BASE_REF"})
    assert seen_groups == expected


def test_actors_restrict_every_group_to_exactly_those_ids() -> None:
    groups = filter_groups("main", ["push", "pull-request-merged"], ["12345678", "{a-b}"])
    assert [g[-1] for g in groups] == [
        {"Type": "ACTOR_ACCOUNT_ID", "Pattern": "^(12345678|\\{a-b\\})$"}
    ] * 2
    pattern = re.compile(groups[0][-1]["Pattern"])
    assert pattern.search("12345678") and pattern.search("{a-b}")
    assert not pattern.search("123456789") and not pattern.search("x12345678")


@pytest.mark.parametrize(
    "provider, setting, expected",
    [
        ("bitbucket", None, "ALL_PULL_REQUESTS"),  # AWS's own default, on both hosts
        ("github", None, "ALL_PULL_REQUESTS"),
        ("github", "fork", "FORK_PULL_REQUESTS"),
        ("bitbucket", "fork", "FORK_PULL_REQUESTS"),  # no provider restriction in the API
        ("bitbucket", "none", "DISABLED"),
    ],
)
def test_pull_requests_wait_for_approval_comments(provider, setting, expected) -> None:
    from generator.spec.loader import load_spec_text
    from generator.spec.validate import validate_spec
    from generator.stack.compose import compose

    host = {"bitbucket": "bitbucket.org", "github": "github.com"}[provider]
    approval = f"\n    pull_request_approval: {setting}" if setting else ""
    text = (
        f"service: svc\nrepository: {{provider: {provider}, url: 'https://{host}/a/b.git'}}\n"
        "environments:\n  dev:\n    branch: develop\n    events: [push, pull-request-created]"
        f"{approval}\n    deploy: {{s3: {{bucket: site-bucket}}}}\n"
    )
    spec = validate_spec(load_spec_text(text, "s.yaml"))
    data = compose(spec, "dev").to_dict()
    triggers = data["Resources"]["BridgeProject"]["Properties"]["Triggers"]
    roles = {
        "bitbucket": ["BITBUCKET_WRITE", "BITBUCKET_ADMIN"],
        "github": ["GITHUB_WRITE", "GITHUB_MAINTAIN", "GITHUB_ADMIN"],
    }
    policy: dict[str, object] = {"RequiresCommentApproval": expected}
    if expected != "DISABLED":  # approver roles apply only when approval is required
        policy["ApproverRoles"] = roles[provider]
    assert triggers["PullRequestBuildPolicy"] == policy


def test_push_only_bridges_carry_no_pull_request_policy(pipeline_stacks) -> None:
    for stack in pipeline_stacks:
        props = resources_of(stack, "AWS::CodeBuild::Project")["BridgeProject"]["Properties"]
        pushes_only = all(
            f["Pattern"] == "PUSH"
            for g in props["Triggers"]["FilterGroups"]
            for f in g
            if f["Type"] == "EVENT"
        )
        assert ("PullRequestBuildPolicy" in props["Triggers"]) is not pushes_only, stack.name


def _github_spec(service: str, environments: int) -> str:
    envs = "".join(
        f"  e{i}:\n    branch: b{i}\n    deploy:\n      s3: {{bucket: acme-{service}-{i}}}\n"
        for i in range(environments)
    )
    return (
        f"service: {service}\nrepository:\n  provider: github\n"
        f"  url: https://github.com/acme/Platform.git\nenvironments:\n{envs}"
    )


def test_specs_sharing_a_github_repository_are_warned_past_20_webhooks(tmp_path) -> None:
    from generator.ops.generate import generate

    for service, count in (("svc-a", 8), ("svc-b", 8)):
        (tmp_path / f"{service}.yaml").write_text(_github_spec(service, count))
    other_spelling = _github_spec("svc-c", 4).replace("Platform.git", "platform")
    (tmp_path / "svc-c.yml").write_text(other_spelling + "checks: {branches: [main]}\n")
    specs = sorted(tmp_path.iterdir())
    warnings = [str(w) for w in generate(specs, "yaml", bootstrap=False).warnings]
    assert len(warnings) == 1  # one for the repository, not one per spec on it
    assert warnings[0].startswith(f"{specs[0]}:4:8: repository.url: warning: 21 CodeBuild webhooks")
    assert ", ".join(str(spec) for spec in specs) in warnings[0]
    assert "GitHub allows 20 per event per repository" in warnings[0]
    # One environment fewer: no warning.
    (tmp_path / "svc-a.yaml").write_text(_github_spec("svc-a", 7))
    assert not generate(specs, "yaml", bootstrap=False).warnings
