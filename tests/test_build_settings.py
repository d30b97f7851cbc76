"""Build settings (image, arch, cache, VPC, certificate, submodules), monorepo paths and
overrides, in the example stacks (specs/platform/inventory-api.yml uses all of them) and
as units."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from generator.aws.images import Image, classify
from generator.cli import main
from generator.stack.codebuild import path_pattern
from generator.stack.overrides import apply_overrides, deep_merge

from .conftest import SPECS


def _stack(stacks: list[Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in stacks if s.name == name]
    return dict(found.data["Resources"])


@pytest.mark.parametrize(
    "image, kind",
    [
        ("aws/codebuild/standard:7.0", "curated"),
        ("aws/codebuild/amazonlinux2-aarch64-standard:3.0", "curated"),  # the old alias
        ("node:20-alpine", "public"),
        ("docker.io/library/python:3.12", "public"),
        ("public.ecr.aws/docker/library/gradle:8-jdk21", "public"),
        ("ghcr.io/acme/builder@sha256:" + "a" * 64, "public"),
        ("111122223333.dkr.ecr.eu-west-1.amazonaws.com/ci/base:1.2", "ecr"),
        ("111122223333.dkr.ecr.eu-west-1.amazonaws.com/base@sha256:" + "0" * 64, "ecr"),
    ],
)
def test_images_we_accept(image: str, kind: str) -> None:
    found = classify(image)
    assert isinstance(found, Image) and found.kind == kind


@pytest.mark.parametrize(
    "image",
    [
        "aws/codebuild/standard:4.0",
        "aws/codebuild/amazonlinux2-x86_64-standard:3.0",
        "aws/codebuild/standard:99.0",
        "aws/codebuild/windows-base:2019-3.0",
        "not an image at all!!",
        "registry.example.com:5000/team/image:1",  # a private registry needs credentials
        "111122223333.dkr.ecr.eu-west-1.amazonaws.com/Upper:1",
    ],
)
def test_images_we_refuse(image: str) -> None:
    assert isinstance(classify(image), str)


def test_the_private_image_repository_is_parsed() -> None:
    found = classify("111122223333.dkr.ecr.eu-west-1.amazonaws.com/ci/gradle-jdk21:2026.11")
    assert found == Image("ecr", None, "111122223333", "eu-west-1", "ci/gradle-jdk21")


@pytest.mark.parametrize(
    "globs, matches, misses",
    [
        (
            ["services/orders/**"],
            ["services/orders/a.py", "services/orders/x/y.py"],
            ["services/ordersx/a"],
        ),
        (["*.md"], ["README.md"], ["docs/README.md", "READMEmd"]),
        (["docs/**/*.md"], ["docs/a.md", "docs/x/y/a.md"], ["docs/a.txt"]),
        (["src/?.c"], ["src/a.c"], ["src/ab.c", "src//.c"]),
        (["build.gradle.kts"], ["build.gradle.kts"], ["buildXgradle.kts"]),
    ],
)
def test_path_globs_become_anchored_patterns(
    globs: list[str], matches: list[str], misses: list[str]
) -> None:
    pattern = re.compile(path_pattern(globs))
    assert all(pattern.match(path) for path in matches)
    assert not any(pattern.match(path) for path in misses)


def test_a_monorepo_service_uses_every_build_setting(pipeline_stacks) -> None:
    dev = _stack(pipeline_stacks, "inventory-api-dev")
    build = dev["BuildProject"]["Properties"]
    environment = build["Environment"]
    assert environment["Type"] == "ARM_CONTAINER"
    assert environment["ImagePullCredentialsType"] == "SERVICE_ROLE"
    assert environment["Certificate"] == "acme-ci-certs/corp-root-ca.pem"
    assert build["Cache"] == {"Type": "S3", "Location": {"Fn::Sub": "${ArtifactBucket}/cache"}}
    assert build["VpcConfig"]["Subnets"] == ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
    bridge = dev["BridgeProject"]["Properties"]
    assert bridge["Source"]["GitSubmodulesConfig"] == {"FetchSubmodules": True}
    assert "VpcConfig" not in bridge  # the bridge talks to the Git host and S3 only
    for group in bridge["Triggers"]["FilterGroups"]:
        assert group[-1] == {
            "Type": "FILE_PATH",
            "Pattern": "^(services/inventory/.*|libs/common/.*|build\\.gradle\\.kts(/.*)?)$",
        }
    # Overrides: the spec's everywhere, the environment's only in its stack.
    prod = _stack(pipeline_stacks, "inventory-api-prod")["BuildProject"]["Properties"]
    assert build["ConcurrentBuildLimit"] == prod["ConcurrentBuildLimit"] == 2
    assert "QueuedTimeoutInMinutes" not in build and prod["QueuedTimeoutInMinutes"] == 60


def test_local_cache_and_arm64_curated_images(pipeline_stacks) -> None:
    billing = _stack(pipeline_stacks, "billing-worker-dev")["BuildProject"]["Properties"]
    assert billing["Cache"] == {
        "Type": "LOCAL",
        "Modes": ["LOCAL_SOURCE_CACHE", "LOCAL_DOCKER_LAYER_CACHE"],
    }
    storefront = _stack(pipeline_stacks, "storefront-web-prod")["BuildProject"]["Properties"]
    assert storefront["Environment"]["Type"] == "ARM_CONTAINER"
    assert "ImagePullCredentialsType" not in storefront["Environment"]


def test_deep_merge_merges_mappings_and_replaces_everything_else() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert deep_merge(base, {"a": {"c": [3]}, "e": 2}) == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}
    assert deep_merge(base, {"a": {"b": None}}) == {"a": {"c": [1, 2]}, "d": 1}
    template = {"Resources": {"X": {"Type": "T", "Properties": {"P": 1}}}}
    merged = apply_overrides(template, {"X": {"Properties": {"Q": 2}}, "Y": {}})
    assert merged["Resources"]["X"]["Properties"] == {"P": 1, "Q": 2}
    assert template["Resources"]["X"]["Properties"] == {"P": 1}  # the input is untouched


def test_overrides_are_merged_before_every_check(tmp_path: Path, capsys) -> None:
    spec = (SPECS / "storefront-web.yaml").read_text()
    spec += "overrides:\n  BuildProject:\n    Properties: {TimeoutInMinutes: 100000}\n"
    (tmp_path / "s.yaml").write_text(spec)
    assert main(["build", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "out")]) == 1
    # cfn-lint sees the overridden value (it used to name TimeoutInMinutes only through
    # the BuildTimeoutInMinutes parameter the override left unused).
    assert "[E3034] 100000 is greater than the maximum" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
