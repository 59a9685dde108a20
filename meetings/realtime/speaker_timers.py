"""A speaking turn ends by itself: its limit plus a grace period after it was granted.

Like poll_timers: a deadline (realtime/deadlines.py) per running turn in the worker that
granted it, armed again whenever a worker builds the speakers' state (snapshot), so a
restarted worker picks the turn up. Ending is idempotent (services.room.speakers.end_if_due
is a conditional UPDATE), so timers in several workers and the chair's own "end" may race:
exactly one ends the turn.
"""

from __future__ import annotations

from meetings.db import db, transaction
from meetings.events.outbox import Outbox
from meetings.models import Meeting, SpeakerRequest
from meetings.realtime.deadlines import Deadlines
from meetings.services.room import speakers


def ensure_end_timer(meeting: Meeting, req: SpeakerRequest) -> None:
    """Make sure this worker ends turn `req` when it is due."""
    _ending.arm(req.id, speakers.turn_ends_at(meeting, req), meeting.id)


def end_if_due(meeting_id: int, request_id: int) -> bool:
    """End the turn if it is due; True if this call ended it."""
    outbox = Outbox()
    with transaction():
        meeting = db.get(Meeting, meeting_id)
        ended = meeting is not None and speakers.end_if_due(meeting, request_id, outbox)
    outbox.send()
    return ended


_ending = Deadlines("speaking turn auto-end", end_if_due)
