"""Kubernetes `Status` failure bodies, worded like the real API server's.

`KubeError` carries an HTTP code and the Status body; the server turns it into
the response. The wording matters: the tools under test parse `reason`,
`details` and `message` exactly as they would from a real cluster. Holds no
state and performs no I/O.
"""

from __future__ import annotations

from typing import Any

from tests.fake_k8s.resources import ResourceType

DNS1123_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS1123_LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
CONFLICT_MODIFIED = (
    "the object has been modified; please apply your changes to the latest version and try again"
)


class KubeError(Exception):
    def __init__(self, code: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.code = code
        self.body = body


def status_body(
    *, code: int, reason: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def success_body(*, rt: ResourceType, name: str, uid: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": rt.group, "kind": rt.plural, "uid": uid},
    }


def _details(rt: ResourceType, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "kind": rt.plural}
    if rt.group:
        details["group"] = rt.group
    return details


def not_found(rt: ResourceType, name: str) -> KubeError:
    message = f'{rt.qualified} "{name}" not found'
    return KubeError(
        404, status_body(code=404, reason="NotFound", message=message, details=_details(rt, name))
    )


def no_such_path() -> KubeError:
    message = "the server could not find the requested resource"
    return KubeError(404, status_body(code=404, reason="NotFound", message=message, details={}))


def already_exists(rt: ResourceType, name: str) -> KubeError:
    message = f'{rt.qualified} "{name}" already exists'
    body = status_body(code=409, reason="AlreadyExists", message=message, details=_details(rt, name))
    return KubeError(409, body)


def conflict(rt: ResourceType, name: str, why: str = CONFLICT_MODIFIED) -> KubeError:
    message = f'Operation cannot be fulfilled on {rt.qualified} "{name}": {why}'
    return KubeError(
        409, status_body(code=409, reason="Conflict", message=message, details=_details(rt, name))
    )


def invalid(rt: ResourceType, name: str, causes: list[tuple[str, str]]) -> KubeError:
    """422 Invalid; `causes` are (field, message) pairs such as ("metadata.name", "Invalid value: ...")."""
    joined = ", ".join(f"{field}: {text}" for field, text in causes)
    message = f'{rt.kind}{"." + rt.group if rt.group else ""} "{name}" is invalid: {joined}'
    details = _details(rt, name)
    details["kind"] = rt.kind
    details["causes"] = [
        {"reason": _cause_reason(text), "message": text, "field": field} for field, text in causes
    ]
    return KubeError(422, status_body(code=422, reason="Invalid", message=message, details=details))


def _cause_reason(text: str) -> str:
    if text.startswith("Required value"):
        return "FieldValueRequired"
    if text.startswith("Unsupported value"):
        return "FieldValueNotSupported"
    return "FieldValueInvalid"


def bad_request(message: str) -> KubeError:
    return KubeError(400, status_body(code=400, reason="BadRequest", message=message))


def forbidden(
    *, rt: ResourceType, name: str | None, user: str, verb: str, namespace: str | None, subresource: str = ""
) -> KubeError:
    subject = f'{rt.qualified} "{name}"' if name else rt.qualified
    resource = f"{rt.plural}/{subresource}" if subresource else rt.plural
    scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" '
        f'in API group "{rt.group}"{scope}'
    )
    details = _details(rt, name or "")
    if not name:
        details.pop("name")
    return KubeError(403, status_body(code=403, reason="Forbidden", message=message, details=details))


def unauthorized() -> KubeError:
    return KubeError(401, status_body(code=401, reason="Unauthorized", message="Unauthorized"))


def method_not_allowed() -> KubeError:
    message = "the server does not allow this method on the requested resource"
    return KubeError(405, status_body(code=405, reason="MethodNotAllowed", message=message, details={}))


def unsupported_media_type(content_type: str) -> KubeError:
    message = (
        f"the body of the request was in an unknown format - accepted media types include: {content_type}"
    )
    return KubeError(415, status_body(code=415, reason="UnsupportedMediaType", message=message))
