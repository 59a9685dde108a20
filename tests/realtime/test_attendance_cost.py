"""The attendance part of every join's snapshot stays cheap with hundreds of people."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import event

from meetings.db import db
from meetings.models import Attendance, AttendanceStatus, Meeting, Participant, User
from meetings.services.room import attendance
from tests.realtime.room import Room


def test_attendance_state_loads_no_object_per_person(room: Room, app: Any) -> None:
    # 500 tablets joining each built this list; one ORM object per person and row (and
    # their identity-map bookkeeping) was most of a join's time. Rows of columns instead.
    with app.app_context():
        meeting = db.get(Meeting, room.meeting_id)
        assert meeting is not None
        db.add(Attendance(meeting_id=meeting.id, user_id=room.users["delegate05"],
                          status=AttendanceStatus.EXCUSED, source="secretary"))  # fmt: skip
        db.commit()
        loaded: Counter[str] = Counter()

        def count(target: Any, _context: Any) -> None:
            loaded[type(target).__name__] += 1

        for cls in (User, Participant, Attendance):
            event.listen(cls, "load", count)
        try:
            state = attendance.attendance_state(meeting)
        finally:
            for cls in (User, Participant, Attendance):
                event.remove(cls, "load", count)
        people = {p["user_id"]: p for p in state["people"]}
        total = db.query(Participant).filter_by(meeting_id=meeting.id).count()
        db.remove()
    assert len(people) == total > 5
    assert people[room.users["delegate05"]]["status"] == "excused"
    assert people[room.users["delegate05"]]["source"] == "secretary"
    assert people[room.users["delegate01"]]["status"] is None
    assert loaded == Counter()
