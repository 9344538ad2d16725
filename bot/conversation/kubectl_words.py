"""The sentences and examples of the kubectl grammar (`bot.conversation.kubectl`): data, no logic.

What kubectl has and the bot does not (a flag, a verb) is answered with one sentence from
here; `!help VERB` shows the kubectl spellings listed here, and a test parses every one.
"""

from __future__ import annotations

from tools.kubernetes.kinds import KINDS

# kubectl flags the bot does not have, each with its one sentence.
FLAG_SENTENCES: dict[str, str] = {
    "-w": "kubectl's --watch is not something a chat reply can do (a reply is a snapshot); ask again to refresh",
    "--watch": "kubectl's --watch is not something a chat reply can do (a reply is a snapshot); ask again to refresh",
    "-f": "the bot reads no files: paste the manifest in a ``` code block after !apply",
    "logs -f": "a chat reply cannot follow logs; ask again, or use --since 10m",
    "--follow": "kubectl's --follow is not something a chat reply can do; ask again, or use --since 10m",
    "--filename": "the bot reads no files: paste the manifest in a ``` code block after !apply",
    "--show-labels": "the bot does not show a labels column; !get KIND NAME -o yaml shows an object's labels",
    "-L": "the bot does not add label columns; !get KIND NAME -o yaml shows an object's labels",
    "--label-columns": "the bot does not add label columns; !get KIND NAME -o yaml shows an object's labels",
    "--all-containers": "the bot reads one container per pod; name it with -c CONTAINER (default: the first)",
    "--timestamps": "the bot does not add timestamps to log lines; merged logs are in time order",
    "--dry-run": "every change is dry-run on the server and shown on its approval card before anyone approves",
    "--record": "every change is recorded in the bot's audit trail (!audit), so --record is not needed",
    "--force": "the bot does not force changes; a change goes through its approval card as it is",
    "--grace-period": "the bot deletes with the object's own grace period",
    "--now": "the bot deletes with the object's own grace period",
    "--cascade": "the bot deletes with the API's default cascading",
    "--all": "the bot acts on one named object at a time; name it",
    "--kubeconfig": "the bot uses the clusters its admins configured; pick one with -c CLUSTER",
    "--context": "pick a cluster with -c CLUSTER (!clusters lists them)",
    "--server": "the bot uses the clusters its admins configured; pick one with -c CLUSTER",
    "--token": "never paste credentials into chat; the bot uses the clusters its admins configured",
    "--as": "the bot acts as your mapped Kubernetes identity (!whoami), never as someone else",
    "--output": "-o (wide, yaml, json or name) works with !get only",
    "-o": "-o (wide, yaml, json or name) works with !get only",
    "--current-replicas": "the bot's approval card binds the change to the object as it was previewed, "
    "so --current-replicas is not needed",
    "--delete-emptydir-data": "!drain evicts pods with emptyDir data (their approval card lists them)",
    "--to-revision": "--to-revision works with !rollout undo KIND/NAME",
    "--overwrite": "the bot does not change labels or annotations; use !apply with the manifest",
    "--template": "the bot shows -o wide, yaml, json or name; templates are not supported",
    "--chunk-size": "the bot pages through long listings itself",
    "--raw": "the bot does not send raw API requests",
    "--max-log-requests": f"the bot reads the logs of at most {10} pods at once",
    "--limit-bytes": "the bot caps log output to fit the chat itself; narrow with --tail or --since",
    "--selector": "this command takes no label selector; name one object",
    "-l": "this command takes no label selector; name one object",
    "--namespace": "this command is not namespaced",
    "-n": "this command is not namespaced",
}

# kubectl verbs the bot does not offer, and what to do instead.
VERB_SENTENCES: dict[str, str] = {
    "exec": "The bot does not run commands in containers (kubectl exec): it runs typed operations only; "
    "try !logs POD or !describe pod POD.",
    "attach": "The bot does not attach to containers; try !logs POD.",
    "port-forward": "A chat cannot carry a port-forward; run kubectl port-forward on your own machine.",
    "proxy": "A chat cannot carry an API proxy; run kubectl proxy on your own machine.",
    "cp": "The bot does not copy files into or out of containers.",
    "run": "The bot does not start bare pods (kubectl run); use !create deployment NAME --image IMAGE.",
    "edit": "The bot cannot open an editor; change objects with !apply and the manifest in a ``` code block, "
    "or with !scale, !set image and !rollout.",
    "patch": "The bot does not take patches; use !apply with the manifest in a ``` code block.",
    "replace": "The bot does not replace objects; use !apply with the manifest in a ``` code block.",
    "label": "The bot does not change labels by verb; use !apply with the manifest in a ``` code block.",
    "annotate": "The bot does not change annotations by verb; use !apply with the manifest in a ``` code block.",
    "expose": "Create a service with !create service NAME --port PORT --deployment NAME.",
    "autoscale": "The bot creates autoscalers only from a manifest: !apply a HorizontalPodAutoscaler in a "
    "``` code block.",
    "taint": "The bot does not change node taints; it can !cordon, !uncordon and !drain a node.",
    "auth": "The bot checks permissions itself; !whoami shows your role and Kubernetes identity.",
    "explain": "The bot does not carry the API reference; run kubectl explain KIND on your own machine.",
    "diff": "Every change's approval card shows what it will do (a server-side dry run); use !apply.",
    "wait": "Chat replies are snapshots; !rollout status KIND/NAME says whether a rollout is done.",
    "certificate": "The bot does not approve certificate requests.",
    "kustomize": "The bot does not build kustomizations; paste the built manifest after !apply.",
    "plugin": "The bot has no kubectl plugins.",
    "completion": "The console completes commands with Tab; there is nothing to install.",
    "api-versions": "The bot reads these kinds: " + ", ".join(KINDS) + ".",
    "api-resources": "The bot reads these kinds: " + ", ".join(KINDS) + ".",
    "alpha": "The bot has no alpha commands.",
}

# What `!help VERB` shows besides the bot's own usage lines: the kubectl spellings it accepts.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "get": (
        "!get pods -n prod -o wide",
        "!get deploy/web -o yaml",
        "!get po -A -l app=web --sort-by .metadata.creationTimestamp",
        "!get pods --field-selector status.phase=Pending",
    ),
    "describe": ("!describe deploy/web -n prod", "!describe pod web-7d4-abc"),
    "logs": (
        "!logs web-7d4-abc -c nginx --tail 50",
        "!logs deployment/web --since 10m",
        "!logs -l app=web --since 10m --grep ERROR",
        "!logs web-7d4-abc -p",
    ),
    "scale": ("!scale deploy/web --replicas 3", "!scale deploy web --replicas 3"),
    "rollout": (
        "!rollout status deployment/web",
        "!rollout history sts/db",
        "!rollout undo deployment/web --to-revision 2",
        "!rollout restart deployment/web",
        "!rollout pause deployment/web",
        "!rollout resume deployment/web",
    ),
    "set": ("!set image deployment/web web=nginx:1.28",),
    "top": ("!top pods -n prod", "!top pods --containers", "!top nodes"),
    "delete": ("!delete pod/web-7d4-abc", "!delete deploy web -n prod"),
    "create": ("!create deployment web --image nginx:1.27 --replicas 2", "!create ns demo"),
    "drain": ("!drain node-1 --ignore-daemonsets",),
}

# Verbs `!help` explains though no operation is spelled with them as its first word.
HELP_ALIASES: dict[str, tuple[str, ...]] = {
    "rollout": ("rollout", "restart", "pause", "resume", "rollback"),
    "set": ("set",),
}
