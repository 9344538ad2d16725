"""Impersonation headers on every request of one API client.

The kubernetes client keeps its headers in a plain dict, which cannot hold
the several `Impersonate-Group` lines Kubernetes expects (one line per group;
a comma-joined value would be read as one group). This wrapper sits in front
of the client's urllib3 pool manager and adds the headers as an
`HTTPHeaderDict`, which urllib3 sends as separate lines. It must not log or
alter anything else about the request.
"""

from __future__ import annotations

from typing import Any

from urllib3 import HTTPHeaderDict

from tools.base import KubeIdentity


class ImpersonatingPoolManager:
    """Delegates to a urllib3 pool manager, adding the identity's headers."""

    def __init__(self, inner: Any, identity: KubeIdentity) -> None:
        self._inner = inner
        self._identity = identity

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        headers = HTTPHeaderDict(kwargs.get("headers") or {})
        for name in [n for n in headers if n.lower().startswith("impersonate-")]:
            del headers[name]
        headers["Impersonate-User"] = self._identity.user
        for group in self._identity.groups:
            headers.add("Impersonate-Group", group)
        kwargs["headers"] = headers
        return self._inner.request(method, url, *args, **kwargs)

    def clear(self) -> None:
        self._inner.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def impersonate(api_client: Any, identity: KubeIdentity) -> None:
    """Make every later request of `api_client` carry `identity`."""
    rest = api_client.rest_client
    rest.pool_manager = ImpersonatingPoolManager(rest.pool_manager, identity)
