"""A speaking turn ends by itself: its limit plus a grace period after it was granted.

Like poll_timers: a greenlet per running turn in the worker that granted it, armed again
whenever a worker builds the speakers' state (snapshot), so a restarted worker picks the
turn up. Ending is idempotent (services.room.speakers.end_if_due is a conditional UPDATE), so
timers in several workers and the chair's own "end" may race: exactly one ends the turn.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask, current_app

from meetings.clock import now
from meetings.db import db, transaction
from meetings.events.outbox import Outbox
from meetings.extensions import socketio
from meetings.models import Meeting, SpeakerRequest
from meetings.services.room import speakers

log = logging.getLogger(__name__)

_scheduled: dict[int, datetime] = {}  # request id -> when its timer fires


def ensure_end_timer(meeting: Meeting, req: SpeakerRequest) -> None:
    """Make sure this worker ends turn `req` when it is due."""
    due = speakers.turn_ends_at(meeting, req)
    if _scheduled.get(req.id) == due:
        return
    _scheduled[req.id] = due
    delay = max((due - now()).total_seconds(), 0.0)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    socketio.start_background_task(_end_later, app, meeting.id, req.id, due, delay)


def _end_later(app: Flask, meeting_id: int, request_id: int, due: datetime, delay: float) -> None:
    socketio.sleep(delay)
    try:
        with app.app_context():
            end_if_due(meeting_id, request_id)
            db.remove()
    except Exception:
        log.exception("speaking turn auto-end failed", extra={"request_id": request_id})
    finally:
        if _scheduled.get(request_id) == due:  # a later re-arm keeps its own entry
            _scheduled.pop(request_id, None)


def end_if_due(meeting_id: int, request_id: int) -> bool:
    """End the turn if it is due; True if this call ended it."""
    outbox = Outbox()
    with transaction():
        meeting = db.get(Meeting, meeting_id)
        ended = meeting is not None and speakers.end_if_due(meeting, request_id, outbox)
    outbox.send()
    return ended
