"""Rate-limited keyframe requests (RTCP PLI) towards one source."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class KeyframeRequester:
    """Merges keyframe requests to one PLI per ``interval`` (first one goes at once)."""

    def __init__(self, send: Callable[[], Awaitable[bool]], interval: float) -> None:
        self._send = send
        self._interval = interval
        self._last = -1e9
        self._pending: asyncio.TimerHandle | None = None
        self.sent = 0

    def request(self, urgent: bool = False) -> None:
        """``urgent``: send now even within the interval (once per event, e.g. a stream
        returning after a blackout), replacing any PLI scheduled for later."""
        if urgent:
            self.cancel()
            self._fire()
            return
        if self._pending is not None:
            return  # merged into the PLI already scheduled
        wait = self._last + self._interval - time.monotonic()
        if wait <= 0:
            self._fire()
        else:
            self._pending = asyncio.get_running_loop().call_later(wait, self._fire)

    def _fire(self) -> None:
        self._pending = None
        self._last = time.monotonic()
        task = asyncio.ensure_future(self._send())
        task.add_done_callback(self._count)

    def _count(self, task: asyncio.Future[bool]) -> None:
        if not task.cancelled() and task.exception() is None and task.result():
            self.sent += 1

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
