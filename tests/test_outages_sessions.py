"""One worker, in process: logout ends that login's sockets (and no other's), and the
version beacon tells each meeting room the version in the database. The same across
two real workers and a Redis outage: tests/test_outages_mq.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from meetings.db import db, transaction
from meetings.extensions import socketio
from meetings.models import Meeting
from meetings.realtime.beacon import BEACON, beacon_once
from tests.conftest import post
from tests.realtime.room import Room, make_room


def _events(sc: Any, name: str) -> list[Any]:
    # The test client's raw queue: get_received() refuses once the server disconnected.
    return [p["args"][0] for p in sc.queue if p["name"] == name]


def test_logout_ends_that_logins_sockets(app: Any, login_as: Any, socket_for: Any) -> None:
    tablet = login_as("delegate01")
    first = socketio.test_client(app, flask_test_client=tablet)
    second = socketio.test_client(app, flask_test_client=tablet)  # another tab, same login
    elsewhere = socket_for("delegate01")  # the same person, signed in on another device
    assert first.is_connected() and second.is_connected()

    r = post(tablet, "/api/auth/logout")
    assert r.status_code == 200, r.get_json()

    for sc in (first, second):
        assert not sc.is_connected()
        assert [e["data"] for e in _events(sc, "session.ended")] == [{"reason": "logged_out"}]
    assert elsewhere.is_connected()
    assert (
        elsewhere.emit("meeting.snapshot", {"meeting_id": 10**9}, callback=True)["error"]["code"]
        == "not_found"
    )
    assert _events(elsewhere, "session.ended") == []
    # And the browser's cookie no longer opens a socket.
    assert not socketio.test_client(app, flask_test_client=tablet).is_connected()


def test_beacon_tells_each_meeting_room_its_database_version(app: Any, socket_for: Any) -> None:
    room: Room = make_room(app)
    joined = socket_for("delegate01")
    idle = socket_for("delegate02")  # connected, in no meeting room
    snap = joined.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)["data"]
    joined.get_received()

    with app.app_context():
        assert beacon_once(socketio.server) >= 1
    beacons = [e for e in _events(joined, BEACON) if e["meeting_id"] == room.meeting_id]
    assert beacons == [{"meeting_id": room.meeting_id, "version": None,
                        "data": {"version": snap["version"]}}]  # fmt: skip
    assert _events(idle, BEACON) == []

    # A change whose event never arrived (a lost message): the next beacon shows it.
    with app.app_context():
        with transaction():
            db.execute(
                update(Meeting)
                .where(Meeting.id == room.meeting_id)
                .values(state_version=Meeting.state_version + 1)
            )
        db.remove()
        joined.queue.clear()
        beacon_once(socketio.server)
    beacons = [e for e in _events(joined, BEACON) if e["meeting_id"] == room.meeting_id]
    assert beacons[0]["data"]["version"] == snap["version"] + 1
