"""The one way an event leaves the server over Socket.IO; installed as the outbox's emitter."""

from __future__ import annotations

from typing import Any

from meetings.events.catalogue import check_event
from meetings.extensions import socketio


def emit_event(
    name: str,
    payload: Any,
    *,
    to: str,
    skip_sid: str | None = None,
    ignore_queue: bool = False,
) -> None:
    """The one way an event leaves the server: checked, then emitted to a room
    (`ignore_queue`: to this worker's clients only, not through the message queue)."""
    check_event(name, payload)
    socketio.emit(name, payload, to=to, skip_sid=skip_sid, ignore_queue=ignore_queue)
