"""Benchmark: cold build, warm no-op build and check over N synthetic stacks.

    python bench/bench.py [N ...] [--json FILE]        (make bench: N = 10 100 500)

Each N gets N/2 generated services with two environments each (a mix of
providers, deploy targets, secrets, ECR pushes and approvals) in a temporary
folder. Every measured command is a fresh `python -m generator` process, as a
user or a pre-commit hook runs it; peak RSS is the largest sum over the process
and its lint workers, sampled from /proc every 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SIZES = (10, 100, 500)


def synthetic_spec(i: int) -> dict[str, Any]:
    """The i-th of a varied but deterministic family of specs (two environments)."""
    github = i % 3 == 0
    host = "github.com" if github else "bitbucket.org"
    spec: dict[str, Any] = {
        "service": f"svc-{i:04d}",
        "repository": {
            "provider": "github" if github else "bitbucket",
            "url": f"https://{host}/acme/svc-{i:04d}.git",
        },
        "build": {
            "compute": ["small", "medium", "large"][i % 3],
            "privileged": i % 2 == 0,
            "variables": {"APP_ENV": "cloud", "SERVICE_INDEX": str(i)},
            "secrets": {f"SECRET_{k}": f"ssm:/svc-{i:04d}/secret-{k}" for k in range(i % 4)},
            "ecr": [f"svc-{i:04d}"] if i % 2 == 0 else [],
        },
        "logs": {"retention": [7, 30, 90][i % 3]},
        "tags": {"team": f"team-{i % 7}"},
    }
    if i % 5 == 0:
        spec["repository"]["connection"] = (
            "arn:aws:codeconnections:eu-west-1:111122223333:connection/"
            f"00000000-0000-4000-8000-{i:012d}"
        )

    def deploy(env: str) -> dict[str, Any]:
        if i % 2 == 0:
            return {
                "ecs": {
                    "cluster": env,
                    "service": f"svc-{i:04d}",
                    "task_roles": [f"svc-{i:04d}-task"],
                }
            }
        return {"s3": {"bucket": f"acme-svc-{i:04d}-{env}"}}

    events = ["push", "pull-request-created"] if i % 4 == 1 else ["push"]
    spec["environments"] = {
        "dev": {"branch": "develop", "events": events, "deploy": deploy("dev")},
        "prod": {"branch": "main", "approval": i % 2 == 1, "deploy": deploy("prod")},
    }
    return spec


def write_specs(folder: Path, stacks: int) -> None:
    folder.mkdir(parents=True)
    for i in range((stacks + 1) // 2):
        (folder / f"svc-{i:04d}.yaml").write_text(yaml.safe_dump(synthetic_spec(i)))


def _tree_rss_kib(pid: int) -> int:
    """VmRSS of pid and all its descendants, in KiB (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack += [int(child) for child in children]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measure(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall time and peak tree RSS of one generator run; raises if it fails."""
    return measure_command([sys.executable, "-m", "generator", *args], env)


def measure_command(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall time and peak tree RSS of one command; raises if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        tail = "\n".join((out + err).splitlines()[-20:])
        raise RuntimeError(f"{' '.join(command)} failed:\n{tail}")
    return {"wall_s": round(wall, 3), "peak_rss_mb": round(peak / 1024, 1)}


def bench_size(stacks: int, work: Path) -> list[dict[str, Any]]:
    specs, out, cache = work / f"specs-{stacks}", work / f"out-{stacks}", work / f"cache-{stacks}"
    write_specs(specs, stacks)
    env = dict(os.environ, PIPELINE_GENERATOR_CACHE=str(cache))
    no_cache = dict(os.environ, PIPELINE_GENERATOR_CACHE="off")
    build, check = ["build", str(specs), "-o", str(out)], ["check", str(specs), "-o", str(out)]
    runs = [
        ("cold build", measure(build, env)),
        ("cfn-lint alone, same templates (floor)", cfn_lint_floor(out)),
        ("warm no-op build", measure(build, env)),
        ("check (cached)", measure(check, env)),
        ("check (no cache)", measure(check, no_cache)),
    ]
    return [
        {
            "stacks": stacks,
            "run": name,
            **result,
            "ms_per_stack": round(1000 * result["wall_s"] / stacks, 1),
        }
        for name, result in runs
    ]


def cfn_lint_floor(out: Path) -> dict[str, float]:
    """Plain cfn-lint (with this product's rules, informational checks on) over the JSON
    templates a build lints, split over one process per core: the cost a build cannot go
    below while it lints every template."""
    files = sorted(str(p) for p in out.glob("*.json"))
    cores = os.cpu_count() or 1
    groups = [files[i::cores] for i in range(cores) if files[i::cores]]
    script = (
        "import subprocess, sys\n"
        "groups = [g.split('\\n') for g in sys.argv[1:]]\n"
        "cfn_lint = sys.executable.rsplit('/', 1)[0] + '/cfn-lint'\n"
        "procs = [subprocess.Popen([cfn_lint, *g, '--include-checks', 'I',\n"
        "    '--append-rules', 'generator.checks.rules'], stdout=subprocess.DEVNULL)\n"
        "    for g in groups]\n"
        "sys.exit(max(p.wait() for p in procs))\n"
    )
    command = [sys.executable, "-c", script, *("\n".join(g) for g in groups)]
    return measure_command(command, dict(os.environ))


def startup(work: Path) -> dict[str, Any]:
    """One spec (two stacks), cold: imports, rule loading, lint, write."""
    specs, out = work / "specs-startup", work / "out-startup"
    write_specs(specs, 2)
    env = dict(os.environ, PIPELINE_GENERATOR_CACHE="off")
    result = measure(["build", str(specs / "svc-0000.yaml"), "-o", str(out)], env)
    return {
        "stacks": 2,
        "run": "start-up: one spec, cold",
        **result,
        "ms_per_stack": round(500 * result["wall_s"], 1),
    }


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| stacks | run | wall (s) | per stack (ms) | peak RSS (MB) |",
        "|---:|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['stacks']} | {r['run']} | {r['wall_s']:.2f} | {r['ms_per_stack']:.1f} "
        f"| {r['peak_rss_mb']:.0f} |"
        for r in rows
    ]
    return "\n".join(lines)


def run(sizes: list[int], json_path: Path | None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="generator-bench-") as tmp:
        work = Path(tmp)
        rows = [startup(work)]
        for stacks in sizes:
            rows += bench_size(stacks, work)
            print(f"  {stacks} stacks measured", file=sys.stderr)
    print(f"Machine: {machine()}\n")
    print(table(rows))
    for stacks in sizes:
        build, floor = (
            next(r["wall_s"] for r in rows if r["stacks"] == stacks and r["run"] == name)
            for name in ("cold build", "cfn-lint alone, same templates (floor)")
        )
        print(f"{stacks} stacks: cold build / cfn-lint floor = {build / floor:.2f}")
    if json_path is not None:
        json_path.write_text(json.dumps({"machine": machine(), "results": rows}, indent=2) + "\n")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sizes",
        nargs="*",
        type=int,
        default=list(DEFAULT_SIZES),
        metavar="N",
        help="stack counts (default: 10 100 500)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=Path("bench/results.json"),
        help="where to write the results (default: bench/results.json)",
    )
    args = parser.parse_args(argv)
    run(args.sizes, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
