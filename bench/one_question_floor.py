"""The floor for one cold console question: the same libraries, the same reads and model calls, nothing else.

    python bench/one_question_floor.py KUBECONFIG MODEL_BASE_URL "question"

Imports LangChain (`create_agent`), the OpenAI client (`langchain_openai`) and
the official Kubernetes client, as the bot does; offers the model one tool
named like the bot's read tool; when the model calls it, makes the read with
the official client (list the pods of a namespace; for a diagnosis read the
pod, its events and its last log lines) and hands back a plain summary;
prints the model's answer. No config, storage, policy, audit or rendering:
what is left in the bot's figure beyond this is the bot's own cost.
"""

from __future__ import annotations

import gc

gc.disable()  # a short-lived script needs no cyclic collector; the bot pauses it while it starts too

import asyncio  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

from kubernetes import client, config  # noqa: E402
from langchain.agents import create_agent  # noqa: E402
from langchain_core.tools import StructuredTool  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402
from pydantic import BaseModel, SecretStr  # noqa: E402


class ReadArgs(BaseModel):
    operation: str
    args: dict[str, Any] = {}


def read(core: client.CoreV1Api, operation: str, args: dict[str, Any]) -> str:
    namespace = str(args.get("namespace", "default"))
    if operation == "k8s_get":
        pods = core.list_namespaced_pod(namespace, limit=500)
        return "\n".join(
            f"{p.metadata.name} {p.status.phase} "
            + ",".join(
                (s.state.waiting.reason if s.state and s.state.waiting else "ok")
                for s in (p.status.container_statuses or [])
            )
            for p in pods.items
        )
    if operation == "k8s_diagnose":
        name = str(args["name"])
        pod = core.read_namespaced_pod(name, namespace)
        events = core.list_namespaced_event(namespace, field_selector=f"involvedObject.name={name}")
        try:
            log = core.read_namespaced_pod_log(name, namespace, tail_lines=15)
        except client.ApiException as e:
            log = f"(no log: {e.status})"
        waiting = [
            s.state.waiting.reason
            for s in (pod.status.container_statuses or [])
            if s.state and s.state.waiting
        ]
        return f"{name}: {waiting}; events: {[e.message for e in events.items][:5]}; log: {log[-500:]}"
    return f"unknown operation {operation}"


async def main(kubeconfig: str, base_url: str, question: str) -> None:
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()

    async def k8s_read(operation: str, args: dict[str, Any] | None = None) -> str:
        return await asyncio.to_thread(read, core, operation, args or {})

    tool = StructuredTool(
        name="k8s_read",
        description="Read Kubernetes objects: operation k8s_get or k8s_diagnose, and its args.",
        args_schema=ReadArgs,
        coroutine=k8s_read,
    )
    model = ChatOpenAI(
        model="fake-model",
        base_url=base_url,
        api_key=SecretStr("x"),
        temperature=0,
        timeout=60,
        max_retries=0,
    )
    agent = create_agent(model, [tool], system_prompt="You answer questions about a Kubernetes cluster.")
    state = await agent.ainvoke({"messages": [{"role": "user", "content": question}]})
    print(state["messages"][-1].content)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
