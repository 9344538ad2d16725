"""Invalid UTF-8 and NUL bytes on the console's stdin are replaced, recorded, and the console goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_console_on_piped_stdin import chatops, write_config


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8:surrogateescape"])
async def test_bad_bytes_on_stdin_are_replaced_and_recorded(tmp_path: Path, encoding: str) -> None:
    config = write_config(tmp_path, tmp_path / "none")
    code, out, err = await chatops(
        "--config",
        str(config),
        "chat",
        "--user",
        "alice",
        stdin=b"caf\xe9 \xff\x00 bad\n!history\n",
        env={"PYTHONIOENCODING": encoding},
    )
    assert code == 0, err
    assert "Traceback" not in out + err and "unavailable" not in out
    assert "caf\ufffd \ufffd bad" in out  # !history shows what was recorded
