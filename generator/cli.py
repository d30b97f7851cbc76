"""Command line: build, check, lint, diff, deploy, deploy-all, schema, reference
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
from .errors import SpecErrors
from .incremental import expected_outputs, matches_disk, record_clean_build
from .output import stale_files, write_all
from .sources import FORMATS, discover

DEFAULT_SPECS = Path("specs")
DEFAULT_OUT = Path("templates")
TEMPLATE_SUFFIXES = (".json", ".yaml")

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _extra_templates(args: argparse.Namespace, names: set[str]) -> list[str]:
    """With the default spec folder, a template that no spec builds is stale too."""
    if args.paths or not args.output.is_dir():
        return []
    return [
        f"{path}: not built from any spec in {DEFAULT_SPECS}"
        for path in sorted(args.output.iterdir())
        if path.suffix in TEMPLATE_SUFFIXES and path.name not in names
    ]


def _with_bootstrap(args: argparse.Namespace) -> bool:
    """The account bootstrap template is part of a whole-folder run (`make templates`), not
    of a run over named specs."""
    return not args.paths


def _variant(args: argparse.Namespace) -> str:
    """What, besides the specs, decides a build's output and whether it passed."""
    return args.format + ("+allow-large" if getattr(args, "allow_large", False) else "")


def _cached_up_to_date(args: argparse.Namespace, spec_files: list[Path]) -> int | None:
    """The number of templates when the last clean build's output is still in place."""
    expected = expected_outputs(spec_files, _variant(args), bootstrap=_with_bootstrap(args))
    if expected is None or not matches_disk(args.output, expected):
        return None
    if _extra_templates(args, set(expected)):
        return None
    return len(expected)


def cmd_build(args: argparse.Namespace) -> int:
    spec_files = discover(args.paths or [DEFAULT_SPECS])
    cached = _cached_up_to_date(args, spec_files)
    if cached is not None:
        print(f"{cached} template(s) in {args.output} up to date (no spec or generator change)")
        return EXIT_OK
    from .deploy import oversized
    from .generate import generate
    from .lint import lint_texts
    from .render import check_round_trip

    generated = generate(spec_files, args.format, bootstrap=_with_bootstrap(args))
    for warning in sorted(generated.warnings):
        print(warning, file=sys.stderr)
    findings = lint_texts(generated.lint_items, progress=True)
    findings += check_round_trip(generated.files)
    if not args.allow_large:
        findings += oversized(generated.files)
    if findings:
        print("\n".join(findings), file=sys.stderr)
        print(f"{len(findings)} lint finding(s); nothing written", file=sys.stderr)
        return EXIT_FINDINGS
    written = write_all(args.output, generated.files)
    record_clean_build(generated.by_spec, _variant(args))
    count = len(generated.files)
    print(f"{count} template(s) in {args.output}, {len(written)} changed, lint clean")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    spec_files = discover(args.paths or [DEFAULT_SPECS])
    cached = _cached_up_to_date(args, spec_files)
    if cached is not None:
        print(f"{cached} template(s) in {args.output} are up to date")
        return EXIT_OK
    from .generate import generate

    files = generate(spec_files, args.format, bootstrap=_with_bootstrap(args)).files
    problems = stale_files(args.output, files) + _extra_templates(args, set(files))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("templates are stale: run `make templates`", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"{len(files)} template(s) in {args.output} are up to date")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from .diff import resource_changes
    from .generate import compose_stacks, load_specs
    from .lint import read_template

    stacks = {
        s.name: s for s in compose_stacks(load_specs(discover(args.paths or [DEFAULT_SPECS])))
    }
    changed = 0
    for name in sorted(stacks):
        committed = read_template(args.output / f"{name}.json", args.output / f"{name}.yaml")
        changes = resource_changes(committed, stacks[name].data)
        if committed is None:
            print(f"{name}: new stack ({len(changes)} resources)")
        elif changes:
            print(f"{name}:")
            print("\n".join(str(c) for c in changes))
        changed += bool(changes)
    if not changed:
        print(f"{len(stacks)} stack(s): no resource changes against {args.output}")
        return EXIT_OK
    return EXIT_FINDINGS


def cmd_lint(args: argparse.Namespace) -> int:
    from .lint import lint_texts

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


def cmd_deploy(args: argparse.Namespace) -> int:
    from .deploy import DeployRefused, DeployRequest, run_deploy, run_deploy_all

    try:
        if args.command == "deploy-all":
            return run_deploy_all(
                args.output, args.environment, args.dry_run, args.parameter_overrides
            )
        request = DeployRequest(
            args.stack, args.output, args.parameter_overrides, args.dry_run, args.s3_bucket
        )
        return run_deploy(request)
    except DeployRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import spec_schema

    print(json.dumps(spec_schema(), indent=2))
    return EXIT_OK


def cmd_reference(args: argparse.Namespace) -> int:
    from .schema import spec_reference, with_reference

    if args.write is None:
        print(spec_reference())
        return EXIT_OK
    text = args.write.read_text(encoding="utf-8")
    try:
        updated = with_reference(text)
    except ValueError as exc:
        print(f"{args.write}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if updated != text:
        write_all(args.write.parent, {args.write.name: updated})
    print(f"{args.write}: field reference up to date")
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
        help="template parameters to override, passed to the AWS CLI",
    )
    sub.add_argument(
        "--dry-run", action="store_true", help="create the change set but do not execute it"
    )
    _add_output(sub)


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
        "diff", help="resources a regenerated template would add, remove, replace or update"
    )
    _add_paths(diff)
    _add_output(diff, "folder of the committed templates")
    diff.set_defaults(func=cmd_diff)

    lint = commands.add_parser("lint", help="run every build check on existing templates")
    lint.add_argument("files", nargs="+", type=Path, metavar="FILE")
    lint.set_defaults(func=cmd_lint)

    deploy = commands.add_parser("deploy", help="aws cloudformation deploy one stack")
    deploy.add_argument("stack", help="<service>-<env>, bootstrap-bitbucket or bootstrap-github")
    deploy.add_argument("--s3-bucket", help="upload the template through this bucket")
    _add_deploy_options(deploy)
    deploy.set_defaults(func=cmd_deploy)

    deploy_all = commands.add_parser("deploy-all", help="deploy every stack of one environment")
    deploy_all.add_argument("environment")
    _add_deploy_options(deploy_all)
    deploy_all.set_defaults(func=cmd_deploy)

    schema = commands.add_parser("schema", help="print the spec's JSON Schema")
    schema.set_defaults(func=cmd_schema)

    reference = commands.add_parser("reference", help="print the spec field reference (Markdown)")
    reference.add_argument(
        "--write",
        type=Path,
        metavar="README",
        help="replace the reference section of this Markdown file",
    )
    reference.set_defaults(func=cmd_reference)
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
