"""Issue 10 §1: joining or resyncing while someone holds the floor (and in overtime) must
answer the full snapshot, for every role, and the speaker part must match its schema."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from meetings.clock import now
from meetings.db import db, transaction
from meetings.models import SpeakerRequest
from meetings.schemas.room import SpeakersOut
from tests.realtime.room import Room, ack_ok

ROLES = ("chair", "secretary", "delegate", "guest", "bridge_operator")


def _push_turn_back(app: Any, request_id: int, seconds: int) -> None:
    """Make the running turn look `seconds` old (no sleeping on a busy machine)."""
    with app.app_context():
        with transaction():
            req = db.get(SpeakerRequest, request_id)
            assert req is not None
            req.started_at = now() - timedelta(seconds=seconds)
        db.remove()


def _snapshots(as_role: Any, room: Room) -> list[dict[str, Any]]:
    out = []
    for role in ROLES:
        sc = as_role(role)
        ref = {"meeting_id": room.meeting_id}
        out.append(ack_ok(sc.emit("meeting.join", ref, callback=True)))
        out.append(ack_ok(sc.emit("meeting.snapshot", ref, callback=True)))
    return out


def test_join_and_snapshot_while_floor_held_and_in_overtime(
    room: Room, as_role: Any, app: Any
) -> None:
    chair = as_role("chair")
    grant = {"meeting_id": room.meeting_id, "request_id": room.request_id, "limit_seconds": 60}
    ack_ok(chair.emit("speaker.grant", grant, callback=True))

    for snap in _snapshots(as_role, room):
        current = SpeakersOut.model_validate(snap["speakers"]).current
        assert current is not None and current.id == room.request_id
        assert not current.warning and not current.overrun
        assert current.warning_seconds == 30  # a 60 s turn warns for its last half at most

    assert room.request_id is not None
    _push_turn_back(app, room.request_id, 45)  # in the warning window
    for snap in _snapshots(as_role, room):
        current = SpeakersOut.model_validate(snap["speakers"]).current
        assert current is not None and current.warning and not current.overrun

    _push_turn_back(app, room.request_id, 61)  # overtime (the grace period keeps it open)
    for snap in _snapshots(as_role, room):
        current = SpeakersOut.model_validate(snap["speakers"]).current
        assert current is not None and current.overrun
