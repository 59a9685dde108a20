"""Length-prefixed JSON frames between the document pools and their workers.

JSON, not pickle: a worker parses hostile PDFs, and if one were ever subverted it must not
be able to make the web process run code by sending a crafted pickle.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from collections.abc import Callable
from typing import IO, Any

MAX_FRAME = 1 << 30  # a result of 2,000 pages with thumbnails is far below this
_HEADER = struct.Struct(">I")

Progress = Callable[[str, float], None]  # (stage, fraction done), as "progress" frames say


def write_frame(out: IO[bytes], msg: dict[str, Any]) -> None:
    data = json.dumps(msg, separators=(",", ":")).encode()
    out.write(_HEADER.pack(len(data)) + data)
    out.flush()


def read_frame(inp: IO[bytes]) -> dict[str, Any] | None:
    """Blocking read used by the worker; None at end of input."""
    head = inp.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (n,) = _HEADER.unpack(head)
    data = inp.read(n)
    if len(data) < n:
        return None
    msg: dict[str, Any] = json.loads(data)
    return msg


class FrameReader:
    """Parent side: reads frames from a pipe fd with a deadline (select + os.read).

    Only select() and os.read() on a readable fd, so it also cooperates under gevent.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = bytearray()

    def _fill(self, n: int, deadline: float) -> bool:
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.fd, max(65536, n - len(self.buf)))
            if not chunk:
                return False
            self.buf += chunk
        return True

    def read(self, deadline: float) -> dict[str, Any] | None:
        """Next frame, None on EOF; TimeoutError when `deadline` (monotonic) passes."""
        if not self._fill(_HEADER.size, deadline):
            return None
        (n,) = _HEADER.unpack_from(self.buf)
        if n > MAX_FRAME:
            raise ValueError("frame too large")
        if not self._fill(_HEADER.size + n, deadline):
            return None
        data = bytes(self.buf[_HEADER.size : _HEADER.size + n])
        del self.buf[: _HEADER.size + n]
        msg: dict[str, Any] = json.loads(data)
        return msg
