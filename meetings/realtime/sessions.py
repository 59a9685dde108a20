"""A login's sockets end with the login: every socket joins the room of its login
session, and logout tells that room `session.ended`, then closes its sockets on every
worker (this one here, the others in message_queue.QueueManager).

Socket.IO keeps a copy of the Flask session taken at connect, so without this a socket
would stay signed in after its browser logged out.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from flask import session
from flask_socketio import join_room
from pydantic import BaseModel, ConfigDict

from meetings.events.catalogue import event
from meetings.extensions import socketio
from meetings.realtime.events import emit_event

SESSION_ENDED = "session.ended"


class SessionEnded(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    reason: Literal["logged_out"]


event(
    SESSION_ENDED,
    schema=SessionEnded,
    summary="Phiên đăng nhập này vừa đăng xuất: máy chủ ngắt kết nối ngay sau sự kiện. "
    "Phong bì không gắn cuộc họp (`meeting_id` và `version` null).",
    example={"reason": "logged_out"},
    meeting_scoped=False,
)
_LOGIN_KEY = "login"  # the Flask session key holding this login's random id


def new_login() -> None:
    """Give the (just started) Flask session an id of its own: one per sign-in."""
    session[_LOGIN_KEY] = secrets.token_urlsafe(16)


def login_room(login_id: str) -> str:
    return f"login:{login_id}"


def join_login_room() -> None:
    """Called from the connect handler: file this socket under its login session."""
    login_id = session.get(_LOGIN_KEY)
    if isinstance(login_id, str):
        join_room(login_room(login_id))


def current_login() -> str | None:
    login_id = session.get(_LOGIN_KEY)
    return login_id if isinstance(login_id, str) else None


def end_login(login_id: str | None) -> None:
    """Tell the login's sockets they are signed out, then close them on every worker."""
    if login_id is None:
        return
    room = login_room(login_id)
    envelope = {"meeting_id": None, "version": None, "data": {"reason": "logged_out"}}
    emit_event(SESSION_ENDED, envelope, to=room)
    end_local_sockets(socketio.server, room)


def end_local_sockets(server: Any, room: str) -> None:
    """Close the sockets of `room` that this worker holds (after the event queued above:
    the client gets `session.ended` before the disconnect)."""
    sids = [sid for sid, _eio_sid in server.manager.get_participants("/", room)]
    for sid in sids:
        server.disconnect(sid, ignore_queue=True)
