"""The aiohttp server behind `FakeLLM`: scripted answers, recorded requests."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fake_llm.steps import Call, Drip, Fail, Hang, Raw, Reset, Say, Step, completion, error_body


@dataclasses.dataclass(frozen=True)
class LLMRequest:
    """One request as the server received it."""

    body: dict[str, Any]
    headers: dict[str, str]
    raw: str

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def tools(self) -> list[dict[str, Any]]:
        return list(self.body.get("tools") or [])

    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.tools]

    def tool_results(self) -> list[str]:
        return [str(m.get("content") or "") for m in self.messages if m.get("role") == "tool"]

    def last_tool_result(self) -> str | None:
        results = self.tool_results()
        last = self.messages[-1] if self.messages else {}
        return results[-1] if results and last.get("role") == "tool" else None

    def text(self) -> str:
        return "\n".join(str(m.get("content") or "") for m in self.messages)


Script = Callable[[LLMRequest], Step]


class FakeLLM:
    """Start with `await FakeLLM.start()`; `base_url` goes to `llm.base_url`."""

    def __init__(self) -> None:
        self.requests: list[LLMRequest] = []
        self.steps: deque[Step] = deque()
        self.script: Script | None = None
        self.model = "fake-model"
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @classmethod
    async def start(cls) -> FakeLLM:
        fake = cls()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", fake._completions)
        fake._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await fake._runner.setup()
        site = web.TCPSite(fake._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        fake.base_url = f"http://127.0.0.1:{port}/v1"
        return fake

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def push(self, *steps: Step) -> None:
        self.steps.extend(steps)

    def next_step(self, request: LLMRequest) -> Step:
        if self.steps:
            return self.steps.popleft()
        if self.script is not None:
            return self.script(request)
        return Say("(no scripted answer)")

    async def _completions(self, http: web.Request) -> web.StreamResponse:
        raw = await http.text()
        body = json.loads(raw)
        request = LLMRequest(body=body, headers=dict(http.headers), raw=raw)
        self.requests.append(request)
        if body.get("stream"):
            return web.json_response({"error": {"message": "the fake does not stream"}}, status=400)
        step = self.next_step(request)
        if isinstance(step, Hang):
            await asyncio.sleep(step.seconds)
            step = Say("late")
        if isinstance(step, Fail):
            return web.json_response(error_body(step), status=step.status, headers=dict(step.headers))
        if isinstance(step, Raw):
            headers = {"Content-Type": step.content_type, **step.headers}
            return web.Response(body=step.body, status=step.status, headers=headers)
        if isinstance(step, Reset):
            assert http.transport is not None
            http.transport.abort()
            return web.Response(status=500)
        if isinstance(step, Drip):
            body = json.dumps(
                completion(Say(step.text), model=self.model, serial=len(self.requests))
            ).encode()
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            response.content_length = len(body)
            await response.prepare(http)
            for start in range(0, len(body), step.chunk):
                await response.write(body[start : start + step.chunk])
                await asyncio.sleep(step.delay_s)
            await response.write_eof()
            return response
        assert isinstance(step, Say | Call)
        return web.json_response(completion(step, model=self.model, serial=len(self.requests)))
