"""Deadlines kept by greenlets: one per key in each worker, fired in an app context.

Poll closing and the end of a speaking turn both work this way. Firing must be idempotent
(a conditional UPDATE), because every worker that saw the deadline arms its own timer and
the chair may act first: exactly one of them changes anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from meetings.clock import now
from meetings.db import db
from meetings.extensions import socketio

log = logging.getLogger(__name__)


class Deadlines:
    """`arm(key, due, meeting_id)` makes this worker call `fire(meeting_id, key)` at `due`."""

    def __init__(self, what: str, fire: Callable[[int, int], object]) -> None:
        self._what = what  # for the log: "poll deadline close", "speaking turn auto-end"
        self._fire = fire
        self._due: dict[int, datetime] = {}

    def arm(self, key: int, due: datetime, meeting_id: int) -> None:
        if self._due.get(key) == due:
            return  # already armed for this moment (snapshots and accesses re-arm)
        self._due[key] = due
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        socketio.start_background_task(self._later, app, key, due, meeting_id)

    def _later(self, app: Flask, key: int, due: datetime, meeting_id: int) -> None:
        socketio.sleep(max((due - now()).total_seconds(), 0.0))
        try:
            with app.app_context():
                self._fire(meeting_id, key)
                db.remove()
        except Exception:
            log.exception("%s failed", self._what, extra={"key": key})
        finally:
            if self._due.get(key) == due:  # a later re-arm keeps its own entry
                self._due.pop(key, None)
