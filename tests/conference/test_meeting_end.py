"""What "Bế mạc" (meeting.end) closes, what is refused afterwards, and who follows the
conference (in-process app and Socket.IO test clients; the live node part is in
test_live.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from media.protocol import ERROR_CODES
from meetings.media_bridge import conference_state, node_errors, nodes
from meetings.media_bridge.nodes import NodeError
from meetings.models.meetings import MeetingStatus
from tests.conftest import csrf_token
from tests.documents.conftest import write_blank_pdf
from tests.documents_web.conftest import upload
from tests.realtime.room import Room, make_room


@pytest.fixture
def room(app: Any) -> Iterator[Room]:
    conference_state.reset()
    nodes.registry.clear()
    yield make_room(app)
    conference_state.reset()
    nodes.registry.clear()


def _joined(socket_for: Any, user: str, room: Room) -> Any:
    sc = socket_for(user)
    ack = sc.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)
    assert ack["ok"], ack
    sc.get_received()
    return sc


def _ok(ack: dict[str, Any]) -> Any:
    assert ack["ok"], ack
    return ack["data"]


def _error(ack: dict[str, Any]) -> dict[str, Any]:
    assert not ack["ok"], ack
    return dict(ack["error"])


def _names(sc: Any) -> list[str]:
    return [e["name"] for e in sc.get_received()]


def test_meeting_end_closes_floor_poll_and_presenter_and_refuses_them_after(
    login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    mid = room.meeting_id
    pdf = write_blank_pdf(tmp_path / "slides.pdf", 3)
    doc_id = upload(login_as("secretary"), mid, pdf).get_json()["document"]["id"]
    chair = _joined(socket_for, "chair", room)
    delegate = _joined(socket_for, "delegate01", room)

    # Running when the chair ends: a turn, a waiting request, an open poll with one
    # ballot, a draft, the presenter.
    _ok(
        chair.emit(
            "speaker.grant", {"meeting_id": mid, "request_id": room.request_id}, callback=True
        )
    )
    _ok(delegate.emit("speaker.request", {"meeting_id": mid, "topic": ""}, callback=True))
    poll = _ok(chair.emit("poll.create", {"meeting_id": mid, "title": "Thông qua"}, callback=True))[
        "poll"
    ]
    poll = _ok(chair.emit("poll.open", {"meeting_id": mid, "poll_id": poll["id"]}, callback=True))[
        "poll"
    ]
    ballot = {
        "meeting_id": mid,
        "poll_id": poll["id"],
        "ballot_id": str(uuid.uuid4()),
        "choices": [poll["options"][0]["id"]],
    }
    _ok(delegate.emit("poll.cast", ballot, callback=True))
    draft = _ok(chair.emit("poll.create", {"meeting_id": mid, "title": "Nháp"}, callback=True))[
        "poll"
    ]
    _ok(chair.emit("presenter.open", {"meeting_id": mid, "document_id": doc_id}, callback=True))
    delegate.get_received()

    closed = _ok(chair.emit("meeting.end", {"meeting_id": mid}, callback=True))
    assert closed == {
        "speaker_requests_closed": 2,
        "polls_closed": [poll["id"]],
        "presenter_stopped": True,
    }
    seen = _names(delegate)
    for name in ("speaker.updated", "poll.closed", "presenter.changed", "meeting.updated"):
        assert name in seen, (name, seen)

    snap = _ok(delegate.emit("meeting.join", {"meeting_id": mid}, callback=True))
    assert snap["meeting"]["status"] == "ended"
    assert snap["presenter"] is None
    assert snap["speakers"]["current"] is None and snap["speakers"]["queue"] == []
    # The open poll was counted and sealed, not published; the draft stays a draft.
    chair_snap = _ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    current = chair_snap["poll"]["current"]
    assert current["id"] == poll["id"] and current["status"] == "closed"
    assert current["voted_count"] == 1
    assert [d["id"] for d in chair_snap["poll"]["drafts"]] == [draft["id"]]

    # Nothing live starts again: `closed`, a Vietnamese message, and no change.
    version = snap["version"]
    refused = [
        (chair, "poll.create", {"title": "Mới"}),
        (chair, "poll.open", {"poll_id": draft["id"]}),
        (chair, "poll.update", {"poll_id": draft["id"], "title": "Sửa"}),
        (chair, "poll.delete", {"poll_id": draft["id"]}),
        (chair, "poll.publish", {"poll_id": poll["id"]}),
        (chair, "presenter.open", {"document_id": doc_id}),
        (chair, "presenter.page", {"page": 1}),
        (chair, "presenter.stop", {}),
        (chair, "conference.on_air", {"unit_id": None}),
        (chair, "conference.mute", {"unit_id": room.commune_ids[0], "muted": True}),
        (chair, "conference.recording_start", {}),
    ]
    for sc, name, payload in refused:
        error = _error(sc.emit(name, {"meeting_id": mid, **payload}, callback=True))
        assert error["code"] == "closed", (name, error)
        assert error["message"] == "Cuộc họp đã kết thúc.", (name, error)
        assert error["details"] == {"reason": "meeting_ended"}
    bridge = socket_for("bridge")
    join = {"meeting_id": mid, "offer": {"type": "offer", "sdp": "v=0\r\n"}}
    assert _error(bridge.emit("conference.join", join, callback=True))["code"] == "closed"
    after = _ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert after["version"] == version and after["presenter"] is None


def test_conference_updated_goes_only_to_those_who_may_join_it(socket_for: Any, room: Room) -> None:
    mid = room.meeting_id
    chair = _joined(socket_for, "chair", room)
    bridge = socket_for("bridge")
    bridge_snap = _ok(bridge.emit("meeting.join", {"meeting_id": mid}, callback=True))
    delegate = socket_for("delegate01")
    delegate_snap = _ok(delegate.emit("meeting.join", {"meeting_id": mid}, callback=True))
    projector_like = socket_for("delegate03")  # a guest in this room
    _ok(projector_like.emit("meeting.join", {"meeting_id": mid}, callback=True))
    # A delegate may read the state once, but does not subscribe by it.
    _ok(delegate.emit("conference.state", {"meeting_id": mid}, callback=True))
    assert bridge_snap["conference"]["chair_unit_id"] == room.district_id
    assert delegate_snap["conference"] is None
    for sc in (bridge, delegate, projector_like):
        sc.get_received()

    mute = {"meeting_id": mid, "unit_id": room.commune_ids[0], "muted": True}
    _ok(chair.emit("conference.mute", mute, callback=True))
    got = [e["args"][0] for e in bridge.get_received() if e["name"] == "conference.updated"]
    assert len(got) == 1 and got[0]["version"] is None
    muted = [s["unit_id"] for s in got[0]["data"]["sites"] if s["muted"]]
    assert muted == [room.commune_ids[0]]
    assert "conference.updated" in _names(chair)
    for outsider in (delegate, projector_like):
        assert "conference.updated" not in _names(outsider)
    # An unversioned audience event does not move the meeting's version (no gap for tablets).
    again = _ok(delegate.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert again["version"] == delegate_snap["version"]


@pytest.mark.parametrize("code", sorted({*ERROR_CODES, "unavailable", "timeout"}))
def test_node_errors_reach_users_in_vietnamese(code: str) -> None:
    english = "offer has no audio or video section"
    error = node_errors.app_error(NodeError(code, english))
    assert error.message != english and error.message in node_errors.NODE_MESSAGES.values()
    assert error.details == {"node_code": code, "node_message": english}


def test_cancelling_a_prepared_meeting_stops_its_presenter_too(
    app: Any, login_as: Any, socket_for: Any, tmp_path: Path
) -> None:
    room = make_room(app, status=MeetingStatus.SCHEDULED)
    mid = room.meeting_id
    pdf = write_blank_pdf(tmp_path / "slides.pdf", 2)
    secretary = login_as("secretary")
    doc_id = upload(secretary, mid, pdf).get_json()["document"]["id"]
    chair = _joined(socket_for, "chair", room)
    _ok(chair.emit("presenter.open", {"meeting_id": mid, "document_id": doc_id}, callback=True))
    cancelled = secretary.post(
        f"/api/meetings/{mid}/cancel", headers={"X-CSRFToken": csrf_token(secretary)}
    )
    assert cancelled.status_code == 200, cancelled.get_json()
    snap = _ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert snap["meeting"]["status"] == "cancelled" and snap["presenter"] is None
    error = _error(
        chair.emit("presenter.open", {"meeting_id": mid, "document_id": doc_id}, callback=True)
    )
    assert (error["code"], error["message"]) == ("closed", "Cuộc họp đã bị hủy.")
