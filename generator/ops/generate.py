"""Spec files -> stacks -> {file name: text}: validation, composition and rendering
of a whole run, all specs or none. Large runs spread specs over all cores."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..render.formats import RENDERERS, template_data
from ..spec.errors import SpecError, SpecErrors
from ..spec.loader import load_spec_file
from ..spec.model import Spec
from ..spec.sources import FORMATS, spec_name
from ..spec.validate import spec_warnings, validate_spec
from ..stack.accounts import tools_account
from ..stack.bootstrap import GIT_HOSTS, compose_bootstrap, file_stem
from ..stack.compose import compose, tag_every_resource
from ..stack.delivery import compose_delivery, delivery_stem, uses_delivery_key
from ..stack.deployer import STEM as DEPLOYER_STEM
from ..stack.deployer import compose_deployer
from ..stack.naming import stack_name
from ..stack.overrides import apply_overrides
from ..stack.regions import compose_regional, regional_groups, regional_stem
from ..stack.stackset import compose_stackset
from ..stack.targets import compose_targets, targets_stack_name
from .incremental import BOOTSTRAP_SOURCE, DELIVERY_SOURCE

# Below this many specs per core, forking workers costs more than it saves.
PER_WORKER_MIN = 16


@dataclass(frozen=True)
class Stack:
    name: str
    spec_file: str
    data: dict[str, Any]


@dataclass
class LoadedFile:
    """One spec file's outcome: its spec, or the errors that stop it."""

    path: Path
    spec: Spec | None
    errors: list[SpecError]
    service_position: tuple[int, int] = (1, 1)
    warnings: list[SpecError] = field(default_factory=list)
    url_position: tuple[int, int] = (1, 1)

    @property
    def stack_names(self) -> list[str]:
        if self.spec is None:
            return []
        return [stack_name(self.spec.service, env) for env in self.spec.stack_environments] + (
            [targets_stack_name(self.spec)] if has_targets(self.spec) else []
        )


def load_file(path: Path) -> LoadedFile:
    try:
        loaded = load_spec_file(path)
        spec = validate_spec(loaded)
        return LoadedFile(
            path,
            spec,
            [],
            loaded.position(("service",)),
            warnings=spec_warnings(loaded),
            url_position=loaded.position(("repository", "url")),
        )
    except SpecErrors as exc:
        return LoadedFile(path, None, exc.errors)


def run_errors(files: Sequence[LoadedFile]) -> list[SpecError]:
    """Every file's errors, plus one for each spec that would write a stack another
    spec already writes (naming both files)."""
    errors = [error for file in files for error in file.errors]
    first: dict[str, Path] = {}
    for file in files:
        for name in file.stack_names:
            if name in first and first[name] != file.path:
                line, column = file.service_position
                errors.append(
                    SpecError(
                        str(file.path),
                        line,
                        column,
                        "service",
                        f'stack "{name}" is also built from {first[name]}; each stack needs '
                        "a unique service and environment",
                    )
                )
            first.setdefault(name, file.path)
    return errors


def load_specs(paths: Iterable[Path]) -> list[tuple[Path, Spec]]:
    """Validated specs, or SpecErrors with every problem of every file."""
    files = [load_file(path) for path in paths]
    errors = run_errors(files)
    if errors:
        raise SpecErrors(errors)
    return [(file.path, file.spec) for file in files if file.spec is not None]


def stack_data(spec: Spec, env: str, spec_file: str = "") -> dict[str, Any]:
    """The stack's template as data: composed, then the spec's overrides merged in (the
    spec's, then the environment's), before any check sees it. spec_file: the spec's path
    under the specs root (sources.spec_name)."""
    layers = [spec.overrides]
    if env in spec.environments:
        layers.append(spec.environments[env].overrides)
    return apply_overrides(template_data(compose(spec, env, spec_file)), *layers)


def has_targets(spec: Spec) -> bool:
    """A multi-account spec with an environment in another account: it has a roles
    template (or the StackSet that rolls it out)."""
    return spec.delivery is not None and bool(spec.target_environments)


def targets_data(spec: Spec, spec_file: str = "") -> dict[str, Any]:
    """`<service>-targets`: the roles template, or its StackSet; the spec's overrides merged."""
    assert spec.delivery is not None
    if spec.delivery.target_roles == "stackset":
        template = compose_stackset(spec, spec_file)
    else:
        template = compose_targets(spec, spec_file)
        tag_every_resource(template, spec)
    return apply_overrides(template_data(template), spec.overrides)


def stackset_body_items(spec: Spec) -> list[tuple[str, str]]:
    """The roles template inside a StackSet's TemplateBody, linted like a file of its own
    (cfn-lint does not read a TemplateBody string); written nowhere."""
    assert spec.delivery is not None
    if spec.delivery.target_roles != "stackset":
        return []
    body = RENDERERS["json"](template_data(compose_targets(spec)))
    return [(f"{targets_stack_name(spec)}.template-body.json", body)]


def delivery_stacks(specs: Iterable[Spec]) -> list[Stack]:
    """One `delivery-<account>` template per tools account whose cross-account pipelines
    use the delivery key (no kms_key of their own)."""
    by_account: dict[str, list[Spec]] = {}
    for spec in specs:
        if uses_delivery_key(spec):
            by_account.setdefault(tools_account(spec), []).append(spec)
    return [
        Stack(delivery_stem(account), "", template_data(compose_delivery(account, members)))
        for account, members in sorted(by_account.items())
    ]


def regional_stacks(specs: Iterable[Spec]) -> list[Stack]:
    """One `regional-<region>` template per (tools account, Region) that pipelines deploy
    to by name: their artifact store there."""
    return [
        Stack(
            regional_stem(account, region),
            "",
            template_data(compose_regional(account, region, members)),
        )
        for (account, region), members in regional_groups(list(specs)).items()
    ]


def compose_stacks(
    specs: list[tuple[Path, Spec]], names: Mapping[Path, str] | None = None
) -> list[Stack]:
    """Every stack of every spec; names: each spec file's path under the specs root
    (sources.spec_names), else sources.spec_name(file)."""
    named = names or {}
    stacks = []
    for file, spec in specs:
        name = named.get(file) or spec_name(file)
        stacks += [
            Stack(stack_name(spec.service, env), str(file), stack_data(spec, env, name))
            for env in spec.stack_environments
        ]
        if has_targets(spec):
            stacks.append(Stack(targets_stack_name(spec), str(file), targets_data(spec, name)))
    return stacks


def render_stacks(stacks: Iterable[Stack], fmt: str) -> dict[str, str]:
    """{'<stack>.<ext>': text} for every stack in the chosen formats."""
    return {
        f"{stack.name}.{ext}": RENDERERS[ext](stack.data)
        for stack in stacks
        for ext in FORMATS[fmt]
    }


@dataclass
class Generated:
    """Everything one run writes, and what it lints."""

    files: dict[str, str] = field(default_factory=dict)  # template file name -> text
    by_spec: dict[Path, dict[str, str]] = field(default_factory=dict)  # spec -> its files
    lint_items: list[tuple[str, str]] = field(default_factory=list)  # one text per stack
    warnings: list[SpecError] = field(default_factory=list)


def _build_file(job: tuple[Path, str, str]) -> tuple[LoadedFile, dict[str, str]]:
    """Load, validate, compose and render one spec (in a worker for large runs)."""
    path, name, fmt = job
    file = load_file(path)
    if file.spec is None:
        return file, {}
    stacks = compose_stacks([(path, file.spec)], {path: name})
    return file, render_stacks(stacks, fmt)


def _build_files(
    paths: Sequence[Path], names: Mapping[Path, str], fmt: str
) -> list[tuple[LoadedFile, dict[str, str]]]:
    jobs = [(path, names.get(path) or spec_name(path), fmt) for path in paths]
    workers = min(os.cpu_count() or 1, len(jobs) // PER_WORKER_MIN)
    if workers < 2:
        return [_build_file(job) for job in jobs]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_build_file, jobs, chunksize=max(1, len(jobs) // (workers * 4)))


def generate(
    paths: Sequence[Path],
    fmt: str,
    *,
    bootstrap: bool,
    names: Mapping[Path, str] | None = None,
) -> Generated:
    """Every template the specs build (and the account bootstrap template when asked),
    or SpecErrors naming every problem. names: each spec's path under the specs root
    (sources.spec_names), recorded in its templates."""
    built = _build_files(paths, names or {}, fmt)
    errors = run_errors([file for file, _ in built])
    if errors:
        raise SpecErrors(errors)
    generated = Generated()
    if bootstrap:
        loaded = [file for file, _ in built]
        stacks = bootstrap_stacks(providers_used(loaded), any_cross_account(loaded))
        files = render_stacks(stacks, fmt)
        generated.files |= files
        generated.by_spec[BOOTSTRAP_SOURCE] = files
        generated.lint_items += [_lint_item(stack.name, files) for stack in stacks]
    generated.warnings += run_warnings([file for file, _ in built])
    specs = [file.spec for file, _ in built if file.spec is not None]
    stacks = delivery_stacks(specs) + regional_stacks(specs)
    files = render_stacks(stacks, fmt)
    generated.files |= files
    generated.by_spec[DELIVERY_SOURCE] = files
    generated.lint_items += [_lint_item(stack.name, files) for stack in stacks]
    for file, files in built:
        generated.files |= files
        generated.by_spec[file.path] = files
        generated.lint_items += [_lint_item(name, files) for name in file.stack_names]
        if file.spec is not None and has_targets(file.spec):
            generated.lint_items += stackset_body_items(file.spec)
    return generated


def run_warnings(files: Sequence[LoadedFile]) -> list[SpecError]:
    """The run's warnings, each once: every spec's own, and those about specs together."""
    return webhook_limit_warnings(files) + [w for file in files for w in file.warnings]


def warnings_of(paths: Sequence[Path]) -> list[SpecError]:
    """What `build` warns about these specs, without composing them: for a run whose
    templates are up to date, so it shows the same warnings as the run that wrote them."""
    return run_warnings([load_file(path) for path in paths])


# GitHub: "you can only create up to 20 webhooks that subscribe to each individual event
# type" per repository (GitHub docs, about-webhooks-for-repositories). Each CodeBuild
# project with a webhook creates one (a project has one webhook: CodeBuild API, CreateWebhook).
GITHUB_WEBHOOKS_PER_EVENT = 20


def _repository_key(url: str) -> str:
    return url.lower().removesuffix("/").removesuffix(".git")


def webhook_limit_warnings(files: Sequence[LoadedFile]) -> list[SpecError]:
    """One warning per GitHub repository whose specs together would need more webhooks
    than GitHub allows, on the first of them, naming them all."""
    on_repository: dict[str, list[LoadedFile]] = {}
    for file in files:
        if file.spec is not None and file.spec.repository.provider == "github":
            key = _repository_key(file.spec.repository.url)
            on_repository.setdefault(key, []).append(file)
    warnings = []
    for key, sharing in sorted(on_repository.items()):
        hooks = sum(len(f.spec.stack_environments) for f in sharing if f.spec is not None)
        if hooks <= GITHUB_WEBHOOKS_PER_EVENT:
            continue
        first = min(sharing, key=lambda f: str(f.path))
        names = ", ".join(sorted(str(f.path) for f in sharing))
        line, column = first.url_position
        warnings.append(
            SpecError(
                str(first.path),
                line,
                column,
                "repository.url",
                f"warning: {hooks} CodeBuild webhooks on {key} from {names} (one per "
                f"environment, one for checks); GitHub allows {GITHUB_WEBHOOKS_PER_EVENT} "
                "per event per repository, so the stacks deployed last cannot create "
                "theirs; put fewer environments on this repository",
            )
        )
    return warnings


def providers_used(files: Sequence[LoadedFile]) -> set[str]:
    """The Git hosts the specs' repositories are on."""
    return {file.spec.repository.provider for file in files if file.spec is not None}


def any_cross_account(files: Sequence[LoadedFile]) -> bool:
    return any(file.spec is not None and has_targets(file.spec) for file in files)


def bootstrap_stacks(
    providers: Iterable[str] = GIT_HOSTS, named_artifact_buckets: bool = False
) -> list[Stack]:
    """One account bootstrap template per Git host the specs use, and the CloudFormation
    execution role (which may also create named artifact buckets when a spec deploys
    across accounts)."""
    return [
        *(
            Stack(file_stem(provider), "", template_data(compose_bootstrap(provider)))
            for provider in GIT_HOSTS
            if provider in providers
        ),
        Stack(DEPLOYER_STEM, "", template_data(compose_deployer(named_artifact_buckets))),
    ]


def _lint_item(stem: str, files: dict[str, str]) -> tuple[str, str]:
    """The JSON file when written (its YAML twin is checked to read back the same), else
    the YAML file."""
    name = f"{stem}.json" if f"{stem}.json" in files else f"{stem}.yaml"
    return name, files[name]
