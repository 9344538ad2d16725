"""The fake tool itself (stdlib only, started with `python -S` for speed); see fakecli.py.

Reads the rules in `<name>.json` beside itself, logs the call to
`<name>.log.jsonl`, answers the rule whose argv matches exactly, and fails
with an `Error:` line and exit code 64 on anything else.
"""

import json
import os
import sys
import time
from pathlib import Path

LOGGED_ENV = (
    "KUBECONFIG",
    "HELM_CONFIG_HOME",
    "HELM_CACHE_HOME",
    "HELM_DATA_HOME",
    "HELM_PLUGINS",
    "MINIKUBE_IN_STYLE",
    "SLACK_BOT_TOKEN",
    "OPENAI_API_KEY",
)


def main():
    me = Path(sys.argv[0])
    rules = json.loads(me.with_name(me.name + ".json").read_text())
    argv = sys.argv[1:]
    stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    record = {"argv": argv, "stdin": stdin, "env": {k: os.environ[k] for k in LOGGED_ENV if k in os.environ}}
    with me.with_name(me.name + ".log.jsonl").open("a") as log:
        log.write(json.dumps(record) + "\n")
    rule = next((r for r in rules if r["argv"] == argv), None)
    if rule is None:
        sys.stderr.write(f"Error: fake {me.name}: unexpected arguments: {argv}\n")
        return 64
    for line in rule.get("lines", []):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        time.sleep(rule.get("line_delay", 0))
    if rule.get("sleep"):
        if rule.get("spawn_sleeper"):
            # A grandchild in the same process group: a timeout must kill it too.
            pid = os.fork()
            if pid == 0:
                time.sleep(rule["sleep"] * 2)
                os._exit(0)
            me.with_name(me.name + ".child").write_text(str(pid))
        time.sleep(rule["sleep"])
    sys.stdout.write(rule.get("stdout", ""))
    sys.stderr.write(rule.get("stderr", ""))
    return int(rule.get("exit", 0))


if __name__ == "__main__":
    raise SystemExit(main())
