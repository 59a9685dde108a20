"""presenter.* declare the permission they really need: `present`, held by the chair and,
while their item is current, by the agenda item's named presenter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from meetings.db import db, transaction
from meetings.models import AgendaItem
from meetings.permissions import SITUATIONAL_PERMS, Perm
from meetings.realtime import load_commands
from meetings.realtime.registry import COMMANDS
from tests.realtime.room import ROLE_USERS, Room

from .conftest import upload, write_blank_pdf

PRESENTER_COMMANDS = ("presenter.open", "presenter.page", "presenter.zoom", "presenter.stop")


def _name_presenter(app: Any, item_id: int, presenter: str) -> None:
    with app.app_context():
        with transaction():
            item = db.get(AgendaItem, item_id)
            assert item is not None
            item.presenter = presenter
        db.remove()


def _payloads(meeting_id: int, doc_id: int) -> dict[str, dict[str, Any]]:
    return {
        "presenter.open": {"meeting_id": meeting_id, "document_id": doc_id, "page": 1},
        "presenter.page": {"meeting_id": meeting_id, "page": 2},
        "presenter.zoom": {"meeting_id": meeting_id, "x": 0.0, "y": 0.0, "w": 0.5, "h": 0.5},
        "presenter.stop": {"meeting_id": meeting_id},
    }


def _my_permissions(sc: Any, meeting_id: int) -> set[str]:
    ack = sc.emit("meeting.join", {"meeting_id": meeting_id}, callback=True)
    assert ack["ok"], ack
    return set(ack["data"]["meeting"]["my_permissions"])


def test_declared_permission_predicts_every_answer(
    app: Any, login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    """Whoever holds the declared permission is never refused `permission_denied`, and
    whoever lacks it always is: the registry, not the handler, decides."""
    load_commands()
    assert {COMMANDS[n].permission for n in PRESENTER_COMMANDS} == {Perm.PRESENT}
    pdf = write_blank_pdf(tmp_path / "slides.pdf", 4)
    doc_id = upload(login_as("secretary"), room.meeting_id, pdf).get_json()["document"]["id"]
    _name_presenter(app, room.item_ids[0], "LÊ VĂN AN")  # delegate01 is "Lê Văn An"
    mismatches = []
    for role, username in ROLE_USERS.items():
        if role in ("outsider", "unit_admin"):
            continue
        sc = socket_for(username)
        declared_held = "present" in _my_permissions(sc, room.meeting_id)
        for name, payload in _payloads(room.meeting_id, doc_id).items():
            ack = sc.emit(name, payload, callback=True)
            denied = not ack["ok"] and ack["error"]["code"] == "permission_denied"
            if denied == declared_held:
                mismatches.append((role, name, declared_held, ack))
    assert mismatches == []


def test_item_presenter_holds_present_only_while_the_item_is_current(
    app: Any, login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    pdf = write_blank_pdf(tmp_path / "bao-cao.pdf", 3)
    doc_id = upload(login_as("secretary"), room.meeting_id, pdf).get_json()["document"]["id"]
    mid = room.meeting_id
    delegate = socket_for("delegate01")
    assert "present" not in _my_permissions(delegate, mid)
    _name_presenter(app, room.item_ids[0], "le van an")
    assert "present" in _my_permissions(delegate, mid)
    opened = delegate.emit(
        "presenter.open", {"meeting_id": mid, "document_id": doc_id}, callback=True
    )
    assert opened["ok"], opened
    chair = socket_for("chair")
    assert chair.emit("agenda.next", {"meeting_id": mid}, callback=True)["ok"]
    assert "present" not in _my_permissions(delegate, mid)
    ack = delegate.emit("presenter.page", {"meeting_id": mid, "page": 1}, callback=True)
    assert ack["error"]["code"] == "permission_denied"
    assert chair.emit("presenter.page", {"meeting_id": mid, "page": 1}, callback=True)["ok"]


def test_situational_grants_are_described() -> None:
    assert set(SITUATIONAL_PERMS) == {Perm.PRESENT}
    assert "presenter" in SITUATIONAL_PERMS[Perm.PRESENT]
