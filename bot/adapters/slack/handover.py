"""What the ack server hands the core: each acknowledged Slack request, as it came, one frame each.

A frame is a 4-byte big-endian length and that many bytes: when the ack
server read the request (`time.monotonic()`, the same clock in both
processes, 8 bytes) and whether it came within the burst gap of the request
before it (1 byte), a 4-byte length and that much JSON (`{"query": …,
"headers": {…}}`), then the body as Slack sent it (its bytes are not escaped
into the JSON: that was most of a frame's cost). The core reads the time and
the burst flag as the frame arrives and decodes the rest only when it
dispatches the request, after the burst. Two frames carry no request: the
empty frame says the ack server is serving (`Signal.READY`), and a frame of
one zero byte says a burst has paused (`Signal.QUIET`). The channel is a
private socket pair between the two processes, so a frame needs no signature
of its own; the core checks Slack's signature again all the same. This
module encodes and decodes; it decides nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import json
import struct
from collections.abc import Mapping, Sequence

_LENGTH = struct.Struct(">I")
_HEAD = struct.Struct(">d?I")  # read at, in a burst, header length
MAX_FRAME_BYTES = 4_000_000  # a Slack request is at most 1 MB; its JSON form a little more


class HandoverError(Exception):
    """The other side sent something that is not a frame."""


@dataclasses.dataclass(frozen=True)
class Request:
    body: str
    query: str
    headers: Mapping[str, str | Sequence[str]]


@dataclasses.dataclass(frozen=True)
class Handover:
    """A handed-over request: when it came and whether in a burst; `request()` decodes the rest."""

    at: float  # when the ack server read it (time.monotonic())
    burst: bool  # it came within the burst gap of the request before it
    frame: bytes  # the whole frame, decoded by `request()`

    def request(self) -> Request:
        try:
            meta_length = _HEAD.unpack_from(self.frame)[2]
            body_at = _HEAD.size + meta_length
            if body_at > len(self.frame):
                raise ValueError("the header is longer than the frame")
            fields = json.loads(self.frame[_HEAD.size : body_at])
            return Request(
                body=self.frame[body_at:].decode(), query=fields["query"], headers=fields["headers"]
            )
        except (ValueError, KeyError, TypeError, struct.error) as e:
            raise HandoverError("a frame that is not a handed-over request") from e


class Signal(enum.Enum):
    READY = "ready"  # the ack server is serving
    QUIET = "quiet"  # no request came for the burst gap: the burst has paused


READY = _LENGTH.pack(0)
QUIET = _LENGTH.pack(1) + b"\0"


def encode(
    body: bytes,
    *,
    query: str,
    headers: Mapping[str, str | Sequence[str]],
    at: float,
    burst: bool,
) -> bytes:
    """`body`: the request's bytes, UTF-8 (the ack server refuses any other)."""
    meta = json.dumps({"query": query, "headers": headers}, separators=(",", ":")).encode()
    return b"".join(
        (_LENGTH.pack(_HEAD.size + len(meta) + len(body)), _HEAD.pack(at, burst, len(meta)), meta, body)
    )


async def read_frame(reader: asyncio.StreamReader) -> Handover | Signal:
    """The next request or signal. Raises `asyncio.IncompleteReadError` at the end."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length == 0:
        return Signal.READY
    if length > MAX_FRAME_BYTES:
        raise HandoverError(f"a frame of {length} bytes is over the limit")
    frame = await reader.readexactly(length)
    if length == 1:
        return Signal.QUIET
    if length < _HEAD.size:
        raise HandoverError("a frame shorter than its header")
    at, burst, _ = _HEAD.unpack_from(frame)
    return Handover(at=at, burst=burst, frame=frame)
