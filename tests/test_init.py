"""`init`: a new spec and a starter buildspec from the Git remote, never over a file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.ops.init import (
    InitError,
    Remote,
    name_from,
    parse_remote,
    render_spec,
    resolve_remote,
)
from generator.spec.loader import load_spec_text
from generator.spec.validate import validate_spec

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder as the current directory, with git isolated from the machine's
    configuration and from any repository above it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def repository(folder: Path, remote: str) -> None:
    git(folder, "init", "-q")
    git(folder, "remote", "add", "origin", remote)


def spec_of(path: Path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/pipeline-spec.schema.json\n")
    return validate_spec(load_spec_text(text, str(path)))


def builds_clean(spec: Path, out: Path) -> None:
    assert main(["build", str(spec), "-o", str(out), "--format", "yaml"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [f"{spec.stem}-dev.yaml"]


def commands(buildspec: dict, phase: str) -> list[str]:
    return buildspec["phases"][phase]["commands"]


@needs_git
def test_github_ssh_remote_gives_a_spec_and_an_ecs_buildspec_that_build(work: Path) -> None:
    repository(work, "git@github.com:acme/Orders_API.git")
    git(work, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")

    assert main(["init"]) == 0

    spec = spec_of(work / "specs" / "orders-api.yaml")
    assert spec.service == "orders-api"
    assert (spec.repository.provider, spec.repository.url) == (
        "github",
        "https://github.com/acme/Orders_API.git",
    )
    assert spec.build.privileged and spec.build.ecr == ["orders-api"]
    dev = spec.environments["dev"]
    assert dev.branch == "trunk"  # the remote's default branch
    assert dev.deploy.ecs is not None
    assert (dev.deploy.ecs.cluster, dev.deploy.ecs.service) == ("orders-api", "orders-api")
    assert dev.deploy.ecs.task_roles == ["orders-api-task", "orders-api-exec"]

    buildspec = yaml.safe_load((work / "buildspec.yml").read_text(encoding="utf-8"))
    assert buildspec["version"] == 0.2
    pre_build = "\n".join(commands(buildspec, "pre_build"))
    assert "aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login" in pre_build
    assert "--password-stdin $REGISTRY" in pre_build
    assert "REGISTRY=$ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com" in pre_build
    assert "git rev-parse --short=7 HEAD" in pre_build
    assert "CODEBUILD_RESOLVED_SOURCE_VERSION" in pre_build
    assert commands(buildspec, "build") == ["docker build -t $REPOSITORY_URI:$IMAGE_TAG ."]
    (push,) = commands(buildspec, "post_build")
    assert "docker push $REPOSITORY_URI:$IMAGE_TAG" in push
    assert """printf '[{"name":"%s","imageUri":"%s"}]' "$CONTAINER_NAME" """ in push
    assert "> imagedefinitions.json" in push and push.endswith("> release.json; fi")
    assert buildspec["env"]["variables"] == {
        "ECR_REPOSITORY": "orders-api",
        "CONTAINER_NAME": "orders-api",
    }
    assert buildspec["artifacts"] == {"files": ["imagedefinitions.json", "release.json"]}

    builds_clean(work / "specs" / "orders-api.yaml", work.parent / "out")


@needs_git
def test_bitbucket_https_remote_with_s3_deploy_builds(work: Path, capsys) -> None:
    repository(work, "https://jdoe@bitbucket.org/acme/storefront-web.git")
    git(work, "symbolic-ref", "HEAD", "refs/heads/develop")

    assert main(["init", "--deploy", "s3"]) == 0

    spec = spec_of(work / "specs" / "storefront-web.yaml")
    assert (spec.repository.provider, spec.repository.url) == (
        "bitbucket",
        "https://bitbucket.org/acme/storefront-web.git",  # no user name in the spec
    )
    assert spec.build.ecr == [] and not spec.build.privileged
    dev = spec.environments["dev"]
    assert dev.branch == "develop"  # no origin/HEAD recorded: the branch checked out
    assert dev.deploy.s3 is not None
    assert (dev.deploy.s3.bucket, dev.deploy.s3.extract) == ("storefront-web-site", True)
    buildspec = yaml.safe_load((work / "buildspec.yml").read_text(encoding="utf-8"))
    assert buildspec["artifacts"] == {"base-directory": "dist", "files": ["**/*"]}
    assert commands(buildspec, "install") == ["npm ci"]
    # a Node.js line that aws/codebuild/standard:7.0 and the Amazon Linux images carry
    assert buildspec["phases"]["install"]["runtime-versions"] == {"nodejs": 22}
    assert commands(buildspec, "build") == ["npm run build"]
    out = capsys.readouterr().out
    assert "wrote specs/storefront-web.yaml" in out and "wrote buildspec.yml" in out
    assert "pipeline-generator build" in out
    assert "pipeline-generator deploy storefront-web-dev" in out
    assert (
        "pipeline-generator deploy bootstrap-bitbucket --parameter-overrides "
        "AtlassianEmail=<your Atlassian e-mail> "
        "TokenSecretName=<Secrets Manager secret holding the token>" in out
    )

    builds_clean(work / "specs" / "storefront-web.yaml", work.parent / "out")


@needs_git
@pytest.mark.parametrize("existing", ["buildspec.yml", "specs/orders-api.yaml"])
def test_never_overwrites_and_writes_nothing(work: Path, capsys, existing: str) -> None:
    repository(work, "git@github.com:acme/orders-api.git")
    (work / existing).parent.mkdir(parents=True, exist_ok=True)
    (work / existing).write_text("mine\n", encoding="utf-8")
    before = sorted(p.relative_to(work) for p in work.rglob("*") if ".git" not in p.parts)

    assert main(["init"]) == 2

    err = capsys.readouterr().err
    assert f"error: {existing} already exists" in err and "nothing was written" in err
    assert (work / existing).read_text(encoding="utf-8") == "mine\n"
    after = sorted(p.relative_to(work) for p in work.rglob("*") if ".git" not in p.parts)
    assert after == before  # no other file, no temporary file left


@needs_git
def test_an_unsupported_host_is_refused(work: Path, capsys) -> None:
    repository(work, "git@gitlab.com:acme/orders-api.git")

    assert main(["init"]) == 2

    err = capsys.readouterr().err
    assert "gitlab.com" in err and "supports bitbucket.org and github.com only" in err
    assert sorted(work.iterdir()) == [work / ".git"]


@needs_git
def test_outside_a_repository_init_needs_url(work: Path, capsys) -> None:
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert "run init inside the service's repository" in err and "--url URL" in err
    assert list(work.iterdir()) == []

    url = "https://github.com/acme/billing.git"
    assert main(["init", "--provider", "github", "--url", url, "billing-api"]) == 0
    spec = spec_of(work / "specs" / "billing-api.yaml")
    assert (spec.service, spec.repository.provider, spec.repository.url) == (
        "billing-api",
        "github",
        url,
    )
    assert spec.environments["dev"].branch == "main"
    assert (work / "buildspec.yml").is_file()


@needs_git
def test_a_repository_without_origin_needs_url(work: Path, capsys) -> None:
    git(work, "init", "-q")
    assert main(["init"]) == 2
    assert "No such remote 'origin'" in capsys.readouterr().err


@needs_git
def test_a_default_branch_the_spec_refuses_writes_nothing(work: Path, capsys) -> None:
    repository(work, "git@github.com:acme/orders-api.git")
    git(work, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/fix#1")
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert "specs/orders-api.yaml:" in err and "environments.dev.branch" in err
    assert sorted(work.iterdir()) == [work / ".git"]


def test_provider_must_agree_with_the_url(work: Path, capsys) -> None:
    args = ["init", "--provider", "bitbucket", "--url", "https://github.com/acme/x-y.git"]
    assert main(args) == 2
    assert "--provider bitbucket, but https://github.com/acme/x-y.git is a github" in (
        capsys.readouterr().err
    )
    assert list(work.iterdir()) == []


def test_a_bad_name_is_refused(work: Path, capsys) -> None:
    assert main(["init", "--url", "git@github.com:acme/x.git", "Orders"]) == 2
    assert 'NAME "Orders" must match' in capsys.readouterr().err
    assert list(work.iterdir()) == []


def test_an_underivable_name_asks_for_one(work: Path, capsys) -> None:
    assert main(["init", "--url", "git@github.com:acme/1.git"]) == 2
    assert "python -m generator init NAME" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("remote", "provider", "url"),
    [
        ("git@github.com:acme/Orders_API.git", "github", "https://github.com/acme/Orders_API.git"),
        ("ssh://git@bitbucket.org/acme/x.git", "bitbucket", "https://bitbucket.org/acme/x.git"),
        ("ssh://git@ssh.github.com:443/acme/x", "github", "https://github.com/acme/x.git"),
        (
            "https://x-token-auth:pw@bitbucket.org/acme/x/",
            "bitbucket",
            "https://bitbucket.org/acme/x.git",
        ),
        ("https://GitHub.com/acme/x.git", "github", "https://github.com/acme/x.git"),
    ],
)
def test_remotes_become_https_clone_urls(remote: str, provider: str, url: str) -> None:
    repo = url.rsplit("/", 1)[1].removesuffix(".git")
    assert parse_remote(remote) == Remote(provider, url, repo)


@pytest.mark.parametrize(
    ("remote", "message"),
    [
        ("https://github.example.com/acme/x.git", "github.example.com; the generator supports"),
        ("git@bitbucket.org:acme/team/x.git", "expected https://bitbucket.org/<owner>/<repo>.git"),
        ("/srv/git/x.git", "not the URL of a hosted Git repository"),
        ("https://user:secret@gitlab.com/acme/x.git", "gitlab.com"),
    ],
)
def test_remotes_that_cannot_feed_a_pipeline(remote: str, message: str) -> None:
    with pytest.raises(InitError) as caught:
        parse_remote(remote)
    assert message in str(caught.value)
    assert "secret" not in str(caught.value)


def test_provider_override_is_checked() -> None:
    remote = parse_remote("git@github.com:acme/x.git")
    assert resolve_remote(remote, None) == resolve_remote(remote, "github") == remote
    with pytest.raises(InitError):
        resolve_remote(remote, "bitbucket")


@pytest.mark.parametrize(
    ("text", "name"),
    [("Orders_API", "orders-api"), ("web..site--v2", "web-site-v2"), ("1st", None), ("x", None)],
)
def test_service_names_from_repository_names(text: str, name: str | None) -> None:
    assert name_from(text) == name


@pytest.mark.parametrize("branch", ["yes", "on", "release/1.0", "123", "0.10"])
def test_branch_names_stay_strings(branch: str) -> None:
    remote = Remote("github", "https://github.com/acme/x.git", "x")
    for deploy in ("ecs", "s3"):
        text = render_spec("svc", remote, branch, deploy)
        assert validate_spec(load_spec_text(text, "svc.yaml")).environments["dev"].branch == branch


# `docker login` reads the password from the pipe first, so a pipeline's two commands are
# recorded in their order whatever order the shell starts them in.
FAKE_TOOL = """#!/bin/sh
case "$*" in
  "login "*) cat > /dev/null ;;
esac
echo "$(basename "$0") $*" >> "$CALLS"
case "$*" in
  "ecr get-login-password"*) echo token ;;
  "inspect "*) echo "${*##* }" | sed 's/:[^:/]*$/@sha256:5f0c2b7e/' ;;
esac
"""


def run_buildspec(buildspec: dict, folder: Path, pipeline_env: str) -> list[str]:
    """Run the buildspec's phases as CodeBuild does (version 0.2: one shell per build, a
    failing command fails its phase), with docker and aws replaced by recorders; the
    commands they were called with."""
    tools = folder / "tools"
    tools.mkdir(exist_ok=True)
    for tool in ("docker", "aws"):
        (tools / tool).write_text(FAKE_TOOL, encoding="utf-8")
        (tools / tool).chmod(0o755)
    calls = folder / "calls.txt"
    calls.write_text("", encoding="utf-8")
    variables = buildspec["env"]["variables"]
    script = "\n".join(
        ["set -e", *(f"{name}={value}" for name, value in variables.items())]
        + [c for phase in ("pre_build", "build", "post_build") for c in commands(buildspec, phase)]
    )
    env = {
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "CALLS": str(calls),
        "PIPELINE_ENV": pipeline_env,
        "AWS_DEFAULT_REGION": "eu-west-1",
        "CODEBUILD_BUILD_ARN": "arn:aws:codebuild:eu-west-1:111122223333:build/orders-api:1",
        "CODEBUILD_RESOLVED_SOURCE_VERSION": "0123456789abcdef",
        "GIT_CEILING_DIRECTORIES": str(folder.parent),
    }
    subprocess.run(["sh", "-c", script], cwd=folder, env=env, check=True)
    return calls.read_text(encoding="utf-8").splitlines()


@needs_git
@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_the_ecs_buildspec_pushes_in_the_pipeline_and_only_builds_in_checks(work: Path) -> None:
    repository(work, "git@github.com:acme/orders-api.git")
    assert main(["init"]) == 0
    buildspec = yaml.safe_load((work / "buildspec.yml").read_text(encoding="utf-8"))
    image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-api:dev-0123456"
    build = work.parent / "build"

    build.mkdir()
    assert run_buildspec(buildspec, build, "dev") == [
        "aws ecr get-login-password --region eu-west-1",
        "docker login --username AWS --password-stdin 111122223333.dkr.ecr.eu-west-1.amazonaws.com",
        f"docker build -t {image} .",
        f"docker push {image}",
        f"docker inspect --format {{{{index .RepoDigests 0}}}} {image}",
    ]
    # deployed by digest; the release record names the commit, image and source version
    digest = image.replace(":dev-0123456", "@sha256:5f0c2b7e")
    definitions = (build / "imagedefinitions.json").read_text(encoding="utf-8")
    assert yaml.safe_load(definitions) == [{"name": "orders-api", "imageUri": digest}]
    release = json.loads((build / "release.json").read_text(encoding="utf-8"))
    assert release["image"] == digest and release["source"] == "0123456789abcdef"

    check = work.parent / "check"
    check.mkdir()
    checked = image.replace(":dev-", ":checks-")
    assert run_buildspec(buildspec, check, "checks") == [f"docker build -t {checked} ."]
    assert not (check / "imagedefinitions.json").exists()
