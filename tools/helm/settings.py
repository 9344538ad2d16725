"""Helm settings: which binary, which repositories, where local charts live.

Plain data handed in by the core from the config file; this module reads no
files and no environment variables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

CONFIG_KEY = "helm.binary"
# Reads that talk to the cluster or to a repository index should be quick.
READ_TIMEOUT_S = 60.0


@dataclasses.dataclass(frozen=True)
class HelmSettings:
    """`repositories` maps an allowed repository name to its URL; `oci://` URLs allow a registry prefix.

    `home` (optional) holds helm's config, cache and data directories, so the
    bot's repositories are its own and not the host user's.
    """

    binary: str = "helm"
    repositories: Mapping[str, str] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    chart_dir: Path = Path("./charts")
    timeout_s: float = 300
    home: Path | None = None

    @property
    def read_timeout_s(self) -> float:
        return min(READ_TIMEOUT_S, self.timeout_s)

    def oci_prefixes(self) -> list[str]:
        return [url.rstrip("/") for url in self.repositories.values() if url.startswith("oci://")]

    def index_repositories(self) -> dict[str, str]:
        """The repositories `helm repo add` can add (OCI registries need no adding)."""
        return {name: url for name, url in self.repositories.items() if not url.startswith("oci://")}
