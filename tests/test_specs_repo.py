"""A team's own specs repository: `init-repo` starts it, `init --specs` run inside each
service repository adds a spec to it, and build/check/diff work there with no Makefile."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.ops.init import default_branch
from generator.spec.schema import spec_schema

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder outside this checkout, with git isolated from the machine's configuration."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("PIPELINE_GENERATOR_CACHE", str(tmp_path / "cache"))
    return tmp_path


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True)
    return done.stdout


def service_repository(folder: Path, remote: str, branch: str) -> Path:
    folder.mkdir()
    git(folder, "init", "-q", "-b", branch)
    git(folder, "remote", "add", "origin", remote)
    return folder


def test_init_repo_writes_the_starting_files_and_never_overwrites(place: Path, capsys) -> None:
    root = place / "acme-pipelines"
    root.mkdir()
    (root / "README.md").write_text("our own readme\n", encoding="utf-8")

    assert main(["init-repo", str(root)]) == 0

    assert (root / "specs").is_dir() and (root / "templates").is_dir()
    assert (root / "README.md").read_text(encoding="utf-8") == "our own readme\n"
    assert f"{root / 'README.md'} exists; left as it is" in capsys.readouterr().out
    # the path the specs' `$schema=../schema/pipeline-spec.schema.json` line finds
    schema = json.loads((root / "schema" / "pipeline-spec.schema.json").read_text("utf-8"))
    assert schema == spec_schema()
    assert (root / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == ".cache/"
    hook = (root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "entry: pipeline-generator check" in hook and "repo: local" in hook

    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert main(["init-repo", str(root)]) == 0
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_init_repo_refuses_a_file_where_a_folder_goes(place: Path, capsys) -> None:
    (place / "specs").write_text("", encoding="utf-8")
    assert main(["init-repo", str(place)]) == 2
    assert "specs exists and is not a folder; nothing was written" in capsys.readouterr().err
    assert not (place / "README.md").exists()


@needs_git
def test_default_branch_without_origin_head_is_the_checked_out_branch(place: Path) -> None:
    repo = service_repository(place / "svc", "https://github.com/acme/svc.git", "develop")
    assert default_branch(repo) == "develop"
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    assert default_branch(repo) == "trunk"


@needs_git
@pytest.mark.slow
def test_two_services_into_one_specs_repository_then_build_and_check_there(
    place: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    root = place / "acme-pipelines"
    assert main(["init-repo", str(root)]) == 0
    orders = service_repository(place / "orders", "git@github.com:acme/orders.git", "trunk")
    web = service_repository(place / "web", "https://bitbucket.org/acme/web.git", "develop")
    connection = "arn:aws:codeconnections:eu-west-1:111122223333:connection/abc-123"
    capsys.readouterr()

    monkeypatch.chdir(orders)  # the specs repository's root
    assert main(["init", "--specs", str(root), "--connection", connection]) == 0
    orders_out = capsys.readouterr().out
    monkeypatch.chdir(web)  # its specs/ folder
    assert main(["init", "--deploy", "s3", "--specs", str(root / "specs")]) == 0
    web_out = capsys.readouterr().out

    assert (orders / "buildspec.yml").is_file() and (web / "buildspec.yml").is_file()
    assert sorted(p.name for p in (root / "specs").iterdir()) == ["orders.yaml", "web.yaml"]
    orders_spec = (root / "specs" / "orders.yaml").read_text(encoding="utf-8")
    assert f"  connection: {connection}\n" in orders_spec
    assert "    branch: trunk  #" in orders_spec
    assert "    branch: develop  #" in (root / "specs" / "web.yaml").read_text("utf-8")
    assert f"  3. cd {root}\n  4. pipeline-generator build\n" in orders_out
    assert "bootstrap" not in orders_out  # the connection authenticates CodeBuild
    assert "  5. pipeline-generator deploy orders-dev\n" in orders_out
    assert f"  3. cd {root}\n" in web_out
    assert (
        "  5. pipeline-generator deploy bootstrap-bitbucket --parameter-overrides "
        "AtlassianEmail=<your Atlassian e-mail> TokenSecretName=" in web_out
    )

    monkeypatch.chdir(root)  # no Makefile: specs/ and templates/ are the defaults
    assert main(["build", "--format", "yaml"]) == 0
    assert sorted(p.name for p in (root / "templates").iterdir()) == [
        "bootstrap-bitbucket.yaml",  # web is on Bitbucket; orders uses a connection, but
        "bootstrap-deployer.yaml",  # the CloudFormation execution role, for every account
        "bootstrap-github.yaml",  # a spec's host still gets its bootstrap template
        "orders-dev.yaml",
        "web-dev.yaml",
    ]
    assert main(["check", "--format", "yaml"]) == 0
    capsys.readouterr()
    assert main(["diff"]) == 0
    assert "2 stack(s): no changes against templates" in capsys.readouterr().out

    # Only the hosts the specs use: without the Bitbucket service, its bootstrap goes.
    (root / "specs" / "web.yaml").unlink()
    assert main(["check", "--format", "yaml"]) == 1
    assert "templates are stale: run `python -m generator build --format yaml`" in (
        capsys.readouterr().err
    )
    assert main(["build", "--format", "yaml"]) == 0
    err = capsys.readouterr().err
    assert "aws cloudformation delete-stack --stack-name pipeline-bootstrap-bitbucket" in err
    assert sorted(p.name for p in (root / "templates").iterdir()) == [
        "bootstrap-deployer.yaml",
        "bootstrap-github.yaml",
        "orders-dev.yaml",
    ]
    assert main(["check", "--format", "yaml"]) == 0


CHECKOUT = Path(__file__).resolve().parent.parent


def _venv_with_the_tool(place: Path) -> Path:
    """A fresh virtualenv with a non-editable `pip install <folder>` of the package alone
    (a copy of what setup.cfg packages, outside the checkout), as a user installs it. Its
    dependencies (and pip) come from the test environment through a .pth file, which
    puts them after the venv's own site-packages. The test takes about 15 s with pip's
    cache warm (the first run fetches setuptools and wheel for the isolated build).
    Never `pip install --prefix` from the test environment: that pip uninstalls the
    test environment's own (editable) install of the package."""
    source = place / "source"
    shutil.copytree(
        CHECKOUT / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(CHECKOUT / name, source / name)
    venv = place / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = [p for p in sys.path if p.endswith("site-packages")]
    (Path(purelib) / "test-dependencies.pth").write_text("\n".join(ours) + "\n", "utf-8")
    done = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", str(source)],
        capture_output=True,
        text=True,
        cwd=place,
    )
    assert done.returncode == 0, done.stderr
    return venv / "bin"


@needs_git
@pytest.mark.slow
def test_the_installed_tool_starts_a_specs_repository_outside_the_checkout(place: Path) -> None:
    """The end-to-end trial of issue 19 with the installed tool and the `aws` on PATH (the
    stand-in of tests/fake_aws.py, never AWS_CLI): init-repo, two services, build, check,
    a dry run, a deploy with --profile/--region, deploy-all, and a failed first create."""
    from .fake_aws import calls, event, install, write_events, writes

    bin_dir = _venv_with_the_tool(place)
    tool = str(bin_dir / "pipeline-generator")
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import generator; print(generator.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=place,
    ).stdout
    assert where.startswith(str(place / "venv"))  # the installed copy, not this checkout
    fake = place / "aws-bin"
    install(fake)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ |= {"PATH": f"{fake}:{environ['PATH']}", "PIPELINE_GENERATOR_POLL_SECONDS": "0.05"}

    def attempt(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [tool, *args], cwd=cwd, capture_output=True, text=True, env=environ | env
        )

    def run(cwd: Path, *args: str) -> str:
        done = attempt(cwd, *args)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    from generator import __version__

    assert run(place, "--version").strip() == __version__
    root = place / "pipelines"
    run(place, "init-repo", str(root))
    service = service_repository(place / "orders", "git@github.com:acme/orders.git", "main")
    web = service_repository(place / "web", "https://bitbucket.org/acme/web.git", "develop")
    run(service, "init", "--specs", str(root))
    run(web, "init", "--deploy", "s3", "--specs", str(root))
    run(root, "build", "--format", "yaml")
    assert sorted(p.name for p in (root / "templates").iterdir()) == [
        "bootstrap-bitbucket.yaml",
        "bootstrap-deployer.yaml",
        "bootstrap-github.yaml",
        "orders-dev.yaml",
        "web-dev.yaml",
    ]
    run(root, "check", "--format", "yaml")
    assert calls(fake) == []  # nothing so far talks to AWS

    out = run(root, "deploy", "orders-dev", "--dry-run")
    assert "Action    LogicalResourceId  ResourceType             Replacement" in out
    assert "* Modify  BridgeProject      AWS::CodeBuild::Project  False" in out

    run(root, "deploy", "templates/orders-dev.yaml", "--profile", "p", "--region", "eu-west-1")
    last = writes(fake)[-1]
    assert last[:2] == ["cloudformation", "deploy"] and "--no-execute-changeset" not in last
    assert last[last.index("--profile") + 1] == "p"
    assert last[last.index("--region") + 1] == "eu-west-1"

    before = len(writes(fake))
    run(root, "deploy-all", "dev", "--region", "eu-west-1")
    stacks = sorted(c[c.index("--stack-name") + 1] for c in writes(fake)[before:])
    assert stacks == ["orders-dev", "web-dev"]

    failing = place / "aws-failing"
    install(failing)
    reason = (
        "Failed to call CreateWebhook, reason: No Access token found, please visit AWS "
        "CodeBuild console to connect to Bitbucket (Service: AWSCodeBuild; Status Code: 400; "
        "Error Code: InvalidInputException)"
    )
    write_events(
        failing,
        [],
        [
            event(1, "web-dev", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS"),
            event(2, "BridgeProject", "AWS::CodeBuild::Project", "CREATE_FAILED", reason),
            event(3, "web-dev", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE"),
        ],
    )
    path = f"{failing}:{environ['PATH']}"
    done = attempt(root, "deploy", "web-dev", PATH=path, FAKE_AWS_EXIT="255")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"BridgeProject (AWS::CodeBuild::Project) CREATE_FAILED: {reason}" in done.stderr
    assert "Fix: CodeBuild has no source credential for this Git host" in done.stderr
