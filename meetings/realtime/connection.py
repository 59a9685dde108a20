"""Socket.IO connection: authenticated from the Flask session; every event is a command."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError

from meetings.auth import current_user
from meetings.extensions import socketio
from meetings.outages import database_unavailable, is_database_outage
from meetings.realtime import beacon  # noqa: F401  # declares meeting.beacon
from meetings.realtime.hooks import run_disconnect
from meetings.realtime.registry import dispatch
from meetings.realtime.sessions import join_login_room


@socketio.on("connect")  # type: ignore[misc]
def on_connect(_auth: Any = None) -> None:
    try:
        user = current_user()
    except Exception as exc:
        if not is_database_outage(exc):
            raise
        # Refuse with a reason the client can show; it retries by itself.
        error = database_unavailable().body()["error"]
        raise ConnectionRefusedError("unavailable", error) from None
    if user is None:
        raise ConnectionRefusedError("not_authenticated")
    join_login_room()


@socketio.on("disconnect")  # type: ignore[misc]
def on_disconnect(_reason: Any = None) -> None:
    sid: str = request.sid  # type: ignore[attr-defined]
    run_disconnect(sid)


@socketio.on("*")  # type: ignore[misc]
def on_command(name: str, payload: Any = None) -> dict[str, Any]:
    sid: str = request.sid  # type: ignore[attr-defined]
    return dispatch(name, payload, sid)
