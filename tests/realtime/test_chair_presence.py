"""The chair is marked present by opening (joining) a scheduled or running meeting."""

from __future__ import annotations

from typing import Any

import pytest

from meetings.db import db
from meetings.models import Attendance
from meetings.models.meetings import MeetingStatus
from tests.realtime.room import Room, ack_ok, clear, events, make_room


def join(sc: Any, room: Room) -> dict[str, Any]:
    snap: dict[str, Any] = ack_ok(
        sc.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)
    )
    return snap


def person(attendance: dict[str, Any], user_id: int) -> dict[str, Any]:
    return next(p for p in attendance["people"] if p["user_id"] == user_id)


def attendance_rows(app: Any, meeting_id: int) -> list[tuple[int, str, str]]:
    with app.app_context():
        rows = [
            (row.user_id, row.status.value, row.source)
            for row in db.query(Attendance).filter_by(meeting_id=meeting_id)
        ]
        db.remove()
    return rows


@pytest.mark.parametrize("status", [MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS])
def test_chair_joining_is_present_once(app: Any, as_role: Any, status: MeetingStatus) -> None:
    room = make_room(app, status=status)
    secretary = as_role("secretary")
    join(secretary, room)
    clear(secretary)
    chair_id = room.users["chair"]

    snap = join(as_role("chair"), room)
    mine = person(snap["attendance"], chair_id)
    assert (mine["status"], mine["source"]) == ("present", "join")
    assert snap["attendance"]["counts"]["present"] == 1
    # The chair does not vote: the quorum still counts delegates only.
    assert snap["attendance"]["quorum"]["voting_present"] == 0
    sent = events(secretary, "attendance.updated")
    assert len(sent) == 1
    assert person(sent[0]["data"], chair_id)["status"] == "present"

    # A second tab, or a rejoin after a reconnect, changes nothing and sends nothing.
    clear(secretary)
    join(as_role("chair"), room)
    assert events(secretary, "attendance.updated") == []
    assert attendance_rows(app, room.meeting_id) == [(chair_id, "present", "join")]


def test_the_secretarys_mark_stands_when_the_chair_reopens(
    room: Room, as_role: Any, app: Any
) -> None:
    secretary = as_role("secretary")
    join(secretary, room)
    payload = {"meeting_id": room.meeting_id, "user_id": room.users["chair"], "status": "absent"}
    ack_ok(secretary.emit("attendance.mark", payload, callback=True))
    clear(secretary)
    join(as_role("chair"), room)  # e.g. the console reconnecting after a Wi-Fi drop
    assert events(secretary, "attendance.updated") == []
    assert attendance_rows(app, room.meeting_id) == [(room.users["chair"], "absent", "mark")]


@pytest.mark.parametrize("role", ["secretary", "delegate", "observer", "guest", "unit_admin"])
def test_other_roles_joining_change_nothing(room: Room, as_role: Any, app: Any, role: str) -> None:
    secretary = as_role("secretary")
    join(secretary, room)
    clear(secretary)
    snap = join(as_role(role), room)
    assert snap["attendance"]["counts"]["present"] == 0
    assert events(secretary, "attendance.updated") == []
    assert attendance_rows(app, room.meeting_id) == []


@pytest.mark.parametrize("status", [MeetingStatus.ENDED, MeetingStatus.CANCELLED])
def test_chair_opening_a_closed_meeting_changes_nothing(
    app: Any, as_role: Any, status: MeetingStatus
) -> None:
    room = make_room(app, status=status)
    secretary = as_role("secretary")
    join(secretary, room)
    clear(secretary)
    snap = join(as_role("chair"), room)
    assert person(snap["attendance"], room.users["chair"])["status"] is None
    assert events(secretary, "attendance.updated") == []
    assert attendance_rows(app, room.meeting_id) == []
