"""What a Helm argument may say: chart references, versions, `--set` pairs, values.

Two kinds of checks. Syntax checks (used by the pydantic argument models)
refuse anything that could be read as a flag, a plugin downloader scheme or
more than one `--set` key. Settings checks (`resolve_chart`) refuse charts
from repositories and registries not on the allow-list and local paths
outside the configured chart directory, after resolving symlinks and `..`.
Every refusal is one plain sentence. This module never runs helm.
"""

from __future__ import annotations

import re
from pathlib import Path

from tools.effects.typed import typed_secret_in_set, typed_secret_in_values
from tools.helm.settings import HelmSettings
from tools.parsing import ParseRefused, load_yaml

RELEASE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_REPO_CHART = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)$")
_OCI_REF = re.compile(r"^oci://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._-]+)+$")
_LOCAL_PATH = re.compile(r"^[A-Za-z0-9._~/][A-Za-z0-9._~/-]*$")
_VERSION = re.compile(r"^[A-Za-z0-9.+~^*<>=|, -]{1,64}$")
_SET_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-\[\]\\/]{0,252}$")
_FLAG_INSIDE = re.compile(r"(^|\s)--?[A-Za-z]")
MAX_VALUES_BYTES = 64 * 1024


class Refused(ValueError):
    """An argument the bot will not pass to helm; the message says why and what to do."""


def check_release_name(value: str) -> str:
    if len(value) > 53 or not RELEASE_NAME.match(value):
        raise ValueError(
            f"release name {value!r} is not valid (lowercase letters, digits and '-', at most 53 characters)"
        )
    return value


def check_chart_syntax(value: str) -> str:
    """A chart reference: `repo/chart`, `oci://registry/path/chart` or a path under the chart directory."""
    if value.startswith("-"):
        raise ValueError(f"chart {value!r} looks like a flag; give a chart name such as bitnami/nginx")
    if "://" in value:
        if not _OCI_REF.match(value):
            raise ValueError(
                f"chart {value!r} is not allowed: only repo/chart, oci:// references "
                "and charts in the chart directory are accepted (no URLs or plugin schemes)"
            )
        return value
    if len(value) > 512 or not _LOCAL_PATH.match(value):
        raise ValueError(f"chart {value!r} is not a valid chart reference (e.g. bitnami/nginx)")
    return value


def check_version(value: str) -> str:
    if value.startswith("-") or not _VERSION.match(value):
        raise ValueError(f"version {value!r} is not a chart version or constraint (e.g. 1.2.3 or ^1.2)")
    return value


def _split_pieces(value: str) -> list[str]:
    """Split a `--set` value at the commas helm would split at (not escaped, not inside {…})."""
    pieces, depth, current, escaped = [], 0, "", False
    for char in value:
        if escaped:
            current, escaped = current + char, False
            continue
        if char == "\\":
            current, escaped = current + char, True
        elif char == "{":
            current, depth = current + char, depth + 1
        elif char == "}":
            current, depth = current + char, max(0, depth - 1)
        elif char == "," and depth == 0:
            pieces.append(current)
            current = ""
        else:
            current += char
    return [*pieces, current]


def check_set_pair(key: str, value: str) -> tuple[str, str]:
    """One `--set key=value`: a plain key, and a value that cannot add keys or flags."""
    if not _SET_KEY.match(key):
        raise ValueError(
            f"--set key {key!r} is not allowed (letters, digits, '_', '-', '.', '[ ]' only, no leading '-')"
        )
    if any(ord(c) < 32 for c in value) or len(value) > 4096:
        raise ValueError(f"--set {key}: the value must be one line of at most 4096 characters")
    if _FLAG_INSIDE.search(value):
        raise ValueError(f"--set {key}: the value looks like a command-line flag, which is not allowed")
    if len(_split_pieces(value)) > 1:
        raise ValueError(
            f"--set {key}: the value contains a ',' that would set another key; "
            "escape it as '\\,' or use one --set per key"
        )
    secret = typed_secret_in_set(key, value)
    if secret:
        raise ValueError(secret)
    return key, value


def check_values_yaml(text: str) -> str:
    """The YAML of a values code block: at most 64 KiB and a mapping."""
    if len(text.encode()) > MAX_VALUES_BYTES:
        raise ValueError("the values block is larger than 64 KiB; trim it")
    try:
        document = load_yaml(text, what="the values block")
    except ParseRefused as e:
        raise ValueError(str(e).replace("fix it and send it again", "check the indentation")) from None
    if document is not None and not isinstance(document, dict):
        raise ValueError("the values block must be a YAML mapping (key: value), not a list or a scalar")
    secret = typed_secret_in_values(document)
    if secret:
        raise ValueError(secret)
    return text


def _repo_refusal(repo: str, settings: HelmSettings) -> Refused:
    allowed = ", ".join(sorted(settings.repositories)) or "none"
    return Refused(
        f"repository {repo!r} is not on the allow-list (allowed: {allowed}); "
        "an admin can add it under helm.repositories in the config"
    )


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def resolve_local_path(value: str, *, root: Path, what: str, config_key: str) -> Path:
    """A path given relative to `root` (or absolute), resolved, that must stay inside `root`."""
    base = root.expanduser().resolve()
    path = Path(value).expanduser()
    resolved = (path if path.is_absolute() else base / path).resolve()
    if not _inside(resolved, base):
        raise Refused(f"{what} {value!r} is outside {base} ({config_key}); only paths inside it are allowed")
    return resolved


def resolve_chart(value: str, settings: HelmSettings) -> str:
    """The chart argument helm gets: an allow-listed repo or registry chart, or a path in the chart dir.

    Raises Refused otherwise.
    """
    check_chart_syntax(value)
    if value.startswith("oci://"):
        if any(value == p or value.startswith(p + "/") for p in settings.oci_prefixes()):
            return value
        registry = value.removeprefix("oci://").split("/")[0]
        raise _repo_refusal(f"oci://{registry}", settings)
    match = _REPO_CHART.match(value)
    explicit_path = value.startswith((".", "/", "~")) or (match is None and "/" in value)
    if match and match.group(1) in settings.index_repositories() and not explicit_path:
        return value
    local = resolve_local_path(value, root=settings.chart_dir, what="chart path", config_key="helm.chart_dir")
    if local.exists():
        return str(local)
    if match and not explicit_path:
        raise _repo_refusal(match.group(1), settings)
    raise Refused(f"chart {value!r} was not found in the chart directory {settings.chart_dir}")


def resolve_chart_dir_entry(value: str, settings: HelmSettings) -> Path:
    """A chart scaffold or source directory inside the chart directory (for create and package)."""
    return resolve_local_path(value, root=settings.chart_dir, what="chart path", config_key="helm.chart_dir")
