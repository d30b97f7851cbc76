"""Install AWS CloudFormation Guard and the AWS Control Tower proactive-control rules.

Both come from one pinned npm tarball, @cdklabs/cdk-validator-cfnguard, which ships
the cfn-guard binaries for Linux and macOS and the Control Tower rule files; it is
used without CDK. The tarball is checked against its SHA-256 before it is unpacked.

    python scripts/install_cfn_guard.py VERSION SHA256 DEST
"""

from __future__ import annotations

import hashlib
import io
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "@cdklabs/cdk-validator-cfnguard"
TARBALL = "https://registry.npmjs.org/{name}/-/cdk-validator-cfnguard-{version}.tgz"


def download(version: str) -> bytes:
    url = TARBALL.format(name=PACKAGE, version=version)
    with urllib.request.urlopen(url, timeout=120) as response:
        return bytes(response.read())


def unpack(data: bytes, dest: Path) -> None:
    """Unpack into a sibling folder, then rename: an interrupted run leaves no half tool."""
    staging = dest.with_name(dest.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(staging, filter="data")
    shutil.rmtree(dest, ignore_errors=True)
    (staging / "package").rename(dest)
    shutil.rmtree(staging)


def main(version: str, sha256: str, dest: str) -> int:
    data = download(version)
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        print(f"{PACKAGE}@{version}: SHA-256 {digest}, expected {sha256}", file=sys.stderr)
        return 1
    unpack(data, Path(dest))
    for binary in Path(dest).glob("bin/*/*/cfn-guard"):
        binary.chmod(0o755)
    print(f"installed {PACKAGE}@{version} in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
