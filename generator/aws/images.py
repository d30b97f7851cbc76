"""Build images a spec may name, and what each needs.

Curated images: the images CodeBuild maintains and lists in its console (CodeBuild user
guide, "Docker images provided by CodeBuild",
https://docs.aws.amazon.com/codebuild/latest/userguide/ec2-compute-images.html, and the
list of actively maintained images in github.com/aws/aws-codebuild-docker-images,
README "EC2 Compute", April 2026). Deprecated images: the user guide's "Deprecated
images" page (https://docs.aws.amazon.com/codebuild/latest/userguide/deprecated-images.html),
plus the images AWS stopped maintaining. The `amazonlinux2-*` names are aliases of the
`amazonlinux-*` names since November 2024.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ARCHES = {"x86_64": "LINUX_CONTAINER", "arm64": "ARM_CONTAINER"}

CURATED_IMAGES: dict[str, str] = {
    "aws/codebuild/amazonlinux-x86_64-standard:5.0": "x86_64",
    "aws/codebuild/amazonlinux-x86_64-standard:6.0": "x86_64",
    "aws/codebuild/standard:7.0": "x86_64",
    "aws/codebuild/standard:8.0": "x86_64",
    "aws/codebuild/amazonlinux-aarch64-standard:3.0": "arm64",
    "aws/codebuild/amazonlinux-aarch64-standard:4.0": "arm64",
}

# Image -> (why it is refused, its replacement).
_UBUNTU, _AL_X86, _AL_ARM = (
    "aws/codebuild/standard:7.0",
    "aws/codebuild/amazonlinux-x86_64-standard:5.0",
    "aws/codebuild/amazonlinux-aarch64-standard:3.0",
)
DEPRECATED_IMAGES: dict[str, tuple[str, str]] = {
    "aws/codebuild/standard:1.0": ("unsupported", _UBUNTU),
    "aws/codebuild/standard:2.0": ("unsupported", _UBUNTU),
    "aws/codebuild/standard:3.0": ("deprecated on June 30, 2022", _UBUNTU),
    "aws/codebuild/standard:4.0": ("deprecated on March 31, 2023", _UBUNTU),
    "aws/codebuild/standard:5.0": ("no longer maintained (Ubuntu 20.04)", _UBUNTU),
    "aws/codebuild/standard:6.0": ("no longer maintained", _UBUNTU),
    "aws/codebuild/amazonlinux2-x86_64-standard:1.0": ("unsupported", _AL_X86),
    "aws/codebuild/amazonlinux2-x86_64-standard:2.0": ("deprecated on June 30, 2022", _AL_X86),
    "aws/codebuild/amazonlinux2-x86_64-standard:3.0": ("deprecated on May 9, 2023", _AL_X86),
    "aws/codebuild/amazonlinux-x86_64-standard:4.0": (
        "no longer maintained (Amazon Linux 2, end of life June 30, 2026)",
        _AL_X86,
    ),
    "aws/codebuild/amazonlinux2-aarch64-standard:1.0": ("deprecated on March 31, 2023", _AL_ARM),
    "aws/codebuild/amazonlinux-aarch64-standard:2.0": (
        "no longer maintained (Amazon Linux 2, end of life June 30, 2026)",
        _AL_ARM,
    ),
}

# Registries whose public images CodeBuild pulls without credentials.
PUBLIC_REGISTRIES = ("public.ecr.aws", "docker.io", "ghcr.io", "quay.io", "mcr.microsoft.com")

_NAME = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = rf"{_NAME}(?:/{_NAME})*"
_REFERENCE = r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?"
PRIVATE_ECR = re.compile(
    rf"^(?P<account>[0-9]{{12}})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com"
    rf"/(?P<repository>{_REPOSITORY}){_REFERENCE}$"
)
PUBLIC_IMAGE = re.compile(
    rf"^(?:(?:{'|'.join(re.escape(r) for r in PUBLIC_REGISTRIES)})/)?{_REPOSITORY}{_REFERENCE}$"
)


@dataclass(frozen=True)
class Image:
    kind: str  # curated | public | ecr
    arch: str | None = None  # curated images only
    account: str = ""
    region: str = ""
    repository: str = ""


def _alias(image: str) -> str:
    """`amazonlinux2-x86_64-standard:5.0` -> `amazonlinux-x86_64-standard:5.0`."""
    return image.replace("aws/codebuild/amazonlinux2-", "aws/codebuild/amazonlinux-", 1)


def _registry_problem(image: str) -> str | None:
    """Why the image's registry is refused, if it is. In Docker's reference grammar
    (distribution/reference, "reference.go") a first path component holding "." or ":",
    or "localhost", is a registry host; anything else is a Docker Hub name."""
    first, slash, rest = image.partition("/")
    if not slash:
        return None  # node:20: an official Docker Hub image
    if "." in first or ":" in first or first == "localhost":
        if first in PUBLIC_REGISTRIES:
            return None
        return (
            f"is on registry {first}, which is not a public registry this generator allows "
            f"({', '.join(PUBLIC_REGISTRIES)}); a private registry needs CodeBuild's "
            "RegistryCredential, which is not supported: copy the image to ECR "
            "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>)"
        )
    return (
        f"could be a Docker Hub image or an ECR repository written without its registry: "
        f'write "docker.io/{image}" for Docker Hub, or the full ECR name '
        f"<account>.dkr.ecr.<region>.amazonaws.com/{image}"
    )


def classify(image: str) -> Image | str:
    """What the image is, or why it is refused."""
    if image.startswith("aws/codebuild/"):
        name = _alias(image)
        if name in CURATED_IMAGES:
            return Image("curated", CURATED_IMAGES[name])
        if image in DEPRECATED_IMAGES or name in DEPRECATED_IMAGES:
            why, replacement = DEPRECATED_IMAGES.get(image) or DEPRECATED_IMAGES[name]
            return f"is {why}: use {replacement}"
        if "windows" in image or "lambda" in image or "/ami/" in image:
            return (
                "is a Windows, Lambda or EC2 image: this generator builds in Linux containers "
                "(arch x86_64 or arm64)"
            )
        return "is not a current curated CodeBuild image; current: " + ", ".join(CURATED_IMAGES)
    ecr = PRIVATE_ECR.match(image)
    if ecr:
        return Image("ecr", None, ecr["account"], ecr["region"], ecr["repository"])
    registry_problem = _registry_problem(image)
    if registry_problem:
        return registry_problem
    if PUBLIC_IMAGE.match(image):
        return Image("public")
    return (
        "must be a curated CodeBuild image (aws/codebuild/...), a public image "
        f"({', '.join(PUBLIC_REGISTRIES)}, or a Docker Hub name like node:20), or a private "
        "ECR image <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:digest]"
    )
