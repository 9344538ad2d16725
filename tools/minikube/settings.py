"""minikube settings: which binary, where image build contexts live, how long to wait.

Plain data handed in by the core from the config file; this module reads no
files and no environment variables.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

CONFIG_KEY = "minikube.binary"
READ_TIMEOUT_S = 60.0


@dataclasses.dataclass(frozen=True)
class MinikubeSettings:
    """`timeout_s` bounds the long operations (start can take minutes); reads wait at most a minute."""

    binary: str = "minikube"
    build_dir: Path = Path("./images")
    timeout_s: float = 900

    @property
    def read_timeout_s(self) -> float:
        return min(READ_TIMEOUT_S, self.timeout_s)
