"""Presenter sync through the Socket.IO protocol, and upload progress events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from meetings.db import db, transaction
from meetings.events.catalogue import EVENTS
from meetings.models import AgendaItem
from tests.realtime.room import Room

from .conftest import upload, write_blank_pdf


def _events(sc: Any, name: str) -> list[Any]:
    return [e["args"][0] for e in sc.get_received() if e["name"] == name]


def _joined(socket_for: Any, user: str, room: Room) -> Any:
    sc = socket_for(user)
    ack = sc.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)
    assert ack["ok"], ack
    return sc


def test_room_follows_the_presenter(
    app: Any, login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    pdf = write_blank_pdf(tmp_path / "slides.pdf", 12)
    doc_id = upload(login_as("secretary"), room.meeting_id, pdf).get_json()["document"]["id"]
    chair = _joined(socket_for, "chair", room)
    tablets = [_joined(socket_for, u, room) for u in ("delegate01", "delegate02")]
    bridge = _joined(socket_for, "bridge", room)
    for sc in (*tablets, bridge):
        sc.get_received()
    mid = room.meeting_id
    ack = chair.emit("presenter.open", {"meeting_id": mid, "document_id": doc_id}, callback=True)
    assert ack["ok"], ack
    assert ack["data"]["page"] == 0 and ack["data"]["page_count"] == 12
    assert chair.emit("presenter.page", {"meeting_id": mid, "page": 5}, callback=True)["ok"]
    zoom = {"meeting_id": mid, "x": 0.25, "y": 0.5, "w": 0.5, "h": 0.25}
    assert chair.emit("presenter.zoom", zoom, callback=True)["ok"]
    for sc in (*tablets, bridge):
        seen = _events(sc, "presenter.changed")
        assert [e["data"]["presenter"]["page"] for e in seen] == [0, 5, 5]
        assert seen[-1]["data"]["presenter"]["zoom"] == {"x": 0.25, "y": 0.5, "w": 0.5, "h": 0.25}
        versions = [e["version"] for e in seen]
        assert versions == sorted(versions) and len(set(versions)) == 3
    # A tablet that reconnects gets the same state from its snapshot.
    late = socket_for("delegate03")
    snap = late.emit("meeting.join", {"meeting_id": mid}, callback=True)["data"]
    assert snap["presenter"]["document_id"] == doc_id and snap["presenter"]["page"] == 5
    # Delegates follow; they do not drive.
    ack = tablets[0].emit("presenter.page", {"meeting_id": mid, "page": 1}, callback=True)
    assert ack["error"]["code"] == "permission_denied"
    ack = chair.emit("presenter.page", {"meeting_id": mid, "page": 12}, callback=True)
    assert ack["error"]["code"] == "invalid_payload"
    bad_zoom = {**zoom, "x": 0.9, "w": 0.5}
    assert chair.emit("presenter.zoom", bad_zoom, callback=True)["error"]["code"] == (
        "invalid_payload"
    )
    assert chair.emit("presenter.stop", {"meeting_id": mid}, callback=True)["ok"]
    assert _events(tablets[1], "presenter.changed")[-1]["data"]["presenter"] is None
    snap = late.emit("meeting.snapshot", {"meeting_id": mid}, callback=True)["data"]
    assert snap["presenter"] is None
    ack = chair.emit("presenter.page", {"meeting_id": mid, "page": 1}, callback=True)
    assert ack["error"]["code"] == "conflict"


def test_agenda_item_presenter_may_present(
    app: Any, login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    pdf = write_blank_pdf(tmp_path / "bao-cao.pdf", 3)
    doc_id = upload(login_as("secretary"), room.meeting_id, pdf).get_json()["document"]["id"]
    with app.app_context():
        with transaction():
            item = db.get(AgendaItem, room.item_ids[0])  # the current item
            assert item is not None
            item.presenter = "le van an"  # delegate01 "Lê Văn An", typed without marks
        db.remove()
    presenter = _joined(socket_for, "delegate01", room)
    other = _joined(socket_for, "delegate02", room)
    open_ = {"meeting_id": room.meeting_id, "document_id": doc_id, "page": 2}
    assert presenter.emit("presenter.open", open_, callback=True)["ok"]
    assert other.emit("presenter.open", open_, callback=True)["error"]["code"] == (
        "permission_denied"
    )
    outsider = socket_for("delegate04")
    assert outsider.emit("presenter.open", open_, callback=True)["error"]["code"] == "not_found"


def test_upload_progress_reaches_managers_only(
    login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    pdf = write_blank_pdf(tmp_path / "dai.pdf", 40)
    secretary_socket = _joined(socket_for, "secretary", room)
    delegate_socket = _joined(socket_for, "delegate01", room)
    for sc in (secretary_socket, delegate_socket):
        sc.get_received()
    r = upload(login_as("secretary"), room.meeting_id, pdf, upload_id="u-test1")
    assert r.status_code == 201
    envelopes = _events(secretary_socket, "document.progress")
    # The documented envelope, unversioned, around a payload that fits the declared schema.
    assert all(e["meeting_id"] == room.meeting_id and e["version"] is None for e in envelopes)
    progress = [EVENTS["document.progress"].schema.model_validate(e["data"]) for e in envelopes]
    progress = [p.model_dump() for p in progress]
    assert progress and {p["upload_id"] for p in progress} == {"u-test1"}
    stages = [p["stage"] for p in progress]
    assert stages[0] == "queued" and stages[-1] == "ready"
    received = delegate_socket.get_received()
    assert not [e for e in received if e["name"] == "document.progress"]
    changed = [e["args"][0] for e in received if e["name"] == "document.changed"]
    assert changed[0]["data"] == {
        "op": "added",
        "document_id": r.get_json()["document"]["id"],
        "replaces_id": None,
    }
