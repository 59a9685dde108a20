"""The floor: request, withdraw, grant, end, reorder, remove, history, current_speaker()."""

from __future__ import annotations

from typing import Any

from meetings.db import db
from meetings.services.room.speakers import current_speaker
from tests.realtime.room import Room, ack_error, ack_ok, clear, events, make_room


def on_request(sc: Any, command: str, meeting_id: int, request_id: int) -> Any:
    """The ack of a command on one speaker request (grant, withdraw, remove)."""
    return sc.emit(command, {"meeting_id": meeting_id, "request_id": request_id}, callback=True)


def joined(sc: Any, room: Room) -> dict[str, Any]:
    snap: dict[str, Any] = ack_ok(
        sc.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)
    )
    clear(sc)
    return snap


def test_request_grant_end_history(room: Room, as_role: Any, app: Any) -> None:
    mid = room.meeting_id
    sec, delegate, bridge = as_role("secretary"), as_role("delegate"), as_role("bridge_operator")
    snap = joined(sec, room)
    assert [r["id"] for r in snap["speakers"]["queue"]] == [room.request_id]
    mine = ack_ok(
        delegate.emit("speaker.request", {"meeting_id": mid, "topic": " Đầu tư "}, callback=True)
    )
    assert mine["topic"] == "Đầu tư" and mine["status"] == "waiting"
    assert (
        ack_error(delegate.emit("speaker.request", {"meeting_id": mid}, callback=True))
        == "conflict"
    )
    site = ack_ok(bridge.emit("speaker.request", {"meeting_id": mid}, callback=True))
    assert site["bridge_unit"]["id"] == room.commune_ids[0]

    ack_ok(
        sec.emit(
            "speaker.reorder",
            {"meeting_id": mid, "request_ids": [site["id"], mine["id"], room.request_id]},
            callback=True,
        )
    )
    queue = events(sec, "speaker.updated")[-1]["data"]["queue"]
    assert [r["id"] for r in queue] == [site["id"], mine["id"], room.request_id]
    assert (
        ack_error(
            sec.emit(
                "speaker.reorder", {"meeting_id": mid, "request_ids": [site["id"]]}, callback=True
            )
        )
        == "conflict"
    )

    ack_ok(
        sec.emit(
            "speaker.grant",
            {"meeting_id": mid, "request_id": site["id"], "limit_seconds": 120},
            callback=True,
        )
    )
    current = events(sec, "speaker.updated")[-1]["data"]["current"]
    assert current["id"] == site["id"] and current["limit_seconds"] == 120
    with app.app_context():
        on_air = current_speaker(mid)
        db.remove()
    assert on_air is not None and on_air["bridge_unit"]["id"] == room.commune_ids[0]

    # Granting the next one ends the current turn; it goes into the history.
    ack_ok(on_request(sec, "speaker.grant", mid, mine["id"]))
    data = events(sec, "speaker.updated")[-1]["data"]
    assert data["current"]["user_id"] == room.users["delegate01"]
    assert data["current"]["limit_seconds"] == 300  # the meeting's default
    assert [h["id"] for h in data["history"]] == [site["id"]]
    assert data["history"][0]["duration_seconds"] is not None
    ack_ok(sec.emit("speaker.end", {"meeting_id": mid}, callback=True))
    assert ack_error(sec.emit("speaker.end", {"meeting_id": mid}, callback=True)) == "conflict"
    with app.app_context():
        assert current_speaker(mid) is None
        db.remove()
    data = events(sec, "speaker.updated")[-1]["data"]
    assert [h["id"] for h in data["history"]] == [site["id"], mine["id"]]
    # A finished request cannot be granted again.
    assert ack_error(on_request(sec, "speaker.grant", mid, mine["id"])) == "conflict"


def test_withdraw_and_remove(room: Room, as_role: Any, app: Any) -> None:
    mid = room.meeting_id
    sec, delegate, observer = as_role("secretary"), as_role("delegate"), as_role("observer")
    joined(sec, room)
    req = ack_ok(delegate.emit("speaker.request", {"meeting_id": mid}, callback=True))
    # Someone else's request is not yours to withdraw.
    assert ack_error(on_request(observer, "speaker.withdraw", mid, req["id"])) == "not_found"
    ack_ok(on_request(delegate, "speaker.withdraw", mid, req["id"]))
    assert ack_error(on_request(delegate, "speaker.withdraw", mid, req["id"])) == "conflict"
    # Granting a withdrawn request no longer applies.
    assert ack_error(on_request(sec, "speaker.grant", mid, req["id"])) == "conflict"
    ack_ok(on_request(sec, "speaker.remove", mid, room.request_id))
    assert events(sec, "speaker.updated")[-1]["data"]["queue"] == []
    # A request id from another meeting is not found here.
    other = make_room(app)
    assert ack_error(on_request(sec, "speaker.grant", mid, other.request_id)) == "not_found"


def test_ending_the_meeting_closes_the_floor(room: Room, as_role: Any) -> None:
    mid = room.meeting_id
    chair, delegate = as_role("chair"), as_role("delegate")
    joined(delegate, room)
    ack_ok(on_request(chair, "speaker.grant", mid, room.request_id))
    ack_ok(chair.emit("meeting.end", {"meeting_id": mid}, callback=True))
    data = events(delegate, "speaker.updated")[-1]["data"]
    assert data["current"] is None and [h["id"] for h in data["history"]] == [room.request_id]
    assert (
        ack_error(delegate.emit("speaker.request", {"meeting_id": mid}, callback=True))
        == "conflict"
    )


def test_payload_limits(room: Room, as_role: Any) -> None:
    delegate = as_role("delegate")
    mid = room.meeting_id
    for payload in (
        {"meeting_id": mid, "topic": "x" * 201},
        {"meeting_id": mid, "topic": 5},
        {"meeting_id": mid, "topic": "ok", "urgent": True},
        {"meeting_id": mid, "topic": "x" * 1_000_000},
    ):
        assert (
            ack_error(delegate.emit("speaker.request", payload, callback=True)) == "invalid_payload"
        )
