"""Async access to one cluster through the official `kubernetes` client.

`KubeClients` builds one `ApiClient` per (cluster, identity) from the
kubeconfig and caches it; `KubeClient` makes requests with it. Every blocking
call runs in `asyncio.to_thread`, bounded both by `_request_timeout` and by
`asyncio.wait_for`. Responses come back as plain JSON dicts shaped like the
API's objects (what redaction and re-apply expect). Failures are raised as
`tools.kubernetes.errors.KubeError`; credentials are never logged or put in a
message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

import urllib3
from kubernetes import config as kube_config
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException

from tools.base import KubeIdentity
from tools.kubernetes.clusters import ClusterConfig, ClusterSet, UnknownCluster
from tools.kubernetes.errors import ApiError, ClusterConfigError, KubeError, NotApproved, Unreachable
from tools.kubernetes.impersonation import impersonate
from tools.kubernetes.kinds import ResourceKind
from tools.ledger import check_request

# urllib3 logs "Retrying (Retry(total=0…))… Connection refused" on every failed connect; the
# caller already turns that failure into one sentence, so its warning would only be noise in chat.
logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)

T = TypeVar("T")
BODY_CHUNK = 64 * 1024
PatchType = Literal["strategic", "merge", "json", "apply"]
_PATCH_CONTENT = {
    "strategic": "application/strategic-merge-patch+json",
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
    "apply": "application/apply-patch+yaml",
}
FIELD_MANAGER = "chatops"


def _reason(error: BaseException) -> str:
    inner = getattr(error, "reason", None) or error
    text = str(inner).lower()
    if "refused" in text:
        return "connection refused"
    if isinstance(inner, (urllib3.exceptions.TimeoutError, TimeoutError)) or "timed out" in text:
        return "the connection timed out"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "the host name does not resolve"
    if "certificate" in text or "ssl" in text:
        return "the TLS handshake failed"
    return type(inner).__name__


class KubeClient:
    """Requests against one cluster as one identity."""

    def __init__(self, *, cluster: ClusterConfig, api: ApiClient, timeout_s: float) -> None:
        self.cluster = cluster
        self._api = api
        self._timeout = timeout_s

    @property
    def server(self) -> str:
        return str(self._api.configuration.host)

    @property
    def api_client(self) -> ApiClient:
        """The underlying client, for the typed APIs a watch streams from (tools.kubernetes.watch)."""
        return self._api

    async def _thread(self, fn: Callable[[], T]) -> T:
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn), timeout=self._timeout + 2)
        except TimeoutError:
            raise Unreachable(
                f"cluster {self.cluster.name} did not answer within {self._timeout:g}s at {self.server}; "
                "check the network or try again"
            ) from None

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, Any]] = (),
        body: Any = None,
        content_type: str | None = None,
        accept: str = "application/json",
    ) -> bytes:
        refusal = check_request(method, path, body, dry_run=any(k == "dryRun" and v for k, v in query))
        if refusal is not None:
            raise NotApproved(refusal)

        def call() -> bytes:
            headers = {"Accept": accept}
            if body is not None:
                headers["Content-Type"] = content_type or "application/json"
            serialized = self._api.param_serialize(
                method=method,
                resource_path=path,
                query_params=[(k, v) for k, v in query if v is not None],
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
            )
            deadline = time.monotonic() + self._timeout
            try:
                response = self._api.call_api(*serialized, _request_timeout=self._timeout)
                data = self._read_body(response.response, deadline)
            except ApiException as error:  # the client reports TLS failures this way
                raise Unreachable(self._unreachable(error)) from None
            except urllib3.exceptions.HTTPError as error:
                raise Unreachable(self._unreachable(error)) from None
            if not 200 <= response.status <= 299:
                raise ApiError.from_body(status=response.status, reason=str(response.reason), body=data)
            return data

        return await self._thread(call)

    def _read_body(self, raw: Any, deadline: float) -> bytes:
        """The body, read in chunks until the deadline: a server that drips bytes cannot keep this
        thread alive after the caller gave up (each read also has the socket timeout)."""
        chunks: list[bytes] = []
        try:
            while chunk := raw.read1(BODY_CHUNK):  # whatever has arrived, at most BODY_CHUNK
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise Unreachable(
                        f"cluster {self.cluster.name} did not finish answering within {self._timeout:g}s "
                        f"at {self.server}; check the network or try again"
                    )
        except BaseException:
            raw.close()  # never hand a half-read connection back to the pool
            raise
        finally:
            raw.release_conn()
        return b"".join(chunks)

    def _unreachable(self, error: BaseException) -> str:
        return (
            f"cluster {self.cluster.name} is unreachable at {self.server}: {_reason(error)}; "
            "check the kubeconfig or the network"
        )

    async def json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        data = await self.request(method, path, **kwargs)
        document = json.loads(data) if data else {}
        return document if isinstance(document, dict) else {"items": document}

    async def get(self, kind: ResourceKind, name: str, namespace: str | None) -> dict[str, Any]:
        return await self.json("GET", kind.path(namespace=namespace, name=name))

    async def list_page(
        self,
        kind: ResourceKind,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int = 500,
        continue_token: str | None = None,
    ) -> dict[str, Any]:
        query = [
            ("labelSelector", label_selector),
            ("fieldSelector", field_selector),
            ("limit", limit),
            ("continue", continue_token),
        ]
        return await self.json("GET", kind.path(namespace=namespace), query=query)

    async def create(
        self, kind: ResourceKind, namespace: str | None, body: dict[str, Any], *, dry_run: bool = False
    ) -> dict[str, Any]:
        query = [("dryRun", "All" if dry_run else None), ("fieldManager", FIELD_MANAGER)]
        return await self.json("POST", kind.path(namespace=namespace), query=query, body=body)

    async def patch(
        self,
        kind: ResourceKind,
        name: str,
        namespace: str | None,
        body: Any,
        *,
        patch_type: PatchType = "strategic",
        dry_run: bool = False,
        force: bool = False,
    ) -> dict[str, Any]:
        query = [
            ("dryRun", "All" if dry_run else None),
            ("fieldManager", FIELD_MANAGER),
            ("force", "true" if force and patch_type == "apply" else None),
        ]
        return await self.json(
            "PATCH",
            kind.path(namespace=namespace, name=name),
            query=query,
            body=body,
            content_type=_PATCH_CONTENT[patch_type],
        )

    async def replace(
        self,
        kind: ResourceKind,
        name: str,
        namespace: str | None,
        body: dict[str, Any],
        *,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """PUT the whole object; its metadata.resourceVersion makes a stale write fail with 409."""
        query = [("dryRun", "All" if dry_run else None), ("fieldManager", FIELD_MANAGER)]
        return await self.json("PUT", kind.path(namespace=namespace, name=name), query=query, body=body)

    async def delete(
        self,
        kind: ResourceKind,
        name: str,
        namespace: str | None,
        *,
        uid: str | None = None,
        resource_version: str | None = None,
        dry_run: bool = False,
        propagation: str = "Background",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": propagation}
        preconditions = {k: v for k, v in (("uid", uid), ("resourceVersion", resource_version)) if v}
        if preconditions:
            body["preconditions"] = preconditions
        if dry_run:
            body["dryRun"] = ["All"]
        query = [("dryRun", "All" if dry_run else None)]
        return await self.json("DELETE", kind.path(namespace=namespace, name=name), query=query, body=body)

    async def pod_log(
        self,
        name: str,
        namespace: str,
        *,
        container: str | None,
        tail: int | None,
        since_seconds: int | None,
        previous: bool,
        limit_bytes: int,
        timestamps: bool = False,
    ) -> str:
        query = [
            ("timestamps", "true" if timestamps else None),
            ("container", container),
            ("tailLines", tail),
            ("sinceSeconds", since_seconds),
            ("previous", "true" if previous else None),
            ("limitBytes", limit_bytes),
        ]
        path = f"/api/v1/namespaces/{namespace}/pods/{name}/log"
        data = await self.request("GET", path, query=query, accept="*/*")
        return data.decode("utf-8", "replace")


class KubeClients:
    """One cached `KubeClient` per (cluster, identity)."""

    def __init__(self, clusters: ClusterSet, *, timeout_s: float = 15.0) -> None:
        self.clusters = clusters
        self.timeout_s = timeout_s
        self._cache: dict[tuple[str, KubeIdentity | None], KubeClient] = {}
        self._lock = asyncio.Lock()

    def cluster(self, name: str | None) -> ClusterConfig:
        try:
            return self.clusters.get(name)
        except UnknownCluster as error:
            raise ClusterConfigError(str(error)) from None

    async def client(self, cluster: ClusterConfig, identity: KubeIdentity | None) -> KubeClient:
        key = (cluster.name, identity)
        async with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                api = await asyncio.wait_for(asyncio.to_thread(self._load, cluster), timeout=self.timeout_s)
                if identity is not None:
                    impersonate(api, identity)
                cached = self._cache[key] = KubeClient(cluster=cluster, api=api, timeout_s=self.timeout_s)
            return cached

    @staticmethod
    def _load(cluster: ClusterConfig) -> ApiClient:
        path = cluster.kubeconfig_path()
        try:
            configuration = Configuration()
            kube_config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=str(path),
                context=cluster.context,
                client_configuration=configuration,
                persist_config=False,
            )
            # A write whose answer was lost must not be sent twice: retry connecting, never reading.
            configuration.retries = urllib3.Retry(total=1, connect=1, read=0, redirect=0, status=0, other=0)
            api = ApiClient(configuration=configuration)
        except Exception as error:
            # Any loader failure (YAML, base64, missing keys) is the file's fault, said in one sentence.
            # The loader's messages name keys and files, not credential values.
            reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            raise ClusterConfigError(
                f"cluster {cluster.name}: kubeconfig {path} could not be loaded ({reason}); "
                "fix the kubeconfig"
            ) from None
        return api

    def close(self) -> None:
        for client in self._cache.values():
            client._api.close()  # type: ignore[no-untyped-call]
        self._cache.clear()


__all__ = ["FIELD_MANAGER", "KubeClient", "KubeClients", "KubeError", "PatchType"]
