"""Who is asking: the signed Flask session cookie, for REST and Socket.IO alike."""

from __future__ import annotations

from flask import g, session

from meetings.db import db
from meetings.models import User


def current_user() -> User | None:
    if "user" not in g:
        g.user = None
        uid = session.get("uid")
        if isinstance(uid, int):
            user = db.get(User, uid)
            if user is not None and user.is_active and session.get("epoch") == user.session_epoch:
                g.user = user
    found: User | None = g.user
    return found


def start_session(user: User) -> None:
    session.clear()
    session["uid"] = user.id
    session["epoch"] = user.session_epoch
    g.user = user


def end_session() -> None:
    session.clear()
    g.pop("user", None)
