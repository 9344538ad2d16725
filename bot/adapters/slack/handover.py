"""What the ack server hands the core: each acknowledged Slack request, as it came, one frame each.

A frame is a 4-byte big-endian length and that many bytes: a 4-byte length
and that much JSON (`{"query": …, "headers": {…}, "at": …, "burst": …}`),
then the body as Slack sent it (its bytes are not escaped into the JSON: that
was most of a frame's cost). `at` is when the ack server read the request
(`time.monotonic()`, the same clock in both processes) and `burst` whether it
came within the burst gap of the request before it. Two frames carry no
request: the empty frame says the ack server is serving (`Signal.READY`), and
a frame with an empty header says a burst has paused (`Signal.QUIET`). The
channel is a private socket pair between the two processes, so a frame needs
no signature of its own; the core checks Slack's signature again all the
same. This module encodes and decodes; it decides nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import json
import struct
from collections.abc import Mapping, Sequence

_LENGTH = struct.Struct(">I")
MAX_FRAME_BYTES = 4_000_000  # a Slack request is at most 1 MB; its JSON form a little more


class HandoverError(Exception):
    """The other side sent something that is not a frame."""


@dataclasses.dataclass(frozen=True)
class Handover:
    body: str
    query: str
    headers: Mapping[str, str | Sequence[str]]
    at: float = 0.0  # when the ack server read it (time.monotonic())
    burst: bool = False  # it came within the burst gap of the request before it


class Signal(enum.Enum):
    READY = "ready"  # the ack server is serving
    QUIET = "quiet"  # no request came for the burst gap: the burst has paused


READY = _LENGTH.pack(0)
QUIET = _LENGTH.pack(_LENGTH.size) + _LENGTH.pack(0)


def encode(
    body: bytes,
    *,
    query: str,
    headers: Mapping[str, str | Sequence[str]],
    at: float,
    burst: bool,
) -> bytes:
    """`body`: the request's bytes, UTF-8 (the ack server refuses any other)."""
    meta = json.dumps(
        {"query": query, "headers": headers, "at": at, "burst": burst}, separators=(",", ":")
    ).encode()
    return b"".join((_LENGTH.pack(_LENGTH.size + len(meta) + len(body)), _LENGTH.pack(len(meta)), meta, body))


async def read_frame(reader: asyncio.StreamReader) -> Handover | Signal:
    """The next request or signal. Raises `asyncio.IncompleteReadError` at the end."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length == 0:
        return Signal.READY
    if length > MAX_FRAME_BYTES:
        raise HandoverError(f"a frame of {length} bytes is over the limit")
    frame = await reader.readexactly(length)
    try:
        (meta_length,) = _LENGTH.unpack_from(frame)
        if meta_length == 0 and length == _LENGTH.size:
            return Signal.QUIET
        body_at = _LENGTH.size + meta_length
        if body_at > length:
            raise ValueError("the header is longer than the frame")
        fields = json.loads(frame[_LENGTH.size : body_at])
        return Handover(
            body=frame[body_at:].decode(),
            query=fields["query"],
            headers=fields["headers"],
            at=float(fields["at"]),
            burst=bool(fields["burst"]),
        )
    except (ValueError, KeyError, TypeError, struct.error) as e:
        raise HandoverError("a frame that is not a handed-over request") from e
