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


def kubeconfig_problem(path: Path | None = None) -> str | None:
    """What is wrong with the default kubeconfig (KUBECONFIG or ~/.kube/config), or None.

    None also when no kubeconfig is named and ~/.kube/config does not exist: then nothing
    is configured, which is not a fault."""
    path = path or default_kubeconfig_path()
    named = bool(os.environ.get("KUBECONFIG"))
    where = f"KUBECONFIG names {path}" if named else f"{path}"
    if not path.exists():
        return f"{where}, which does not exist; point KUBECONFIG at a kubeconfig file" if named else None
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError) as e:
        return f"{where}, which cannot be read ({type(e).__name__}); check its permissions"
    except yaml.YAMLError:
        return f"{where}, which is not valid YAML; fix it or point KUBECONFIG at another file"
    if not isinstance(document, dict) or not [
        c for c in document.get("contexts") or [] if isinstance(c, dict)
    ]:
        return f"{where}, which has no contexts; it is not a kubeconfig"
    return None


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
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
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
                problem = kubeconfig_problem()
                raise UnknownCluster(
                    f"no cluster is usable: {problem}"
                    if problem
                    else "no cluster is configured: add one under 'clusters' in the config or set KUBECONFIG"
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
