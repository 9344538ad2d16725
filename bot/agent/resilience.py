"""The one retry layer around model calls, and the circuit breaker in front of it.

`ModelGate.call(fn)` runs one model call with tenacity: 429, 5xx, timeouts and
connection errors are retried with exponential back-off and jitter (or the
server's Retry-After), inside a deadline of `timeout_s`; 400/401/403 and other
client errors are final. The OpenAI client's own retries are off, so this is
the only place that retries. After `failures` calls in a row have failed, the
breaker opens and calls fail at once for `cooldown_s`, then one trial call
may pass. Every failure leaves as `ModelUnavailable`, carrying one sentence for
the user. Nothing here builds prompts or knows the agent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

from bot.agent.errors import STILL_WORKS, ModelUnavailable

T = TypeVar("T")
MIN_ATTEMPT_S = 0.05


@dataclasses.dataclass(frozen=True)
class GatePolicy:
    timeout_s: float = 30.0
    max_attempts: int = 4
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    failures: int = 3
    cooldown_s: float = 60.0


def status_of(error: BaseException) -> int | None:
    return error.status_code if isinstance(error, openai.APIStatusError) else None


def is_retryable(error: BaseException) -> bool:
    if isinstance(
        error, TimeoutError | openai.APITimeoutError | openai.APIConnectionError | httpx.TransportError
    ):
        return True
    status = status_of(error)
    return status is not None and (status in (408, 409, 429) or status >= 500)


def retry_after_s(error: BaseException) -> float | None:
    """The server's Retry-After (seconds or an HTTP date), when it sent one."""
    if not isinstance(error, openai.APIStatusError):
        return None
    value = error.response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def sentence_for(error: BaseException, *, timeout_s: float) -> str:
    """One plain sentence on why the model did not answer. Never includes the API's text."""
    status = status_of(error)
    if status == 429:
        return f"The language model is rate-limiting me right now; ask again in a minute. {STILL_WORKS}"
    if status in (401, 403):
        return (
            f"The language model refused the bot's credentials (HTTP {status}); "
            f"an admin should check OPENAI_API_KEY and run `chatops check`. {STILL_WORKS}"
        )
    if status is not None and status >= 500:
        return f"The language model service is failing (HTTP {status}); try again shortly. {STILL_WORKS}"
    if status is not None:
        return (
            f"The language model rejected the request (HTTP {status}); rephrase, "
            f"or `!forget` to clear a long conversation. {STILL_WORKS}"
        )
    if isinstance(error, TimeoutError | openai.APITimeoutError):
        return f"The language model did not answer within {timeout_s:g} s; try again shortly. {STILL_WORKS}"
    if isinstance(error, openai.APIConnectionError | httpx.TransportError):
        return f"I cannot reach the language model; an admin can run `chatops check`. {STILL_WORKS}"
    if isinstance(error, ValueError | openai.APIResponseValidationError):  # JSONDecodeError too
        return f"The language model sent an answer I could not read; try again shortly. {STILL_WORKS}"
    return f"The language model call failed ({type(error).__name__}). {STILL_WORKS}"


class CircuitBreaker:
    """Closed → open after `failures` in a row → one trial after `cooldown_s`."""

    def __init__(
        self, *, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = failures
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def failures(self) -> int:
        return self._failures

    def wait_s(self) -> float | None:
        """None when a call may go ahead now; otherwise seconds until the next trial."""
        if self._opened_at is None:
            return None
        left = self._opened_at + self._cooldown_s - self._clock()
        if left > 0 or self._trial:
            return max(left, 1.0)
        self._trial = True
        return None

    def record_success(self) -> None:
        self._failures, self._opened_at, self._trial = 0, None, False

    def record_failure(self) -> None:
        self._failures += 1
        self._trial = False
        if self._failures >= self._limit:
            self._opened_at = self._clock()


def _wait(policy: GatePolicy) -> Callable[[RetryCallState], float]:
    backoff = wait_exponential_jitter(
        multiplier=policy.initial_backoff_s, max=policy.max_backoff_s, jitter=policy.initial_backoff_s
    )

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        told = retry_after_s(error) if error is not None else None
        return told if told is not None else backoff(state)

    return wait


class ModelGate:
    """Retries and the breaker around every model call of one bot."""

    def __init__(self, policy: GatePolicy, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.breaker = CircuitBreaker(failures=policy.failures, cooldown_s=policy.cooldown_s, clock=clock)

    def refusal(self) -> str | None:
        """The sentence to answer at once while the breaker is open, else None."""
        wait = self.breaker.wait_s()
        if wait is None:
            return None
        failures = self.breaker.failures
        times = "once" if failures == 1 else f"{failures} times in a row"
        return f"The language model failed {times}, so I am not asking it for the next {wait:.0f} s. {STILL_WORKS}"

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.policy.timeout_s
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_attempts) | stop_before_delay(self.policy.timeout_s),
            wait=_wait(self.policy),
            retry=retry_if_exception(is_retryable),
            reraise=True,
        )
        last: BaseException | None = None
        try:
            async for attempt in retrying:
                with attempt:
                    remaining = deadline - loop.time()
                    if remaining <= MIN_ATTEMPT_S:  # no time for another try: report the last failure
                        raise last or TimeoutError()
                    try:
                        result = await asyncio.wait_for(fn(), timeout=remaining)
                    except Exception as e:
                        last = e
                        raise
        except Exception as e:
            counts = is_retryable(e) or status_of(e) in (401, 403)
            if counts:
                self.breaker.record_failure()
            raise ModelUnavailable(sentence_for(e, timeout_s=self.policy.timeout_s)) from e
        self.breaker.record_success()
        return result
