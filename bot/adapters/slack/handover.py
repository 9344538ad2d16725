"""What the ack server hands the core: each acknowledged Slack request, as it came, one frame each.

A frame is a 4-byte big-endian length and that many bytes: a 4-byte length
and that much JSON (`{"query": …, "headers": {…}}`), then the body as Slack
sent it (its bytes are not escaped into the JSON: that was most of a frame's
cost); the empty frame says the ack server is serving. The channel is a private socket pair between the two
processes, so a frame needs no signature of its own; the core's Bolt app
checks Slack's signature again all the same. This module encodes and
decodes; it decides nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
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


READY = _LENGTH.pack(0)


def encode(body: bytes, *, query: str, headers: Mapping[str, str | Sequence[str]]) -> bytes:
    """`body`: the request's bytes, UTF-8 (the ack server refuses any other)."""
    meta = json.dumps({"query": query, "headers": headers}, separators=(",", ":")).encode()
    return b"".join((_LENGTH.pack(_LENGTH.size + len(meta) + len(body)), _LENGTH.pack(len(meta)), meta, body))


async def read_frame(reader: asyncio.StreamReader) -> Handover | None:
    """The next request; `None` for the ready frame. Raises `asyncio.IncompleteReadError` at the end."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length == 0:
        return None
    if length > MAX_FRAME_BYTES:
        raise HandoverError(f"a frame of {length} bytes is over the limit")
    frame = await reader.readexactly(length)
    try:
        (meta_length,) = _LENGTH.unpack_from(frame)
        body_at = _LENGTH.size + meta_length
        if body_at > length:
            raise ValueError("the header is longer than the frame")
        fields = json.loads(frame[_LENGTH.size : body_at])
        return Handover(body=frame[body_at:].decode(), query=fields["query"], headers=fields["headers"])
    except (ValueError, KeyError, TypeError, struct.error) as e:
        raise HandoverError("a frame that is not a handed-over request") from e
