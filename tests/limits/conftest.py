from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.limits.redis_server import RedisServer, _free_port


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(port=_free_port(), workdir=tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()
