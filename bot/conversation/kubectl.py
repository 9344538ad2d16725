"""kubectl's spelling of a command → the bot's own words, before the registry is asked.

`!scale deploy/web --replicas=3`, `!rollout undo deployment/web --to-revision 2`,
`!set image deployment/web web=nginx:1.28`, `!logs -l app=web --grep ERROR`,
`!get po -o wide --sort-by .metadata.creationTimestamp` become the bot's command words
and flags (`scale deployment web --replicas 3`, …), so they reach the same typed
operations, the same validation and the same gate. What kubectl has and the bot does
not (exec, port-forward, --watch, jsonpath…) becomes one sentence saying so and what to
do instead. Pure text work: nothing here runs, decides safety or knows a cluster.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.conversation.kubectl_words import FLAG_SENTENCES, HELP_ALIASES, SPELLINGS, VERB_SENTENCES
from tools.kubernetes.kinds import KINDS, normalise_kind

Handler = Callable[[list[str]], list[str]]
__all__ = [
    "FLAG_SENTENCES",
    "HELP_ALIASES",
    "SIMPLE",
    "SPELLINGS",
    "VERB_SENTENCES",
    "NotSupported",
    "translate",
]


class NotSupported(ValueError):
    """kubectl can, the bot cannot: the sentence says so (and what to use instead)."""


# Flags that never take a value (so the word after them is a positional).
BOOL_FLAGS = frozenset(
    {
        "-A", "--all-namespaces", "-p", "--previous", "--containers", "-w", "--watch", "-f",
        "--follow", "--show-labels", "--all-containers", "--record", "--force", "--now", "--all",
        "--keep-history", "--create-namespace", "--reuse-values", "--strict", "--versions",
        "--ignore-not-found", "-i", "-t", "-it", "--stdin", "--tty", "-R", "--recursive",
        "--overwrite", "--no-headers", "--ignore-daemonsets", "--delete-emptydir-data",
        "--timestamps", "--prefix", "--current", "--help", "-h",
    }
)  # fmt: skip

# Whole-command spellings: kubectl words → the bot's.
SIMPLE: dict[tuple[str, ...], list[str]] = {
    ("cluster-info",): ["health"],
    ("version",): ["health"],
    ("events",): ["get", "events"],
    ("config", "get-contexts"): ["clusters"],
    ("config", "current-context"): ["clusters"],
    ("config", "get-clusters"): ["clusters"],
}

SORT_BY = {
    ".metadata.name": "name",
    ".metadata.creationTimestamp": "age",
    ".lastTimestamp": "age",
    ".metadata.lastTimestamp": "age",
    ".status.containerStatuses[0].restartCount": "restarts",
    ".status.containerStatuses[*].restartCount": "restarts",
}
OUTPUTS = ("wide", "yaml", "json", "name")
DELETABLE = ("pod", "deployment", "service", "namespace")
ROLLOUT_KINDS = ("deployment", "statefulset", "daemonset")
LOG_KINDS = ("pod", "deployment", "statefulset", "daemonset", "replicaset", "job")


def _kind(word: str) -> str | None:
    """The bot's name for a kubectl kind spelling (`po`, `pods`, `Deployment`), or None."""
    found = normalise_kind(word.split(".", 1)[0])  # `deployments.apps` → deployment
    return found if isinstance(found, str) and found in KINDS else None


def _unknown_kind(word: str) -> NotSupported:
    return NotSupported(f"The bot does not know the kind '{word}'; it reads {', '.join(KINDS)}.")


def _is_flag(token: str) -> bool:
    return token.startswith("-") and len(token) > 1 and not token[1:].isdigit()


def _split(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Positional words and flag tokens (a flag keeps its value), in their orders."""
    positionals: list[str] = []
    flags: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _is_flag(token):
            flags.append(token)
            takes_value = "=" not in token and token not in BOOL_FLAGS
            if takes_value and i + 1 < len(tokens) and not _is_flag(tokens[i + 1]):
                flags.append(tokens[i + 1])
                i += 1
        else:
            positionals.append(token)
        i += 1
    return positionals, flags


def _normalise_flags(flags: list[str]) -> list[str]:
    """`-o wide`, `-owide`, `--output=json`, `--sort-by=…`, `--context X` → the bot's flags."""
    out: list[str] = []
    i = 0
    while i < len(flags):
        flag, value = flags[i], None
        if flag.startswith("--") and "=" in flag:
            flag, value = flag.split("=", 1)
        elif flag.startswith("-o") and len(flag) > 2 and not flag.startswith("--"):
            flag, value = "-o", flag[2:]
        if flag in ("-o", "--output", "--sort-by", "--context", "--to-revision", "--grep"):
            if value is None and i + 1 < len(flags) and not _is_flag(flags[i + 1]):
                value = flags[i + 1]
                i += 1
            if value is None:
                raise NotSupported(f"Option {flag} needs a value.")
            out += _one_flag(flag, value)
        else:
            out.append(flags[i])
        i += 1
    return out


def _one_flag(flag: str, value: str) -> list[str]:
    if flag in ("-o", "--output"):
        if value not in OUTPUTS:
            raise NotSupported(
                f"The bot shows -o wide, yaml, json or name; '{value}' (jsonpath, custom-columns, "
                "templates) is not supported."
            )
        return ["--output", value]
    if flag == "--sort-by":
        if value not in SORT_BY:
            raise NotSupported(
                "--sort-by here takes .metadata.name, .metadata.creationTimestamp or "
                ".status.containerStatuses[0].restartCount."
            )
        return ["--sort", SORT_BY[value]]
    if flag == "--context":
        return ["-c", value]
    if flag == "--to-revision":
        return ["--revision", value]
    return ["--grep", value]


def _target(words: list[str], verb: str) -> tuple[str, str | None]:
    """`deploy/web` or `deploy web` → ("deployment", "web"); a kind alone → (kind, None)."""
    if not words:
        raise NotSupported(f"!{verb} needs what to act on, like deployment/web.")
    first = words[0]
    name: str | None
    if "/" in first:
        kind_word, _, name = first.partition("/")
        rest = words[1:]
    else:
        kind_word, name = first, (words[1] if len(words) > 1 else None)
        rest = words[2:]
    if "," in kind_word:
        raise NotSupported(f"The bot takes one kind at a time; ask !{verb} once per kind.")
    kind = _kind(kind_word)
    if kind is None:
        raise _unknown_kind(kind_word)
    if rest:
        raise NotSupported(f"The bot acts on one object at a time; ask !{verb} once per object.")
    return kind, name


def translate(words: list[str]) -> list[str]:
    """kubectl words → the bot's words (unchanged when there is nothing to translate)."""
    if not words:
        return words
    verb = words[0].lower()
    if verb in VERB_SENTENCES:
        raise NotSupported(VERB_SENTENCES[verb])
    handler = _VERBS.get(verb)
    simple_verb = any(key[0] == verb for key in SIMPLE)
    if handler is None and not simple_verb:
        return words  # not a kubectl spelling (helm, minikube, the bot's own words)
    positionals, flags = _split(words[1:])
    flags = _normalise_flags(flags)
    if verb == "config" and positionals[:1] == ["set-context"]:
        namespace = [f.split("=", 1)[1] for f in flags if f.startswith("--namespace=")]
        if namespace:  # kubectl config set-context --current --namespace=prod
            return ["use", "namespace", namespace[0]]
    if verb == "set" and any(f == "--image" or f.startswith("--image=") for f in flags):
        return words  # the bot's own spelling: !set image NAME --image IMG [--container C]
    if verb == "drain":  # the bot's drain already leaves DaemonSet pods where they are
        flags = [f for f in flags if f != "--ignore-daemonsets"]
    for length in (2, 1):
        simple = SIMPLE.get(tuple(w.lower() for w in words[:length]))
        if simple is not None and len(positionals) == length - 1:
            return [*simple, *flags]
    if handler is None:
        return words
    return [*handler(positionals), *flags]


def _get(words: list[str], verb: str = "get") -> list[str]:
    if not words:
        return [verb]
    if words[0].lower() == "all":
        raise NotSupported(f"The bot lists one kind at a time (no 'all'); try !{verb} pods, !{verb} deploy.")
    kind, name = _target(words, verb)
    return [verb, kind, *([name] if name else [])]


def _delete(words: list[str]) -> list[str]:
    kind, name = _target(words, "delete")
    if kind not in DELETABLE:
        raise NotSupported(
            f"The bot deletes pods, deployments, services and namespaces only, not a {kind}; "
            "ask an admin to remove it."
        )
    if name is None:
        raise NotSupported(
            f"!delete needs a name: !delete {kind} NAME (the bot deletes one object at a time)."
        )
    return ["delete", kind, name]


def _scale(words: list[str]) -> list[str]:
    kind, name = _target(words, "scale")
    if kind != "deployment":
        raise NotSupported(f"The bot scales deployments only; a {kind} cannot be scaled here yet.")
    if name is None:
        raise NotSupported("!scale needs a name: !scale deployment/NAME --replicas N.")
    return ["scale", "deployment", name]


def _rollout(words: list[str]) -> list[str]:
    subs = ("status", "history", "undo", "restart", "pause", "resume")
    if not words or words[0].lower() not in subs:
        raise NotSupported(f"!rollout takes one of {', '.join(subs)}, then KIND/NAME.")
    sub = words[0].lower()
    kind, name = _target(words[1:], f"rollout {sub}")
    if name is None:
        raise NotSupported(f"!rollout {sub} needs a name: !rollout {sub} {kind}/NAME.")
    if kind not in ROLLOUT_KINDS:
        raise NotSupported(f"Rollouts are for deployments, statefulsets and daemonsets, not a {kind}.")
    if sub in ("status", "history"):
        return ["rollout", sub, name, "--kind", kind]
    if sub == "undo":
        return ["rollback", kind, name]
    if kind != "deployment":
        raise NotSupported(f"The bot can {sub} deployments only, not a {kind}.")
    return [sub, "deployment", name]


def _set(words: list[str]) -> list[str]:
    if not words or words[0].lower() != "image":
        what = words[0] if words else ""
        raise NotSupported(
            f"The bot sets images only (!set image deployment/NAME CONTAINER=IMAGE), not '{what}'; "
            "change the rest with !apply."
        )
    pairs = [w for w in words[1:] if "=" in w]
    kind, name = _target([w for w in words[1:] if "=" not in w], "set image")
    if kind != "deployment" or name is None:
        raise NotSupported("The bot sets images on deployments: !set image deployment/NAME CONTAINER=IMAGE.")
    if len(pairs) != 1:
        raise NotSupported("Give exactly one CONTAINER=IMAGE (one container per change).")
    container, _, image = pairs[0].partition("=")
    return ["set", "image", name, *(["--container", container] if container != "*" else []), "--image", image]


def _logs(words: list[str]) -> list[str]:
    if not words:
        return ["logs"]
    container = ["--container", words[1]] if len(words) == 2 else words[1:]  # kubectl logs POD [CONTAINER]
    if "/" not in words[0]:
        return ["logs", words[0], *container]
    kind, name = _target(words[:1], "logs")
    if kind not in LOG_KINDS:
        raise NotSupported(f"Logs come from pods and workloads ({', '.join(LOG_KINDS)}), not a {kind}.")
    return ["logs", str(name), *(["--kind", kind] if kind != "pod" else []), *container]


def _workload_verb(verb: str) -> Handler:
    """The bot's own `restart|pause|resume|rollback deployment web`, also as KIND/NAME."""

    def handler(words: list[str]) -> list[str]:
        kind, name = _target(words, verb)
        if name is None:
            raise NotSupported(f"!{verb} needs a name: !{verb} {kind}/NAME.")
        if verb == "rollback" and kind not in ROLLOUT_KINDS:
            raise NotSupported(f"Rollbacks are for deployments, statefulsets and daemonsets, not a {kind}.")
        if verb != "rollback" and kind != "deployment":
            raise NotSupported(f"The bot can {verb} deployments only, not a {kind}.")
        return [verb, kind, name]

    return handler


def _top(words: list[str]) -> list[str]:
    if not words:
        return ["top"]
    kind = _kind(words[0])
    if kind not in ("pod", "node"):
        raise NotSupported("!top shows pods or nodes: !top pods, !top nodes.")
    return ["top", kind, *words[1:]]


def _create(words: list[str]) -> list[str]:
    if not words:
        return ["create"]
    kind = _kind(words[0])
    if kind in ("deployment", "namespace"):
        return ["create", kind, *words[1:]]
    if kind == "service" and len(words) > 1 and words[1] in ("clusterip", "nodeport", "loadbalancer"):
        raise NotSupported("Create a service with !create service NAME --port PORT [--type NodePort].")
    if kind == "service":
        return ["create", kind, *words[1:]]
    raise NotSupported(
        f"The bot creates deployments, services and namespaces by verb; a {words[0]} comes from a manifest: "
        "!apply with it in a ``` code block."
    )


def _node_verb(verb: str) -> Handler:
    def handler(words: list[str]) -> list[str]:
        return [verb, *(w.removeprefix("node/").removeprefix("nodes/") for w in words)]

    return handler


def _config(words: list[str]) -> list[str]:
    if words[:1] == ["use-context"] and len(words) == 2:
        return ["use", "cluster", words[1]]
    raise NotSupported(
        "The bot's clusters are set by its admins: !clusters lists them, !use cluster NAME picks one for "
        "this channel, !use namespace NAME its namespace."
    )


_VERBS: dict[str, Handler] = {
    "restart": _workload_verb("restart"),
    "pause": _workload_verb("pause"),
    "resume": _workload_verb("resume"),
    "rollback": _workload_verb("rollback"),
    "get": _get,
    "describe": lambda w: _get(w, "describe"),
    "diagnose": lambda w: _get(w, "diagnose"),
    "delete": _delete,
    "scale": _scale,
    "rollout": _rollout,
    "set": _set,
    "logs": _logs,
    "log": _logs,
    "top": _top,
    "create": _create,
    "cordon": _node_verb("cordon"),
    "uncordon": _node_verb("uncordon"),
    "drain": _node_verb("drain"),
    "config": _config,
}
