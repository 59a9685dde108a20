"""Check-in, marking, quorum rules, and bridge presence from Socket.IO connections."""

from __future__ import annotations

from typing import Any

import pytest

from meetings.db import db
from meetings.services.room import attendance
from meetings.services.room.quorum import required as required_for
from tests.realtime.room import ROLE_USERS, Room, ack_error, ack_ok, clear, events, make_room


def mark(sc: Any, room: Room, username: str, status: str) -> Any:
    """The ack of the secretary's attendance.mark for one person."""
    payload = {"meeting_id": room.meeting_id, "user_id": room.users[username], "status": status}
    return sc.emit("attendance.mark", payload, callback=True)


def joined(sc: Any, room: Room) -> dict[str, Any]:
    snap: dict[str, Any] = ack_ok(
        sc.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)
    )
    clear(sc)
    return snap


@pytest.mark.parametrize(
    ("rule", "total", "required"),
    [
        ("majority", 10, 6),
        ("majority", 9, 5),
        ("majority", 1, 1),
        ("two_thirds", 9, 6),
        ("two_thirds", 10, 7),
        ("three_quarters", 8, 6),
        ("three_quarters", 0, 0),
    ],
)
def test_required_for(rule: str, total: int, required: int) -> None:
    assert required_for(rule, total) == required


def test_checkin_mark_counts_and_quorum(room: Room, as_role: Any, app: Any) -> None:
    sec = as_role("secretary")
    snap = joined(sec, room)
    q = snap["attendance"]["quorum"]
    # Voting delegates: delegate01 + delegate05..08 = 5; majority needs 3.
    assert (q["voting_total"], q["voting_present"], q["required"], q["reached"]) == (5, 0, 3, False)
    delegate = as_role("delegate")
    assert ack_ok(
        delegate.emit("attendance.checkin", {"meeting_id": room.meeting_id}, callback=True)
    ) == {"changed": True}
    # A retry after a lost ack changes nothing and emits nothing.
    assert ack_ok(
        delegate.emit("attendance.checkin", {"meeting_id": room.meeting_id}, callback=True)
    ) == {"changed": False}
    assert len(events(sec, "attendance.updated")) == 1
    for name in ("delegate05", "delegate06"):
        ack_ok(mark(sec, room, name, "present"))
    data = events(sec, "attendance.updated")[-1]["data"]
    assert data["quorum"]["voting_present"] == 3 and data["quorum"]["reached"] is True
    assert data["counts"]["present"] == 3
    ack_ok(mark(sec, room, "delegate07", "excused"))
    data = events(sec, "attendance.updated")[-1]["data"]
    assert data["counts"]["excused"] == 1
    person = next(p for p in data["people"] if p["user_id"] == room.users["delegate07"])
    assert (person["status"], person["source"]) == ("excused", "mark")
    with app.app_context():
        assert attendance.present_user_ids(room.meeting_id) == {
            room.users[u] for u in ("delegate01", "delegate05", "delegate06")
        }
        db.remove()
    # Marking someone who is not in the meeting.
    assert ack_error(mark(sec, room, "delegate04", "present")) == "not_found"
    assert ack_error(mark(sec, room, "delegate05", "late")) == "invalid_payload"


def test_two_thirds_rule(app: Any) -> None:
    room = make_room(app, quorum_rule="two_thirds")
    with app.app_context():
        assert attendance.quorum(room.meeting_id)["required"] == 4  # ceil(5 * 2/3)
        db.remove()


def test_bridge_presence_per_connection_and_rollup(
    room: Room, as_role: Any, socket_for: Any, app: Any
) -> None:
    chair = as_role("chair")
    snap = joined(chair, room)
    bridges = snap["attendance"]["bridges"]
    assert (bridges["total"], bridges["connected"]) == (4, 0)
    district = next(n for n in bridges["tree"] if n["unit_id"] == room.district_id)
    assert (district["sites_total"], district["sites_connected"]) == (4, 0)
    assert any(n["depth"] == 0 for n in bridges["tree"])  # province root of the roll-up

    first = as_role("bridge_operator")
    joined(first, room)
    data = events(chair, "attendance.updated")[-1]["data"]
    assert data["bridges"]["connected"] == 1
    node = {n["unit_id"]: n for n in data["bridges"]["tree"]}
    assert node[room.commune_ids[0]]["connected"] is True
    assert node[room.district_id]["sites_connected"] == 1
    province = next(n for n in data["bridges"]["tree"] if n["depth"] == 0)
    assert province["sites_connected"] == 1
    with app.app_context():
        assert room.users["bridge"] in attendance.present_user_ids(room.meeting_id)
        db.remove()

    # A second tab / a reconnect before the old socket timed out: counted once, no event.
    clear(chair)
    second = socket_for(ROLE_USERS["bridge_operator"])
    joined(second, room)
    assert events(chair, "attendance.updated") == []
    first.disconnect()
    assert events(chair, "attendance.updated") == []  # still connected through `second`
    second.disconnect()
    data = events(chair, "attendance.updated")[-1]["data"]
    assert data["bridges"]["connected"] == 0
    with app.app_context():
        assert room.users["bridge"] not in attendance.present_user_ids(room.meeting_id)
        db.remove()


def test_leave_drops_presence(room: Room, as_role: Any) -> None:
    chair = as_role("chair")
    joined(chair, room)
    op = as_role("bridge_operator")
    joined(op, room)
    ack_ok(op.emit("meeting.leave", {"meeting_id": room.meeting_id}, callback=True))
    assert events(chair, "attendance.updated")[-1]["data"]["bridges"]["connected"] == 0
