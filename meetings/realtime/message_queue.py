"""The Socket.IO client manager: in-process for one worker, Redis for several.

Two changes to python-socketio's RedisManager (5.18):
- its listener waits 1, 2, 4 … 60 s between reconnects, so after a 20 s Redis outage
  cross-worker delivery came back 11 s late; ours retries every `RETRY_S`;
- `session.ended` (logout) must close that session's sockets on every worker, and only
  the worker holding a socket can close it: each worker closes its own on receipt.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import socketio

from meetings.realtime.sessions import SESSION_ENDED, end_local_sockets

RETRY_S = 1.0


class QueueManager(socketio.RedisManager):  # type: ignore[misc]
    def __init__(self, url: str) -> None:
        super().__init__(url, channel="flask-socketio")  # Flask-SocketIO's channel name

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                yield from self.pubsub.listen()
            except Exception as exc:
                self._get_logger().warning(
                    "message queue unreachable, retrying in %s s: %s", RETRY_S, exc
                )
                subscribed = False
                time.sleep(RETRY_S)

    def _handle_emit(self, message: dict[str, Any]) -> None:
        super()._handle_emit(message)
        # The sender's worker ends its own sockets directly (see sessions.end_login).
        if message.get("event") == SESSION_ENDED and message.get("host_id") != self.host_id:
            end_local_sockets(self.server, str(message.get("room")))


def client_manager(redis_url: str | None) -> socketio.Manager:
    return QueueManager(redis_url) if redis_url else socketio.Manager()
