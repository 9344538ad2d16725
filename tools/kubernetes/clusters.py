"""Which clusters the bot may talk to: kubeconfig contexts with display names.

Shared by the Kubernetes, Helm and minikube tools (Helm and minikube get
KUBECONFIG and the context from here). Never holds credentials in memory
beyond the path of the kubeconfig file.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml


@dataclasses.dataclass(frozen=True)
class ClusterConfig:
    name: str
    kubeconfig: Path | None = None  # None: KUBECONFIG or ~/.kube/config
    context: str | None = None  # None: the kubeconfig's current context
    default_namespace: str = "default"

    def kubeconfig_path(self) -> Path:
        return self.kubeconfig or default_kubeconfig_path()


def default_kubeconfig_path() -> Path:
    env = os.environ.get("KUBECONFIG")
    if env:
        return Path(env.split(os.pathsep)[0]).expanduser()
    return Path("~/.kube/config").expanduser()


class UnknownCluster(LookupError):
    pass


class ClusterSet:
    def __init__(self, clusters: Iterable[ClusterConfig]) -> None:
        self._clusters = {c.name: c for c in clusters}

    @classmethod
    def from_default_kubeconfig(cls, path: Path | None = None) -> ClusterSet:
        """Every context of the default kubeconfig, named after the context.

        A missing or unreadable kubeconfig gives an empty set: the bot still
        starts, and cluster operations say there is no cluster configured.
        """
        path = path or default_kubeconfig_path()
        try:
            document = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            return cls([])
        if not isinstance(document, dict):
            return cls([])
        current = document.get("current-context")
        contexts = [c for c in document.get("contexts") or [] if isinstance(c, dict) and c.get("name")]
        # The current context first, so it is the default.
        contexts.sort(key=lambda c: c.get("name") != current)
        return cls(
            ClusterConfig(
                name=str(c["name"]),
                kubeconfig=path,
                context=str(c["name"]),
                default_namespace=str((c.get("context") or {}).get("namespace") or "default"),
            )
            for c in contexts
        )

    @property
    def default(self) -> ClusterConfig | None:
        return next(iter(self._clusters.values()), None)

    def get(self, name: str | None) -> ClusterConfig:
        if name is None:
            if self.default is None:
                raise UnknownCluster(
                    "no cluster is configured: add one under 'clusters' in the config or set KUBECONFIG"
                )
            return self.default
        try:
            return self._clusters[name]
        except KeyError:
            known = ", ".join(self._clusters) or "none"
            raise UnknownCluster(f"unknown cluster {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        return list(self._clusters)

    def __iter__(self) -> Iterator[ClusterConfig]:
        return iter(self._clusters.values())

    def __len__(self) -> int:
        return len(self._clusters)
