"""What the ack server hands the core: each acknowledged Slack request, as it came, one frame each.

A frame is a 4-byte big-endian length and that many bytes of JSON
(`{"body": …, "query": …, "headers": {…}}`); the empty frame says the ack
server is serving. The channel is a private socket pair between the two
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


def encode(body: str, *, query: str, headers: Mapping[str, str | Sequence[str]]) -> bytes:
    data = json.dumps({"body": body, "query": query, "headers": headers}, separators=(",", ":")).encode()
    return _LENGTH.pack(len(data)) + data


async def read_frame(reader: asyncio.StreamReader) -> Handover | None:
    """The next request; `None` for the ready frame. Raises `asyncio.IncompleteReadError` at the end."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length == 0:
        return None
    if length > MAX_FRAME_BYTES:
        raise HandoverError(f"a frame of {length} bytes is over the limit")
    try:
        fields = json.loads(await reader.readexactly(length))
        return Handover(body=fields["body"], query=fields["query"], headers=fields["headers"])
    except (ValueError, KeyError, TypeError) as e:
        raise HandoverError("a frame that is not a handed-over request") from e
