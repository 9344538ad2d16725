"""The words of `!watch` / `!unwatch`: a namespace (or `all`), `--kinds`, `--reasons`, `--cluster`.

Pure parsing and validation against the known kinds and reasons of cluster
signals (`tools.kubernetes.signals`); a mistake raises `WatchArgsError` with
one sentence for the person. Nothing here reads storage or checks who asks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from tools.kubernetes.kinds import KINDS, normalise_kind
from tools.kubernetes.signals import SIGNAL_KINDS, known_reasons

WATCH_USAGE = (
    "!watch [namespace|all] [--kinds pods,nodes,...] [--reasons CrashLoopBackOff,...] [--cluster NAME]"
)
UNWATCH_USAGE = "!unwatch [namespace|all] [--cluster NAME]"
ALL = "all"
FLAGS = {"--kinds": "kinds", "--reasons": "reasons", "--cluster": "cluster", "-c": "cluster"}


class WatchArgsError(ValueError):
    """A malformed `!watch` / `!unwatch`, phrased for the person."""


@dataclasses.dataclass(frozen=True)
class WatchArgs:
    namespace: str | None  # None: the channel's default; "all": every namespace
    cluster: str | None  # None: the channel's default
    kinds: tuple[str, ...] = ()  # Kubernetes kinds (Pod, Node, ...); empty: every kind
    reasons: tuple[str, ...] = ()  # empty: every reason


def parse_watch_args(args: Sequence[str], *, filters: bool) -> WatchArgs:
    """`!watch` words (`filters`: --kinds and --reasons allowed) or `!unwatch` words."""
    usage = WATCH_USAGE if filters else UNWATCH_USAGE
    values: dict[str, list[str]] = {}
    positional: list[str] = []
    tokens = list(args)
    while tokens:
        token = tokens.pop(0)
        if not token.startswith("-"):
            positional.append(token)
            continue
        name, _, value = token.partition("=")
        field = FLAGS.get(name)
        if field is None or (not filters and field != "cluster"):
            raise WatchArgsError(f"Unknown option {name}. Usage: {usage}")
        if not value:
            if not tokens:
                raise WatchArgsError(f"Option {name} needs a value. Usage: {usage}")
            value = tokens.pop(0)
        values.setdefault(field, []).extend(v.strip() for v in value.split(",") if v.strip())
    if len(positional) > 1:
        raise WatchArgsError(f"Name one namespace (or all), not {len(positional)}. Usage: {usage}")
    if len(values.get("cluster", [])) > 1:
        raise WatchArgsError(f"Name one cluster. Usage: {usage}")
    return WatchArgs(
        namespace=positional[0] if positional else None,
        cluster=values["cluster"][0] if values.get("cluster") else None,
        kinds=_kinds(values.get("kinds", [])),
        reasons=_reasons(values.get("reasons", [])),
    )


def _kinds(words: Sequence[str]) -> tuple[str, ...]:
    by_lower = {kind.lower(): kind for kind in SIGNAL_KINDS}
    found: list[str] = []
    for word in words:
        spelled = normalise_kind(word)
        kind = KINDS[spelled].kind if isinstance(spelled, str) and spelled in KINDS else None
        kind = kind or by_lower.get(word.lower()) or by_lower.get(word.lower().removesuffix("s"))
        if kind not in SIGNAL_KINDS:
            valid = ", ".join(k.lower() + "s" for k in SIGNAL_KINDS)
            raise WatchArgsError(f"Unknown kind '{word}'; the kinds a watch can keep are: {valid}.")
        found.append(kind)
    return tuple(sorted(set(found)))


def _reasons(words: Sequence[str]) -> tuple[str, ...]:
    known = known_reasons()
    by_lower = {reason.lower(): reason for reason in known}
    found: list[str] = []
    for word in words:
        reason = by_lower.get(word.lower())
        if reason is None:
            raise WatchArgsError(
                f"Unknown reason '{word}'; the reasons a watch can keep are: {', '.join(known)}."
            )
        found.append(reason)
    return tuple(sorted(set(found)))


def describe_filters(kinds: Sequence[str], reasons: Sequence[str]) -> str:
    """`kinds Pod, Node; every reason`."""
    kept = f"kinds {', '.join(kinds)}" if kinds else "every kind"
    return f"{kept}; " + (f"reasons {', '.join(reasons)}" if reasons else "every reason")
