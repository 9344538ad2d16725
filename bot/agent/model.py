"""The chat model: `ChatOpenAI` against any OpenAI-compatible endpoint.

Built from the `llm` settings and the `OPENAI_API_KEY` secret. The client's
own retries are off (`max_retries=0`): `resilience.ModelGate` is the one
retry layer. A local endpoint (localhost, 127.0.0.1, ::1, *.local) may run
without a key; any other endpoint needs one, and its absence stops start-up
with a sentence naming the variable. The key never appears in a message.

Each model gets an HTTP client of its own: LangChain's default is one cached per
(base URL, timeout) for the whole process, bound to the event loop that first
used it, so a second app (a test, a reload) on an address seen before would
reuse a client whose loop has closed.
"""

from __future__ import annotations

import ipaddress
import urllib.parse

import httpx
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from bot.agent.resilience import GatePolicy
from bot.settings.config import ConfigError, LlmSettings, LoadedConfig

LOCAL_KEY = "not-needed-for-a-local-endpoint"


def is_local_url(url: str | None) -> bool:
    if not url:
        return False
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".local") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_key_for(loaded: LoadedConfig) -> str:
    llm = loaded.settings.llm
    key = loaded.secrets.openai_api_key
    if key:
        return key
    if is_local_url(llm.base_url):
        return LOCAL_KEY
    where = llm.base_url or "the OpenAI API"
    raise ConfigError(
        f"llm.model is {llm.model!r} at {where} but OPENAI_API_KEY is not set; "
        "set it in the environment, or point llm.base_url at a local endpoint"
    )


def build_chat_model(loaded: LoadedConfig) -> ChatOpenAI:
    """The configured model; raises ConfigError when it cannot be configured."""
    llm = loaded.settings.llm
    if not llm.model:
        raise ConfigError("llm.model is not set, so there is no language model to build")
    return ChatOpenAI(
        model=llm.model,
        base_url=llm.base_url,
        api_key=SecretStr(api_key_for(loaded)),
        temperature=llm.temperature,
        timeout=llm.timeout_s,
        max_retries=0,
        http_async_client=httpx.AsyncClient(timeout=llm.timeout_s),
    )


def gate_policy(llm: LlmSettings) -> GatePolicy:
    # Back-off scales with the deadline, so a short timeout still leaves room for a retry.
    return GatePolicy(
        timeout_s=llm.timeout_s,
        max_attempts=llm.max_attempts,
        initial_backoff_s=min(0.5, llm.timeout_s / 8),
        failures=llm.breaker_failures,
        cooldown_s=llm.breaker_cooldown_s,
    )
