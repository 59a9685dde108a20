from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetings.db import db
from meetings.extensions import socketio
from meetings.models import Meeting


def demo_meeting_id() -> int:
    meeting_id = db.scalar(select(Meeting.id).where(Meeting.title.like("Phiên họp UBND tỉnh%")))
    assert meeting_id is not None
    return int(meeting_id)


def test_connect_refused_without_session(app: Any, client: Any) -> None:
    sc = socketio.test_client(app, flask_test_client=client)
    assert not sc.is_connected()


def test_connect_accepted_with_session(socket_for: Any) -> None:
    sc = socket_for("delegate01")
    assert sc.is_connected()


def test_join_returns_snapshot_with_version(socket_for: Any) -> None:
    sc = socket_for("delegate01")
    ack = sc.emit("meeting.join", {"meeting_id": demo_meeting_id()}, callback=True)
    assert ack["ok"] is True
    snap = ack["data"]
    assert isinstance(snap["version"], int)
    assert snap["meeting"]["title"].startswith("Phiên họp UBND tỉnh")
    assert snap["meeting"]["my_role"] == "delegate"
    assert "poll.vote" in snap["meeting"]["my_permissions"]


def test_outsider_gets_not_found(socket_for: Any, app: Any) -> None:
    # The system admin has no role in the meeting but manages every unit: may view.
    admin = socket_for("admin").emit(
        "meeting.join", {"meeting_id": demo_meeting_id()}, callback=True
    )
    assert admin["ok"] is True
    sc = socket_for("delegate01")
    for meeting_id in (demo_meeting_id() + 10_000, -1):
        ack = sc.emit("meeting.join", {"meeting_id": meeting_id}, callback=True)
        assert ack == {
            "ok": False,
            "error": {"code": "not_found", "message": "Không tìm thấy cuộc họp."},
        }


def test_bad_payloads_are_invalid_payload(socket_for: Any) -> None:
    sc = socket_for("delegate01")
    for payload in (None, "x", [1], {"meeting_id": "1"}, {"meeting_id": 1, "extra": True}, {}):
        ack = sc.emit("meeting.join", payload, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload", payload


def test_unknown_command(socket_for: Any) -> None:
    ack = socket_for("delegate01").emit("nope.nothing", {}, callback=True)
    assert ack["error"]["code"] == "unknown_command"
