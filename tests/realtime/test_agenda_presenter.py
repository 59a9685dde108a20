"""The agenda editor's server side: a presenter who is a person (and gets the presenter
rights only while their item is current), the planned total, reorder and delete."""

from __future__ import annotations

from typing import Any

from meetings.db import db, transaction
from meetings.models import AgendaItem
from tests.realtime.room import Room, ack_error, ack_ok, clear, events, version


def _perms(sc: Any, meeting_id: int) -> set[str]:
    snap = ack_ok(sc.emit("meeting.snapshot", {"meeting_id": meeting_id}, callback=True))
    return set(snap["meeting"]["my_permissions"])


def _items(sc: Any, meeting_id: int) -> dict[int, dict[str, Any]]:
    snap = ack_ok(sc.emit("meeting.snapshot", {"meeting_id": meeting_id}, callback=True))
    return {i["id"]: i for i in snap["agenda"]["items"]}


def _joined(as_role: Any, role: str, room: Room) -> Any:
    sc = as_role(role)
    ack_ok(sc.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True))
    clear(sc)
    return sc


def test_named_person_presents_only_while_their_item_is_current(room: Room, as_role: Any) -> None:
    mid = room.meeting_id
    secretary = _joined(as_role, "secretary", room)
    chair = _joined(as_role, "chair", room)
    delegate = _joined(as_role, "delegate", room)  # delegate01, "Lê Văn An"
    delegate_id = room.users["delegate01"]
    item = room.item_ids[1]  # "Báo cáo", not current
    ack_ok(
        secretary.emit(
            "agenda.update",
            {"meeting_id": mid, "item_id": item, "presenter_user_id": delegate_id},
            callback=True,
        )
    )
    shown = events(secretary, "agenda.updated")[-1]["data"]["items"]
    row = next(i for i in shown if i["id"] == item)
    assert (row["presenter"], row["presenter_user_id"]) == ("Lê Văn An", delegate_id)
    assert "present" not in _perms(delegate, mid)  # not yet their item
    ack_ok(chair.emit("agenda.jump", {"meeting_id": mid, "item_id": item}, callback=True))
    assert "present" in _perms(delegate, mid)
    assert "present" not in _perms(as_role("observer"), mid)
    ack_ok(chair.emit("agenda.next", {"meeting_id": mid}, callback=True))
    assert "present" not in _perms(delegate, mid)


def test_the_id_wins_over_a_matching_name(app: Any, room: Room, as_role: Any) -> None:
    """Once an item names a person, someone else whose name matches the text gets nothing;
    legacy items (no id) still match by name."""
    mid = room.meeting_id
    observer_id = room.users["delegate02"]
    with app.app_context():
        with transaction():
            item = db.get(AgendaItem, room.item_ids[0])  # the current item
            assert item is not None
            item.presenter = "Lê Văn An"  # delegate01's name…
            item.presenter_user_id = observer_id  # …but the person is delegate02
        db.remove()
    assert "present" not in _perms(as_role("delegate"), mid)
    assert "present" in _perms(as_role("observer"), mid)
    with app.app_context():
        with transaction():
            item = db.get(AgendaItem, room.item_ids[0])
            assert item is not None
            item.presenter_user_id = None  # a legacy item: the name decides
        db.remove()
    assert "present" in _perms(as_role("delegate"), mid)
    assert "present" not in _perms(as_role("observer"), mid)


def test_presenter_must_be_a_participant(app: Any, room: Room, as_role: Any) -> None:
    mid = room.meeting_id
    secretary = _joined(as_role, "secretary", room)
    before = version(app, mid)
    outsider = room.users["delegate04"]  # an account with no part in this meeting
    for name, payload in (
        ("agenda.create", {"meeting_id": mid, "title": "Mới", "presenter_user_id": outsider}),
        (
            "agenda.update",
            {"meeting_id": mid, "item_id": room.item_ids[2], "presenter_user_id": outsider},
        ),
        (
            "agenda.update",
            {"meeting_id": mid, "item_id": room.item_ids[2], "presenter_user_id": 10**9},
        ),
    ):
        ack = secretary.emit(name, payload, callback=True)
        assert ack_error(ack) == "presenter_not_participant", payload
        assert "thành viên" in ack["error"]["message"]
    assert version(app, mid) == before
    assert events(secretary, "agenda.updated") == []


def test_free_text_presenter_and_clearing_the_person(room: Room, as_role: Any) -> None:
    mid = room.meeting_id
    secretary = _joined(as_role, "secretary", room)
    chair_id = room.users["chair"]
    new = ack_ok(
        secretary.emit(
            "agenda.create",
            {"meeting_id": mid, "title": "Tờ trình", "presenter_user_id": chair_id},
            callback=True,
        )
    )["id"]
    row = _items(secretary, mid)[new]
    assert row["presenter_user_id"] == chair_id and row["presenter"]
    # Saving the item with the same name shown keeps the person.
    ack_ok(
        secretary.emit(
            "agenda.update",
            {"meeting_id": mid, "item_id": new, "presenter": row["presenter"], "notes": "x"},
            callback=True,
        )
    )
    assert _items(secretary, mid)[new]["presenter_user_id"] == chair_id
    # Another typed name is an outside presenter: the person (and the rights) go.
    ack_ok(
        secretary.emit(
            "agenda.update",
            {"meeting_id": mid, "item_id": new, "presenter": "  GS. Nguyễn Khách Mời "},
            callback=True,
        )
    )
    row = _items(secretary, mid)[new]
    assert (row["presenter"], row["presenter_user_id"]) == ("GS. Nguyễn Khách Mời", None)
    ack_ok(
        secretary.emit(
            "agenda.update",
            {"meeting_id": mid, "item_id": new, "presenter_user_id": chair_id},
            callback=True,
        )
    )
    ack_ok(
        secretary.emit(
            "agenda.update",
            {"meeting_id": mid, "item_id": new, "presenter_user_id": None, "presenter": ""},
            callback=True,
        )
    )
    row = _items(secretary, mid)[new]
    assert (row["presenter"], row["presenter_user_id"]) == ("", None)


def test_planned_total_past_the_end_is_accepted(room: Room, as_role: Any) -> None:
    """The room meeting is planned for 2 hours; going past that is the editor's warning,
    never a refusal."""
    mid = room.meeting_id
    secretary = _joined(as_role, "secretary", room)
    snap = ack_ok(secretary.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert snap["agenda"]["planned_minutes_total"] == 10 + 5 + 10 + 10
    ack_ok(
        secretary.emit(
            "agenda.create",
            {"meeting_id": mid, "title": "Thảo luận dài", "planned_minutes": 300},
            callback=True,
        )
    )
    data = events(secretary, "agenda.updated")[-1]["data"]
    assert data["planned_minutes_total"] == 335 > 120


def test_reorder_sub_items_and_delete_cascade(room: Room, as_role: Any) -> None:
    mid = room.meeting_id
    secretary = _joined(as_role, "secretary", room)
    parent = room.item_ids[1]
    kids = [
        ack_ok(
            secretary.emit(
                "agenda.create",
                {"meeting_id": mid, "title": f"Ý kiến {n}", "parent_id": parent},
                callback=True,
            )
        )["id"]
        for n in (1, 2, 3)
    ]
    order = [kids[2], kids[0], kids[1]]
    ack_ok(
        secretary.emit(
            "agenda.reorder",
            {"meeting_id": mid, "parent_id": parent, "item_ids": order},
            callback=True,
        )
    )
    items = events(secretary, "agenda.updated")[-1]["data"]["items"]
    assert [i["id"] for i in items if i["parent_id"] == parent] == order
    # A sub-item cannot be moved among the top-level items by reorder.
    assert (
        ack_error(
            secretary.emit(
                "agenda.reorder",
                {"meeting_id": mid, "item_ids": [kids[0], *room.item_ids]},
                callback=True,
            )
        )
        == "conflict"
    )
    ack_ok(secretary.emit("agenda.delete", {"meeting_id": mid, "item_id": parent}, callback=True))
    left = {i["id"] for i in events(secretary, "agenda.updated")[-1]["data"]["items"]}
    assert parent not in left and not left & set(kids)
    assert set(room.item_ids) - {parent} <= left
