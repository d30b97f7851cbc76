"""Command line: build, check, lint, diff, deploy, deploy-all, guard, init, schema, reference
(the contract scripts and CI rely on).

Exit status: 0 success; 1 lint findings or stale templates; 2 bad input (a spec
error, a missing file, a bad option). Nothing is written unless every spec
builds and lints clean.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .ops.incremental import expected_outputs, matches_disk, record_clean_build
from .ops.stackfiles import deploy_name, unbuilt_files
from .render.output import (
    OutputError,
    refuse_file_as_folder,
    remove_files,
    stale_files,
    write_all,
)
from .spec.errors import SpecErrors
from .spec.sources import FORMATS, spec_names

DEFAULT_SPECS = Path("specs")
DEFAULT_OUT = Path("templates")
GUARD_TOOL_DIR = Path(".tools") / "cfn-guard"

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _whole_folder(args: argparse.Namespace) -> bool:
    """A run over the default spec folder owns the whole output folder: a template there
    that no spec builds is left over from a removed spec or environment."""
    return not args.paths


def _unbuilt(args: argparse.Namespace, names: set[str]) -> tuple[list[Path], list[Path]]:
    """(our templates that no spec builds any more, files we did not write), for whole-folder
    runs; a run over named specs owns only their templates."""
    if not _whole_folder(args):
        return [], []
    stems = {name.rsplit(".", 1)[0] for name in names}
    return unbuilt_files(args.output, stems)


def _leftover_lines(ours: list[Path], foreign: list[Path], *, removed: bool) -> list[str]:
    from .stack.bootstrap import stack_name_of

    lines = []
    for stem in sorted({p.stem for p in ours}):
        files = ", ".join(str(p) for p in ours if p.stem == stem)
        verb = "removed" if removed else "no spec builds it any more"
        stack = stack_name_of(stem) or stem
        lines.append(
            f"{files}: {verb} (stack {stack}; if it is deployed and no longer wanted: "
            f"aws cloudformation delete-stack --stack-name {stack})"
        )
    lines += [f"{p}: not written by this generator; left alone" for p in foreign]
    return lines


def _with_bootstrap(args: argparse.Namespace) -> bool:
    """The account bootstrap template is part of a whole-folder run (`make templates`), not
    of a run over named specs."""
    return not args.paths


def _variant(args: argparse.Namespace) -> str:
    """What, besides the specs, decides a build's output and whether it passed."""
    return args.format + ("+allow-large" if getattr(args, "allow_large", False) else "")


def _cached_up_to_date(args: argparse.Namespace, spec_files: dict[Path, str]) -> int | None:
    """The number of templates when the last clean build's output is still in place."""
    expected = expected_outputs(spec_files, _variant(args), bootstrap=_with_bootstrap(args))
    if expected is None or not matches_disk(args.output, expected):
        return None
    if any(_unbuilt(args, set(expected))):
        return None
    return len(expected)


def cmd_build(args: argparse.Namespace) -> int:
    spec_files = spec_names(args.paths or [DEFAULT_SPECS])
    cached = _cached_up_to_date(args, spec_files)
    if cached is not None:
        from .ops.generate import warnings_of

        for warning in sorted(warnings_of(list(spec_files))):
            print(warning, file=sys.stderr)
        print(f"{cached} template(s) in {args.output} up to date (no spec or generator change)")
        return EXIT_OK
    from .checks.lint import LintWorkers, lint_texts

    # The lint workers load cfn-lint's rules while this process composes the templates.
    with LintWorkers() as workers:
        from .ops.deploy import oversized
        from .ops.generate import generate
        from .render.formats import round_trip_problem, twins

        generated = generate(
            list(spec_files), args.format, bootstrap=_with_bootstrap(args), names=spec_files
        )
        for warning in sorted(generated.warnings):
            print(warning, file=sys.stderr)
        findings = lint_texts(generated.lint_items, progress=True, workers=workers)
        problems = workers.map(round_trip_problem, twins(generated.files))
        findings += [problem for problem in problems if problem is not None]
    if not args.allow_large:
        findings += oversized(deployed_files(generated.files))
    if findings:
        print("\n".join(findings), file=sys.stderr)
        print(f"{len(findings)} lint finding(s); nothing written", file=sys.stderr)
        return EXIT_FINDINGS
    ours, foreign = _unbuilt(args, set(generated.files))
    written = write_all(args.output, generated.files)
    remove_files(ours)
    for line in _leftover_lines(ours, foreign, removed=True):
        print(line, file=sys.stderr)
    record_clean_build(generated.by_spec, spec_files, _variant(args))
    count = len(generated.files)
    print(f"{count} template(s) in {args.output}, {len(written)} changed, lint clean")
    return EXIT_OK


def deployed_files(files: dict[str, str]) -> dict[str, str]:
    """Of the files a build writes, the ones that deploy (the YAML where both exist)."""
    stems = {name.rsplit(".", 1)[0] for name in files}
    names = [deploy_name(stem, files) for stem in sorted(stems)]
    return {name: files[name] for name in names if name is not None}


def _rebuild_command(args: argparse.Namespace) -> str:
    """The command that makes this output folder what `check` expects."""
    if not args.paths and args.output == DEFAULT_OUT and args.format == "both":
        return "make templates" if Path("Makefile").is_file() else "pipeline-generator build"
    words = ["python -m generator build", *(str(p) for p in args.paths)]
    if args.output != DEFAULT_OUT:
        words += ["-o", str(args.output)]
    if args.format != "both":
        words += ["--format", args.format]
    return " ".join(words)


def cmd_check(args: argparse.Namespace) -> int:
    refuse_file_as_folder(args.output)
    spec_files = spec_names(args.paths or [DEFAULT_SPECS])
    cached = _cached_up_to_date(args, spec_files)
    if cached is not None:
        print(f"{cached} template(s) in {args.output} are up to date")
        return EXIT_OK
    from .ops.generate import generate

    files = generate(
        list(spec_files), args.format, bootstrap=_with_bootstrap(args), names=spec_files
    ).files
    ours, foreign = _unbuilt(args, set(files))
    for line in _leftover_lines([], foreign, removed=False):
        print(line, file=sys.stderr)
    problems = stale_files(args.output, files) + _leftover_lines(ours, [], removed=False)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"templates are stale: run `{_rebuild_command(args)}`", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"{len(files)} template(s) in {args.output} are up to date")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    if args.deployed:
        return _diff_deployed(args)
    from .ops.diff import cross_account_changes, template_changes
    from .ops.generate import compose_stacks, delivery_stacks, load_specs
    from .ops.stackfiles import stack_file

    names = spec_names(args.paths or [DEFAULT_SPECS])
    loaded = load_specs(names)
    built = compose_stacks(loaded, names) + delivery_stacks(spec for _, spec in loaded)
    stacks = {s.name: s for s in built}
    changed = 0
    for name in sorted(stacks):
        committed = stack_file(args.output, name)
        changes = template_changes(committed.data if committed else None, stacks[name].data)
        crossing = cross_account_changes(committed.data if committed else None, stacks[name].data)
        if committed is None:
            print(f"{name}: new stack ({len(stacks[name].data['Resources'])} resources)")
        elif changes:
            print(f"{name} ({committed.path}):")
            print("\n".join(str(c) for c in changes))
        if crossing:
            print("\n".join(crossing))
        changed += bool(changes)
    if not changed:
        print(f"{len(stacks)} stack(s): no changes against {args.output}")
        return EXIT_OK
    return EXIT_FINDINGS


def _diff_deployed(args: argparse.Namespace) -> int:
    from .ops.deploy import DeployRefused, deployed_changes

    try:
        lines = deployed_changes(
            args.deployed, args.output, profile=args.profile, region=args.region
        )
    except DeployRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not lines:
        print(f"{args.deployed}: the deployed stack matches {args.output}")
        return EXIT_OK
    print(f"{args.deployed} (deployed -> {args.output}):")
    print("\n".join(lines))
    return EXIT_FINDINGS


def cmd_lint(args: argparse.Namespace) -> int:
    from .checks.lint import lint_texts

    items = []
    for path in args.files:
        try:
            items.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    findings = lint_texts(items)
    if findings:
        print("\n".join(findings))
        return EXIT_FINDINGS
    print(f"{len(items)} template(s) lint clean")
    return EXIT_OK


def _guard_targets(files: list[Path], folder: Path) -> list[Path]:
    """The given files, or the file of each stack that deploys (YAML, else JSON)."""
    if files:
        return files
    yaml_files = sorted(folder.glob("*.yaml"))
    return yaml_files or sorted(folder.glob("*.json"))


def cmd_guard(args: argparse.Namespace) -> int:
    from .checks.guard import Guard, GuardError, report_lines, unwaived, waivers_of
    from .ops.stackfiles import parse_template

    targets = _guard_targets(args.files, args.output)
    try:
        guard = Guard.installed(args.tool, args.rules)
        waivers = {
            str(t): waivers_of(parse_template(t.read_text(encoding="utf-8")) or {}) for t in targets
        }
        failures = guard.failures(targets)
    except (GuardError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("\n".join(report_lines(failures, waivers)))
    problems = unwaived(failures, waivers)
    for path, controls in problems.items():
        print(f"{path}: fails {', '.join(controls)}, which its Metadata does not waive")
    return EXIT_FINDINGS if problems else EXIT_OK


def cmd_deploy(args: argparse.Namespace) -> int:
    from .ops.deploy import DeployRefused, DeployRequest, run_deploy, run_deploy_all

    request = DeployRequest(
        getattr(args, "stack", ""),
        args.output,
        args.parameter_overrides,
        args.dry_run,
        args.s3_bucket,
        specs=args.specs,
        profile=args.profile,
        region=args.region,
        role_arn=args.role_arn,
    )
    try:
        if args.command == "deploy-all":
            return run_deploy_all(request, args.environment, jobs=args.jobs)
        return run_deploy(request)
    except DeployRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def cmd_schema(args: argparse.Namespace) -> int:
    from .spec.schema import spec_schema

    text = json.dumps(spec_schema(), indent=2) + "\n"
    if args.write is None:
        print(text, end="")
        return EXIT_OK
    write_all(args.write.parent, {args.write.name: text})
    print(f"{args.write}: spec schema up to date")
    return EXIT_OK


def cmd_reference(args: argparse.Namespace) -> int:
    from .commands_reference import commands_reference, with_commands
    from .spec.schema import spec_reference, with_reference

    what = "command reference" if args.commands else "field reference"
    if args.write is None:
        print(commands_reference(parser()) if args.commands else spec_reference())
        return EXIT_OK
    text = args.write.read_text(encoding="utf-8")
    try:
        updated = with_commands(text, parser()) if args.commands else with_reference(text)
    except ValueError as exc:
        print(f"{args.write}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if updated != text:
        write_all(args.write.parent, {args.write.name: updated})
    print(f"{args.write}: {what} up to date")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from .ops.init import InitError, InitRequest, report_lines, run_init

    request = InitRequest(
        args.name, args.provider, args.deploy, args.url, args.specs, Path("."), args.connection
    )
    try:
        result = run_init(request)
    except InitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("\n".join(report_lines(result)))
    return EXIT_OK


def cmd_init_repo(args: argparse.Namespace) -> int:
    from .ops.init import InitError, start_specs_repo
    from .spec.schema import spec_schema

    try:
        written, kept = start_specs_repo(args.dir, json.dumps(spec_schema(), indent=2) + "\n")
    except InitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for path in written:
        print(f"wrote {path}")
    for path in kept:
        print(f"{path} exists; left as it is")
    print(
        f"specs repository {args.dir} ready; next: git init it, and in each service's "
        f"repository run `pipeline-generator init --specs {args.dir}`"
    )
    return EXIT_OK


def _add_paths(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="spec files or folders (default: specs/)",
    )


def _add_output(sub: argparse.ArgumentParser, meaning: str = "template folder") -> None:
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"{meaning} (default: templates/)",
    )


def _add_generate_options(sub: argparse.ArgumentParser) -> None:
    _add_paths(sub)
    _add_output(sub)
    sub.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="both",
        help="which files to write (default: both)",
    )


def _add_deploy_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--parameter-overrides",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="values for the template's own parameters (the bootstrap stacks'), passed to "
        "the AWS CLI; a service stack has none: its values come from the spec",
    )
    sub.add_argument(
        "--dry-run", action="store_true", help="create the change set but do not execute it"
    )
    sub.add_argument("--s3-bucket", help="upload templates through this bucket (large templates)")
    sub.add_argument(
        "--specs",
        type=Path,
        default=DEFAULT_SPECS,
        metavar="DIR",
        help="spec folder the templates must still match (default: specs/)",
    )
    _add_aws_options(sub)
    sub.add_argument(
        "--role-arn",
        metavar="ARN",
        help="IAM role CloudFormation deploys with; `deployer`: the DeployRoleArn output of "
        "the pipeline-bootstrap-deployer stack",
    )
    _add_output(sub)


def _add_aws_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--profile", help="AWS CLI profile (default: AWS_PROFILE or the default)")
    sub.add_argument(
        "--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)"
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m generator",
        description="Service specs in, CloudFormation pipeline templates out.",
    )
    root.add_argument("--version", action="version", version=__version__)
    commands = root.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="write and lint templates for every spec")
    _add_generate_options(build)
    build.add_argument(
        "--allow-large",
        action="store_true",
        help="allow templates over 51,200 bytes (deploy them with --s3-bucket)",
    )
    build.set_defaults(func=cmd_build)

    check = commands.add_parser("check", help="exit 1 when templates/ is not what build writes")
    _add_generate_options(check)
    check.set_defaults(func=cmd_check)

    diff = commands.add_parser(
        "diff",
        help="what a regenerated template (or, with --deployed, a deploy) would change: "
        "resources, parameters, outputs, with old and new values",
    )
    _add_paths(diff)
    _add_output(diff, "folder of the committed templates")
    diff.add_argument(
        "--deployed",
        metavar="STACK",
        help="compare the deployed stack (AWS credentials needed) with its template file",
    )
    _add_aws_options(diff)
    diff.set_defaults(func=cmd_diff)

    lint = commands.add_parser("lint", help="run every build check on existing templates")
    lint.add_argument("files", nargs="+", type=Path, metavar="FILE")
    lint.set_defaults(func=cmd_lint)

    guard = commands.add_parser(
        "guard", help="run cfn-guard with the AWS Control Tower rules (and yours) on templates"
    )
    guard.add_argument("files", nargs="*", type=Path, metavar="FILE")
    _add_output(guard, "folder of the templates when no FILE is given")
    guard.add_argument(
        "--rules",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="more cfn-guard rule files or folders (repeatable)",
    )
    guard.add_argument(
        "--tool",
        type=Path,
        default=GUARD_TOOL_DIR,
        metavar="DIR",
        help=f"the unpacked rules package (default: {GUARD_TOOL_DIR}, installed by make guard)",
    )
    guard.set_defaults(func=cmd_guard)

    deploy = commands.add_parser("deploy", help="aws cloudformation deploy one stack")
    deploy.add_argument(
        "stack",
        help="<service>-<env>, bootstrap-<host>, its stack name (pipeline-bootstrap-github) or "
        "its template path (templates/orders-dev.yaml)",
    )
    _add_deploy_options(deploy)
    deploy.set_defaults(func=cmd_deploy)

    deploy_all = commands.add_parser("deploy-all", help="deploy every stack of one environment")
    deploy_all.add_argument("environment")
    deploy_all.add_argument(
        "--jobs",
        type=int,
        default=4,
        metavar="N",
        help="stacks deployed at a time (default: 4)",
    )
    _add_deploy_options(deploy_all)
    deploy_all.set_defaults(func=cmd_deploy)

    schema = commands.add_parser("schema", help="print the spec's JSON Schema")
    schema.add_argument(
        "--write", type=Path, metavar="FILE", help="write it to FILE instead (make docs)"
    )
    schema.set_defaults(func=cmd_schema)

    reference = commands.add_parser(
        "reference", help="print the spec field reference or the command reference (Markdown)"
    )
    reference.add_argument(
        "--commands",
        action="store_true",
        help="the command reference (every command, argument and option) instead",
    )
    reference.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help="replace the generated section of this Markdown file (make docs: "
        "docs/spec-reference.md, docs/commands.md)",
    )
    reference.set_defaults(func=cmd_reference)

    init = commands.add_parser(
        "init", help="write a new spec and a starter buildspec.yml (never overwrites a file)"
    )
    init.add_argument(
        "name", nargs="?", metavar="NAME", help="service name (default: from the repository)"
    )
    init.add_argument(
        "--provider",
        choices=["bitbucket", "github"],
        help="Git host (default: from the repository URL, which it must agree with)",
    )
    init.add_argument("--deploy", choices=["ecs", "s3"], default="ecs", help="(default: ecs)")
    init.add_argument(
        "--url",
        metavar="URL",
        help="repository clone URL (default: git remote get-url origin)",
    )
    init.add_argument(
        "--specs",
        type=Path,
        default=DEFAULT_SPECS,
        metavar="DIR",
        help="the specs repository (its root or its specs/ folder) the spec goes to "
        "(default: specs/)",
    )
    init.add_argument(
        "--connection",
        metavar="ARN",
        help="CodeConnections ARN CodeBuild uses to reach the repository (default: the "
        "account's source credential from the bootstrap stack)",
    )
    init.set_defaults(func=cmd_init)

    init_repo = commands.add_parser(
        "init-repo",
        help="start a team's specs repository: specs/, templates/, schema, pre-commit hook, "
        "README (never overwrites a file)",
    )
    init_repo.add_argument(
        "dir", type=Path, nargs="?", default=Path("."), metavar="DIR", help="(default: .)"
    )
    init_repo.set_defaults(func=cmd_init_repo)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SpecErrors as exc:
        print(str(exc), file=sys.stderr)
        count = len(exc.errors)
        print(f"{count} error(s) in the specs; nothing written", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so in one line, keep the traceback on request
        if os.environ.get("PIPELINE_GENERATOR_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (a bug in the generator; rerun with "
            "PIPELINE_GENERATOR_DEBUG=1 for the traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
