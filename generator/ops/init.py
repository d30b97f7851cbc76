"""`init`: a new spec and a starter buildspec for one service, from its Git remote.

The pieces are separate and pure where they can be: the remote URL -> (provider, https
clone URL, repository name), the service name, the spec text, the buildspec text; only
`git_remote`/`default_branch` ask git and only `write_new_files` touches the disk. The
spec text is validated like any spec before anything is written, and no existing file is
ever replaced.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ..spec.loader import load_spec_text
from ..spec.validate import validate_spec
from ..stack.bootstrap import GIT_HOSTS, file_stem

DEPLOY_TARGETS = ("ecs", "s3")
BUILDSPEC = "buildspec.yml"
ENVIRONMENT = "dev"
FALLBACK_BRANCH = "main"
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/pipeline-spec.schema.json"

# The service name rule of the spec model (generator/spec/model.py, ServiceName).
SERVICE_PATTERN = r"^[a-z][a-z0-9-]{1,30}$"
_SERVICE = re.compile(SERVICE_PATTERN)

# Host (as a remote may spell it) -> (provider, the host of its https clone URLs).
# ssh.github.com and altssh.bitbucket.org are the hosts' SSH-over-port-443 names.
_HOSTS = {
    "github.com": ("github", "github.com"),
    "www.github.com": ("github", "github.com"),
    "ssh.github.com": ("github", "github.com"),
    "bitbucket.org": ("bitbucket", "bitbucket.org"),
    "www.bitbucket.org": ("bitbucket", "bitbucket.org"),
    "altssh.bitbucket.org": ("bitbucket", "bitbucket.org"),
}
_URL_SCHEMES = {"https", "http", "ssh", "git", "git+ssh", "ssh+git"}
# scp-like SSH syntax: [user@]host:owner/repo(.git)
_SCP = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^@/:]+):(?P<path>[^/].*)$")
_PATH_PART = re.compile(r"^[A-Za-z0-9_.-]+$")


class InitError(Exception):
    """Bad input for init: one line that says what to do."""


@dataclass(frozen=True)
class Remote:
    provider: str
    url: str  # https://<host>/<owner>/<repo>.git
    repo: str  # the repository's name on the host


@dataclass(frozen=True)
class InitRequest:
    name: str | None
    provider: str | None
    deploy: str
    url: str | None
    specs: Path
    cwd: Path
    connection: str | None = None


@dataclass(frozen=True)
class InitResult:
    service: str
    deploy: str
    remote: Remote
    branch: str
    spec: Path
    buildspec: Path
    connection: str | None = None


# --- remote URL -> provider, https URL, repository name -------------------------------


def _redacted(remote: str) -> str:
    """The remote without any user name or password (a token in an https remote)."""
    return re.sub(r"^([a-z+]+://)[^/@]*@", r"\1", remote.strip())


def _split_remote(remote: str) -> tuple[str, str]:
    """(host, path) of a URL-style or scp-style remote."""
    text = remote.strip()
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme.lower() not in _URL_SCHEMES or not parts.hostname:
            raise InitError(f'"{_redacted(text)}" is not the URL of a hosted Git repository')
        return parts.hostname.lower(), parts.path
    match = _SCP.match(text)
    if match is None:
        raise InitError(
            f'"{text}" is not the URL of a hosted Git repository (a local path?); '
            "pass the repository's clone URL with --url"
        )
    return match["host"].lower(), match["path"]


def parse_remote(remote: str) -> Remote:
    """git@github.com:acme/x.git, ssh://git@bitbucket.org/acme/x.git, https://... ->
    the provider and the https clone URL the spec needs."""
    host, path = _split_remote(remote)
    if host not in _HOSTS:
        raise InitError(
            f"the repository is on {host}; the generator supports bitbucket.org and "
            "github.com only (GitHub Enterprise, GitLab and other hosts cannot feed these "
            "pipelines). If that is an SSH alias of one of them, pass --url "
            "https://<host>/<owner>/<repo>.git"
        )
    provider, canonical = _HOSTS[host]
    parts = path.strip("/").removesuffix(".git").split("/")
    if len(parts) != 2 or not all(_PATH_PART.match(p) for p in parts):
        raise InitError(
            f'"{_redacted(remote)}": expected https://{canonical}/<owner>/<repo>.git '
            f'(or an SSH remote of it); got the path "{path}"'
        )
    owner, repo = parts
    return Remote(provider, f"https://{canonical}/{owner}/{repo}.git", repo)


def resolve_remote(remote: Remote, provider: str | None) -> Remote:
    """The remote, checked against an explicit --provider."""
    if provider is not None and provider != remote.provider:
        raise InitError(
            f"--provider {provider}, but {remote.url} is a {remote.provider} repository"
        )
    return remote


# --- service name ----------------------------------------------------------------------


def name_from(text: str) -> str | None:
    """Orders_API -> orders-api; None when the result is not a valid service name."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return name if _SERVICE.match(name) else None


def service_name(explicit: str | None, repo: str) -> str:
    if explicit is not None:
        if not _SERVICE.match(explicit):
            raise InitError(
                f'NAME "{explicit}" must match {SERVICE_PATTERN} (a lower-case letter, then '
                "2 to 31 lower-case letters, digits or '-' in all)"
            )
        return explicit
    derived = name_from(repo)
    if derived is None:
        raise InitError(
            f'cannot make a service name from the repository name "{repo}" (it must match '
            f"{SERVICE_PATTERN}); give one: python -m generator init NAME"
        )
    return derived


# --- git ---------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> tuple[bool, str]:
    """(succeeded, stdout, or the first line of stderr on failure)."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
        )
    except FileNotFoundError:
        return False, "git is not installed"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"git did not run: {exc}"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return False, lines[0] if lines else f"git exited with {done.returncode}"
    return True, done.stdout.strip()


def git_remote(cwd: Path) -> str:
    """The URL of the remote origin, or InitError saying how to do without it."""
    ok, out = _git(cwd, "remote", "get-url", "origin")
    if not ok or not out:
        raise InitError(
            f"no Git remote to read the repository from ({out}): run init inside the "
            "service's repository (with a remote named origin), or pass --url URL"
        )
    return out


def default_branch(cwd: Path) -> str:
    """The remote's default branch as the clone recorded it (origin/HEAD), else the
    branch checked out (a repository created locally, not cloned), else main."""
    ok, out = _git(cwd, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
    prefix = "refs/remotes/origin/"
    if ok and out.startswith(prefix) and len(out) > len(prefix):
        return out[len(prefix) :]
    ok, out = _git(cwd, "symbolic-ref", "--quiet", "--short", "HEAD")
    if ok and out:
        return out
    return FALLBACK_BRANCH


# --- the specs repository ------------------------------------------------------------------


def spec_folder(given: Path) -> Path:
    """--specs DIR names the specs repository's root or its specs/ folder: the folder the
    spec goes to."""
    return given / "specs" if (given / "specs").is_dir() else given


def specs_root(folder: Path) -> Path:
    """The folder `pipeline-generator build` runs in: the parent of a specs/ folder."""
    return folder.parent if folder.name == "specs" else folder


# --- rendering ---------------------------------------------------------------------------


def _scalar(value: str) -> str:
    """value as a YAML scalar: plain when it reads back as the same string, else quoted."""
    plain = re.fullmatch(r"[A-Za-z0-9_./:@+-]+", value) is not None and not value.startswith(
        ("-", ":", "@")
    )
    if plain and yaml.safe_load(value) == value:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _deploy_lines(service: str, deploy: str) -> list[str]:
    if deploy == "ecs":
        return [
            "      ecs:",
            f"        cluster: {service}  # EDIT: the existing ECS cluster",
            f"        service: {service}  # EDIT: the existing ECS service",
            "        # EDIT: the task definition's task and execution roles, by name (the",
            "        # pipeline may pass only these to ECS; Fargate needs the execution role",
            "        # to pull from ECR); [] only when it has neither.",
            f"        task_roles: [{service}-task, {service}-exec]",
        ]
    return [
        "      s3:",
        f"        bucket: {service}-site  # EDIT: the existing bucket the site goes to",
        "        extract: true  # unzip the build output into the bucket",
    ]


def render_spec(
    service: str, remote: Remote, branch: str, deploy: str, connection: str | None = None
) -> str:
    """The new spec: the values init knows, and EDIT comments where only the user knows."""
    lines = [
        SCHEMA_LINE,
        "# Written by `pipeline-generator init`. Check the lines marked EDIT, then run",
        '# `pipeline-generator build`. Every field: README.md, "Field reference".',
        f"service: {service}",
        "repository:",
        f"  provider: {remote.provider}",
        f"  url: {remote.url}",
    ]
    if connection is not None:
        lines.append(f"  connection: {_scalar(connection)}")
    if deploy == "ecs":
        lines += [
            "build:",
            "  privileged: true  # docker build",
            f"  ecr: [{service}]  # EDIT: the ECR repositories the build pushes to",
        ]
    lines += [
        "environments:",
        f"  {ENVIRONMENT}:",
        f"    branch: {_scalar(branch)}  # EDIT: pushes to this branch build and deploy",
        "    deploy:",
        *_deploy_lines(service, deploy),
    ]
    return "\n".join(lines) + "\n"


_ECS_BUILDSPEC = """\
# Starter buildspec written by `python -m generator init` (deploy: ecs). The
# pipeline's build project runs it; the ECS deploy action reads imagedefinitions.json.
version: 0.2

env:
  variables:
    ECR_REPOSITORY: {service}   # one of build.ecr in the spec
    CONTAINER_NAME: {service}   # EDIT: must match the container name in the task definition

phases:
  pre_build:
    commands:
      - ACCOUNT_ID=$(echo "$CODEBUILD_BUILD_ARN" | cut -d ':' -f 5)
      - >-
        if [ -z "$ACCOUNT_ID" ]; then
        ACCOUNT_ID=$(aws sts get-caller-identity --query Account --output text); fi
      - REGISTRY=$ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com
      - REPOSITORY_URI=$REGISTRY/$ECR_REPOSITORY
      # Pull-request checks (PIPELINE_ENV=checks) build and test only: their role may
      # not push to ECR, and nothing deploys what they build.
      - >-
        if [ "$PIPELINE_ENV" != "checks" ]; then
        aws ecr get-login-password --region $AWS_DEFAULT_REGION
        | docker login --username AWS --password-stdin $REGISTRY; fi
      # The environment and the commit: no environment's build replaces a tag another
      # deployed, and the tags can be immutable. The source zip carries the checkout's
      # .git; in the pipeline CODEBUILD_RESOLVED_SOURCE_VERSION is the S3 object version,
      # hence only the fallback.
      - >-
        IMAGE_TAG=$PIPELINE_ENV-$(git rev-parse --short=7 HEAD 2>/dev/null
        || echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" | cut -c 1-7)
  build:
    commands:
      - docker build -t $REPOSITORY_URI:$IMAGE_TAG .
  post_build:
    commands:
      # Deploy the pushed image by its digest, which no later push can move, and write
      # the release record every deploy stage of the pipeline takes with it.
      - >-
        if [ "$PIPELINE_ENV" != "checks" ]; then
        docker push $REPOSITORY_URI:$IMAGE_TAG
        && IMAGE=$(docker inspect
        --format '{{{{index .RepoDigests 0}}}}' $REPOSITORY_URI:$IMAGE_TAG)
        && printf '[{{"name":"%s","imageUri":"%s"}}]' "$CONTAINER_NAME" "$IMAGE"
        > imagedefinitions.json
        && printf '{{"commit":"%s","image":"%s","source":"%s","execution":"%s","build":"%s"}}'
        "$(git rev-parse HEAD 2>/dev/null)" "$IMAGE" "$CODEBUILD_RESOLVED_SOURCE_VERSION"
        "$RELEASE_PIPELINE_EXECUTION" "$CODEBUILD_BUILD_ID" > release.json; fi

artifacts:
  files:
    - imagedefinitions.json
    - release.json
"""

# Node.js 22: an LTS line that the curated images aws/codebuild/standard:7.0 and
# amazonlinux x86_64 / aarch64 standard:5.0 / 3.0 all carry (18, 20, 22, 24 each:
# github.com/aws/aws-codebuild-docker-images, ubuntu/standard/7.0/runtimes.yml,
# al/x86_64/standard/5.0/runtimes.yml, al/aarch64/standard/3.0/runtimes.yml; CodeBuild user
# guide "Runtime versions", runtime-versions.html); Node.js 20 left upstream support in April
# 2026, 18 in April 2025.
_S3_BUILDSPEC = """\
# Starter buildspec written by `python -m generator init` (deploy: s3). The
# pipeline's build project runs it; the files under base-directory go to the bucket.
version: 0.2

phases:
  install:
    runtime-versions:
      nodejs: 22
    commands:
      - npm ci          # EDIT: your install step
  build:
    commands:
      - npm run build   # EDIT: your build step; it must write the site to dist/

artifacts:
  base-directory: dist  # EDIT: the folder your build writes
  files:
    - '**/*'
"""


def render_buildspec(service: str, deploy: str) -> str:
    if deploy == "ecs":
        return _ECS_BUILDSPEC.format(service=service)
    return _S3_BUILDSPEC


# --- files ---------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _place(tmp: Path, target: Path) -> None:
    """Move a finished temporary file to target, never replacing one that exists."""
    try:
        os.link(tmp, target)  # atomic, and fails when target exists, even in a race
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if _existing(target):
            raise FileExistsError(errno.EEXIST, "file exists", str(target)) from None
        os.replace(tmp, target)


def _existing(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _stage(path: Path, text: str, mode: int) -> Path:
    """A complete temporary file beside path, with the mode a new file gets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_new_files(files: dict[Path, str]) -> None:
    """Write every file or none, each through a temporary file, never over an existing
    file (InitError naming it, checked for all before any is written)."""
    for path in files:
        if _existing(path):
            raise InitError(
                f"{path} already exists; init never overwrites a file, so nothing was written"
            )
    mode = 0o666 & ~_umask()
    staged: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for path, text in files.items():
            staged.append((_stage(path, text, mode), path))
        for tmp, target in staged:
            _place(tmp, target)
            placed.append(target)
    except BaseException as exc:
        for target in placed:
            target.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            raise InitError(
                f"{exc.filename} appeared while init was writing; nothing was written"
            ) from None
        raise
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


# --- the command -----------------------------------------------------------------------


def run_init(request: InitRequest) -> InitResult:
    """Work out the service, render and validate both files, write them (or nothing)."""
    if request.deploy not in DEPLOY_TARGETS:
        raise InitError(f"--deploy must be one of {', '.join(DEPLOY_TARGETS)}")
    from_git = request.url is None
    raw_url = git_remote(request.cwd) if request.url is None else request.url
    remote = resolve_remote(parse_remote(raw_url), request.provider)
    service = service_name(request.name, remote.repo)
    branch = default_branch(request.cwd) if from_git else FALLBACK_BRANCH
    spec_path = spec_folder(request.specs) / f"{service}.yaml"
    spec_text = render_spec(service, remote, branch, request.deploy, request.connection)
    validate_spec(load_spec_text(spec_text, str(spec_path)))  # SpecErrors: nothing written
    buildspec_path = request.cwd / BUILDSPEC
    write_new_files(
        {spec_path: spec_text, buildspec_path: render_buildspec(service, request.deploy)}
    )
    return InitResult(
        service, request.deploy, remote, branch, spec_path, buildspec_path, request.connection
    )


def bootstrap_command(provider: str) -> str:
    """Deploy the account's source credential for the Git host, with its parameters
    (generator/stack/bootstrap.py)."""
    host = GIT_HOSTS[provider]
    values = [f"{host.username}=<your Atlassian e-mail>"] if host.username else []
    values.append("TokenSecretName=<Secrets Manager secret holding the token>")
    command = f"pipeline-generator deploy {file_stem(provider)} --parameter-overrides"
    return " ".join([command, *values])


def report_lines(result: InitResult) -> list[str]:
    """What was written and what to do next, as commands to copy."""
    edit = "cluster, service, task_roles, ecr" if result.deploy == "ecs" else "bucket"
    built = (
        "docker build, push to ECR, imagedefinitions.json"
        if result.deploy == "ecs"
        else "npm ci, npm run build, publish dist/"
    )
    stack = f"{result.service}-{ENVIRONMENT}"
    root = specs_root(result.spec.parent)
    steps = [
        f"edit {result.spec}: the lines marked EDIT ({edit})",
        f"edit {result.buildspec} to build your service, then commit it here: "
        f"git add {result.buildspec.name} && git commit -m 'CodeBuild buildspec'",
        f"cd {root}",
        "pipeline-generator build",
    ]
    if result.connection is None:
        steps.append(
            f"{bootstrap_command(result.remote.provider)}   (once per account and region; "
            "or set repository.connection in the spec)"
        )
    steps.append(f"pipeline-generator deploy {stack}")
    return [
        f"wrote {result.spec} (service {result.service}, {result.remote.provider} "
        f"{result.remote.url}, {ENVIRONMENT} <- branch {result.branch}, deploy {result.deploy})",
        f"wrote {result.buildspec} ({built})",
        "next:",
        *(f"  {number}. {step}" for number, step in enumerate(steps, 1)),
    ]


# --- a team's specs repository ---------------------------------------------------------------

SCHEMA_FILE = Path("schema") / "pipeline-spec.schema.json"  # where SCHEMA_LINE points from specs/

_PRE_COMMIT = """\
# `pipeline-generator check` before every commit that touches a spec or a template:
# fails when templates/ is not what `pipeline-generator build` writes from specs/.
repos:
  - repo: local
    hooks:
      - id: pipeline-templates-up-to-date
        name: pipeline templates are what the specs build
        entry: pipeline-generator check
        language: system
        files: ^(specs|templates)/
        pass_filenames: false
"""

_GITIGNORE = """\
# pipeline-generator's build cache
.cache/
"""

_README = """\
# Pipeline specs

One YAML spec per service in `specs/`; `pipeline-generator` turns them into the
CloudFormation templates in `templates/` (committed; the pre-commit hook keeps them in
sync). Run every command from this folder.

```sh
pipeline-generator build                  # write and lint templates/ from specs/
pipeline-generator check                  # exit 1 when templates/ is stale
pipeline-generator diff                   # what a build would change
pipeline-generator deploy <service>-<env> # aws cloudformation deploy one stack
pipeline-generator deploy-all <env>       # every stack of one environment
```

A new service: inside its repository run
`pipeline-generator init --specs <path of this repository>`; it writes the service's
starter buildspec.yml there and its spec here, and prints the next commands.

`schema/pipeline-spec.schema.json` lets editors check specs as you type; after upgrading
the generator, refresh it: `pipeline-generator schema --write schema/pipeline-spec.schema.json`.
"""


def specs_repo_files(schema_text: str) -> dict[Path, str]:
    """The files a new specs repository starts with, by path under its root."""
    return {
        SCHEMA_FILE: schema_text,
        Path(".pre-commit-config.yaml"): _PRE_COMMIT,
        Path(".gitignore"): _GITIGNORE,
        Path("README.md"): _README,
    }


def start_specs_repo(root: Path, schema_text: str) -> tuple[list[Path], list[Path]]:
    """Create specs/ and templates/ and write each starting file that is not there yet:
    (written, kept as they were)."""
    files = {root / path: text for path, text in specs_repo_files(schema_text).items()}
    kept = [path for path in files if _existing(path)]
    for folder in (root / "specs", root / "templates"):
        if _existing(folder) and not folder.is_dir():
            raise InitError(f"{folder} exists and is not a folder; nothing was written")
    new = {path: text for path, text in files.items() if path not in kept}
    write_new_files(new)
    for folder in (root / "specs", root / "templates"):
        folder.mkdir(parents=True, exist_ok=True)
    return list(new), kept
