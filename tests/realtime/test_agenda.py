"""Agenda driving and editing over Socket.IO: acks, events, versions, timers, errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meetings.models.meetings import MeetingStatus
from tests.realtime.room import Room, ack_error, ack_ok, clear, events, make_room, version


def joined(as_role: Any, role: str, room: Room) -> tuple[Any, dict[str, Any]]:
    sc = as_role(role)
    snap = ack_ok(sc.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True))
    clear(sc)
    return sc, snap


def test_snapshot_has_agenda_timers_and_server_now(room: Room, as_role: Any) -> None:
    _, snap = joined(as_role, "delegate", room)
    agenda = snap["agenda"]
    assert agenda["current_item_id"] == room.item_ids[0]
    assert [i["id"] for i in agenda["items"]] == [
        room.item_ids[0],
        room.sub_item_id,
        room.item_ids[1],
        room.item_ids[2],
    ]
    first = agenda["items"][0]
    assert first["started_at"] is not None and first["overrun"] is False
    datetime.fromisoformat(agenda["server_now"])
    assert {"attendance", "speakers", "poll", "presenter"} <= set(snap)


def test_chair_drives_and_delegate_receives_in_version_order(room: Room, as_role: Any) -> None:
    chair, snap = joined(as_role, "chair", room)
    delegate, _ = joined(as_role, "delegate", room)
    v0 = snap["version"]
    ack_ok(chair.emit("agenda.next", {"meeting_id": room.meeting_id}, callback=True))
    ack_ok(chair.emit("agenda.next", {"meeting_id": room.meeting_id}, callback=True))
    got = events(delegate, "agenda.updated")
    assert [e["version"] for e in got] == [v0 + 1, v0 + 2]
    assert got[-1]["data"]["current_item_id"] == room.item_ids[1]  # depth first via sub-item
    items = {i["id"]: i for i in got[-1]["data"]["items"]}
    assert items[room.item_ids[0]]["started_at"] is None  # stopped, time kept
    assert items[room.item_ids[1]]["started_at"] is not None
    ack_ok(chair.emit("agenda.previous", {"meeting_id": room.meeting_id}, callback=True))
    assert events(delegate, "agenda.updated")[-1]["data"]["current_item_id"] == room.sub_item_id


def test_jump_set_current_extend(room: Room, as_role: Any, app: Any) -> None:
    chair, _ = joined(as_role, "chair", room)
    mid = room.meeting_id
    ack_ok(
        chair.emit("agenda.jump", {"meeting_id": mid, "item_id": room.item_ids[2]}, callback=True)
    )
    assert (
        ack_error(
            chair.emit(
                "agenda.jump", {"meeting_id": mid, "item_id": room.item_ids[2]}, callback=True
            )
        )
        == "conflict"
    )
    assert ack_error(chair.emit("agenda.next", {"meeting_id": mid}, callback=True)) == "conflict"
    ack_ok(chair.emit("agenda.extend", {"meeting_id": mid, "minutes": 7}, callback=True))
    data = events(chair, "agenda.updated")[-1]["data"]
    assert data["op"] == "extended"
    assert {i["id"]: i["extra_minutes"] for i in data["items"]}[room.item_ids[2]] == 7
    ack_ok(chair.emit("agenda.set_current", {"meeting_id": mid, "item_id": None}, callback=True))
    assert events(chair, "agenda.updated")[-1]["data"]["current_item_id"] is None
    # With no current item, extend needs an explicit item.
    assert (
        ack_error(chair.emit("agenda.extend", {"meeting_id": mid, "minutes": 1}, callback=True))
        == "conflict"
    )
    other = make_room(app).item_ids[0]
    assert (
        ack_error(chair.emit("agenda.jump", {"meeting_id": mid, "item_id": other}, callback=True))
        == "not_found"
    )


def test_start_and_end_lifecycle(app: Any, as_role: Any) -> None:
    room = make_room(app, status=MeetingStatus.SCHEDULED)
    chair, snap = joined(as_role, "chair", room)
    delegate, _ = joined(as_role, "delegate", room)
    mid = room.meeting_id
    assert snap["agenda"]["status"] == "scheduled"
    assert ack_error(chair.emit("agenda.next", {"meeting_id": mid}, callback=True)) == "conflict"
    ack_ok(chair.emit("meeting.start", {"meeting_id": mid}, callback=True))
    assert events(delegate, "meeting.updated")[-1]["data"]["status"] == "in_progress"
    agenda = events(delegate, "agenda.updated")[-1]["data"]
    assert agenda["current_item_id"] == room.item_ids[0] and agenda["started_at"]
    assert ack_error(chair.emit("meeting.start", {"meeting_id": mid}, callback=True)) == "conflict"
    ack_ok(chair.emit("meeting.end", {"meeting_id": mid}, callback=True))
    assert events(delegate, "meeting.updated")[-1]["data"]["status"] == "ended"
    before = version(app, mid)
    for name, extra in (
        ("agenda.next", {}),
        ("agenda.previous", {}),
        ("meeting.end", {}),
        ("agenda.extend", {"minutes": 3, "item_id": room.item_ids[0]}),
        ("agenda.create", {"title": "Muộn"}),
        ("attendance.checkin", {}),
    ):
        sender = delegate if name == "attendance.checkin" else chair
        ack = sender.emit(name, {"meeting_id": mid, **extra}, callback=True)
        assert ack_error(ack) == "conflict", name
    assert version(app, mid) == before


def test_edit_items_and_reorder(room: Room, as_role: Any) -> None:
    sec, _ = joined(as_role, "secretary", room)
    mid = room.meeting_id
    new = ack_ok(
        sec.emit(
            "agenda.create",
            {"meeting_id": mid, "title": "  Kết luận ", "planned_minutes": 15},
            callback=True,
        )
    )["id"]
    child = ack_ok(
        sec.emit(
            "agenda.create",
            {"meeting_id": mid, "title": "Ý kiến", "parent_id": room.item_ids[1]},
            callback=True,
        )
    )["id"]
    # Only one level of sub-items.
    assert (
        ack_error(
            sec.emit(
                "agenda.create",
                {"meeting_id": mid, "title": "x", "parent_id": child},
                callback=True,
            )
        )
        == "invalid_payload"
    )
    ack_ok(
        sec.emit(
            "agenda.update", {"meeting_id": mid, "item_id": new, "presenter": "VP"}, callback=True
        )
    )
    order = [new, *room.item_ids]
    ack_ok(sec.emit("agenda.reorder", {"meeting_id": mid, "item_ids": order}, callback=True))
    data = events(sec, "agenda.updated")[-1]["data"]
    tops = [i["id"] for i in data["items"] if i["parent_id"] is None]
    assert tops == order
    assert next(i for i in data["items"] if i["id"] == new)["title"] == "Kết luận"
    # Reorder must name every item of the level exactly once.
    assert (
        ack_error(
            sec.emit("agenda.reorder", {"meeting_id": mid, "item_ids": order[:-1]}, callback=True)
        )
        == "conflict"
    )
    assert (
        ack_error(
            sec.emit(
                "agenda.reorder", {"meeting_id": mid, "item_ids": [*order, new]}, callback=True
            )
        )
        == "invalid_payload"
    )
    # Deleting the current item (with its sub-item) leaves no current item.
    ack_ok(
        sec.emit("agenda.delete", {"meeting_id": mid, "item_id": room.item_ids[0]}, callback=True)
    )
    data = events(sec, "agenda.updated")[-1]["data"]
    assert data["current_item_id"] is None
    assert room.sub_item_id not in [i["id"] for i in data["items"]]


def test_invalid_payloads(room: Room, as_role: Any, app: Any) -> None:
    chair, _ = joined(as_role, "chair", room)
    mid = room.meeting_id
    before = version(app, mid)
    bad = [
        ("agenda.next", {"meeting_id": str(mid)}),
        ("agenda.next", {"meeting_id": mid, "extra": 1}),
        ("agenda.jump", {"meeting_id": mid, "item_id": 1.5}),
        ("agenda.jump", {"meeting_id": mid}),
        ("agenda.extend", {"meeting_id": mid, "minutes": 0}),
        ("agenda.extend", {"meeting_id": mid, "minutes": "5"}),
        ("agenda.create", {"meeting_id": mid, "title": ""}),
        ("agenda.create", {"meeting_id": mid, "title": "x" * 301}),
        ("agenda.create", {"meeting_id": mid, "title": "ok", "notes": "n" * 100_000}),
        ("agenda.reorder", {"meeting_id": mid, "item_ids": "1,2"}),
        ("agenda.reorder", {"meeting_id": mid, "item_ids": list(range(501))}),
        ("agenda.next", [mid]),
        ("agenda.next", None),
    ]
    for name, payload in bad:
        assert ack_error(chair.emit(name, payload, callback=True)) == "invalid_payload", payload
    assert version(app, mid) == before


def test_missed_events_are_detected_by_version_gap_and_resynced(room: Room, as_role: Any) -> None:
    chair, _ = joined(as_role, "chair", room)
    tablet, snap = joined(as_role, "delegate", room)
    last = snap["version"]
    tablet.disconnect()  # Wi-Fi drops
    ack_ok(chair.emit("agenda.next", {"meeting_id": room.meeting_id}, callback=True))
    ack_ok(
        chair.emit("agenda.extend", {"meeting_id": room.meeting_id, "minutes": 2}, callback=True)
    )
    tablet.connect()
    # Room membership does not survive a reconnect: the client joins again...
    ack_ok(tablet.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True))
    clear(tablet)
    ack_ok(chair.emit("agenda.next", {"meeting_id": room.meeting_id}, callback=True))
    event = events(tablet, "agenda.updated")[-1]
    assert event["version"] > last + 1  # ...and a gap means "fetch a snapshot"
    fresh = ack_ok(tablet.emit("meeting.snapshot", {"meeting_id": room.meeting_id}, callback=True))
    assert fresh["version"] == event["version"]
    assert fresh["agenda"]["current_item_id"] == event["data"]["current_item_id"]
    extended = {i["id"]: i["extra_minutes"] for i in fresh["agenda"]["items"]}
    assert extended[room.sub_item_id] == 2


def test_next_after_a_break_resumes_after_last_item_discussed(room: Room, as_role: Any) -> None:
    from meetings.db import transaction
    from meetings.models import AgendaItem

    chair, _ = joined(as_role, "chair", room)
    mid = room.meeting_id
    ack_ok(
        chair.emit("agenda.jump", {"meeting_id": mid, "item_id": room.item_ids[1]}, callback=True)
    )
    ack_ok(chair.emit("agenda.set_current", {"meeting_id": mid, "item_id": None}, callback=True))
    with transaction() as s:  # item 2 was discussed for a while before the break
        item = s.get(AgendaItem, room.item_ids[1])
        assert item is not None
        item.elapsed_seconds = 300
    ack_ok(chair.emit("agenda.next", {"meeting_id": mid}, callback=True))
    snap = ack_ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert snap["agenda"]["current_item_id"] == room.item_ids[2]


def test_conflict_says_which_rule_refused(room: Room, as_role: Any) -> None:
    chair, _ = joined(as_role, "chair", room)
    ack = chair.emit(
        "agenda.jump", {"meeting_id": room.meeting_id, "item_id": room.item_ids[0]}, callback=True
    )
    assert ack["ok"] is False and ack["error"]["code"] == "conflict"
    assert ack["error"]["details"] == {"reason": "same_item"}


def _items(snap: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {i["id"]: i for i in snap["agenda"]["items"]}


def test_resume_after_a_break_returns_to_the_interrupted_item(
    room: Room, as_role: Any, app: Any
) -> None:
    """Issue 10 §4: "Tạm nghỉ" during item 2, then "Tiếp tục", must resume item 2 with
    its clock continuing, even when item 2 is not the last item discussed."""
    from meetings.db import transaction
    from meetings.models import AgendaItem

    chair, _ = joined(as_role, "chair", room)
    delegate, _ = joined(as_role, "delegate", room)
    mid, second, third = room.meeting_id, room.item_ids[1], room.item_ids[2]
    ack_ok(chair.emit("agenda.jump", {"meeting_id": mid, "item_id": third}, callback=True))
    ack_ok(chair.emit("agenda.jump", {"meeting_id": mid, "item_id": second}, callback=True))
    ack_ok(chair.emit("agenda.set_current", {"meeting_id": mid, "item_id": None}, callback=True))
    with transaction() as s:  # time spent before the break: item 3 briefly, item 2 for long
        for item_id, spent in ((third, 60), (second, 300)):
            item = s.get(AgendaItem, item_id)
            assert item is not None
            item.elapsed_seconds = spent
    on_break = events(delegate, "agenda.updated")[-1]["data"]
    assert on_break["current_item_id"] is None and on_break["paused_item_id"] == second

    ack_ok(chair.emit("agenda.resume", {"meeting_id": mid}, callback=True))
    resumed = events(delegate, "agenda.updated")[-1]["data"]
    assert resumed["op"] == "resumed"
    assert resumed["current_item_id"] == second and resumed["paused_item_id"] is None
    snap = ack_ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert snap["agenda"]["current_item_id"] == second
    item = _items(snap)[second]
    assert item["elapsed_seconds"] == 300 and item["started_at"] is not None  # continues
    assert _items(snap)[third]["started_at"] is None

    # Not on a break: refused with its reason, nothing changes.
    before = version(app, mid)
    ack = chair.emit("agenda.resume", {"meeting_id": mid}, callback=True)
    assert ack_error(ack) == "conflict" and ack["error"]["details"] == {"reason": "not_on_break"}
    assert version(app, mid) == before


def test_break_and_next_or_previous_anchor_on_the_interrupted_item(
    room: Room, as_role: Any
) -> None:
    chair, _ = joined(as_role, "chair", room)
    mid, items = room.meeting_id, room.item_ids
    ack_ok(chair.emit("agenda.jump", {"meeting_id": mid, "item_id": items[2]}, callback=True))
    ack_ok(chair.emit("agenda.jump", {"meeting_id": mid, "item_id": items[1]}, callback=True))
    ack_ok(chair.emit("agenda.set_current", {"meeting_id": mid, "item_id": None}, callback=True))
    ack_ok(chair.emit("agenda.previous", {"meeting_id": mid}, callback=True))
    snap = ack_ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert snap["agenda"]["current_item_id"] == items[1]
    ack_ok(chair.emit("agenda.set_current", {"meeting_id": mid, "item_id": None}, callback=True))
    ack_ok(chair.emit("agenda.next", {"meeting_id": mid}, callback=True))
    snap = ack_ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert snap["agenda"]["current_item_id"] == items[2]


def test_resume_after_the_interrupted_item_was_deleted(room: Room, as_role: Any) -> None:
    """The interrupted item was deleted during the break: resume goes to the item after."""
    chair, _ = joined(as_role, "chair", room)
    mid, items = room.meeting_id, room.item_ids
    ack_ok(chair.emit("agenda.jump", {"meeting_id": mid, "item_id": items[1]}, callback=True))
    ack_ok(chair.emit("agenda.set_current", {"meeting_id": mid, "item_id": None}, callback=True))
    ack_ok(chair.emit("agenda.delete", {"meeting_id": mid, "item_id": items[1]}, callback=True))
    snap = ack_ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert snap["agenda"]["paused_item_id"] == items[2]
    ack_ok(chair.emit("agenda.resume", {"meeting_id": mid}, callback=True))
    snap = ack_ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    assert snap["agenda"]["current_item_id"] == items[2]
