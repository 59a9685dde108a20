"""The agenda: ordered items with one level of sub-items, driven live by the chair.

Timers live on the server: an item keeps the seconds spent in earlier turns
(`elapsed_seconds`) and the start of the running turn (`started_at`). Clients compute
elapsed = elapsed_seconds + (server_now - started_at) and correct their clock by the
`server_now` every state carries, so a tablet with a wrong clock still shows the right time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select

from meetings.clock import iso, now
from meetings.db import db
from meetings.errors import AppError, conflict, not_found
from meetings.events.outbox import Outbox
from meetings.models import AgendaItem, Meeting, Participant, User
from meetings.models.meetings import MeetingStatus
from meetings.services.room.guards import ensure_open, lock_meeting, lock_scheduled
from meetings.services.room.meeting_end import close_live_parts
from meetings.services.room.meetings import emit_meeting_updated
from meetings.services.room.ordering import apply_order


def ordered_items(meeting_id: int) -> list[AgendaItem]:
    """Depth first: each top-level item followed by its sub-items, each level by position."""
    items = list(
        db.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    flat: list[AgendaItem] = []
    for top in children.get(None, []):
        flat.append(top)
        flat.extend(children.get(top.id, []))
    return flat


def elapsed_seconds(item: AgendaItem, at: datetime) -> int:
    running = (at - item.started_at).total_seconds() if item.started_at else 0.0
    return item.elapsed_seconds + max(0, int(running))


def item_state(item: AgendaItem, at: datetime) -> dict[str, Any]:
    planned = (item.planned_minutes + item.extra_minutes) * 60
    elapsed = elapsed_seconds(item, at)
    return {
        "id": item.id,
        "parent_id": item.parent_id,
        "position": item.position,
        "title": item.title,
        "presenter": item.presenter,
        "presenter_user_id": item.presenter_user_id,
        "notes": item.notes,
        "planned_minutes": item.planned_minutes,
        "extra_minutes": item.extra_minutes,
        "elapsed_seconds": item.elapsed_seconds,
        "started_at": iso(item.started_at),
        "overrun": elapsed > planned,
    }


def agenda_state(meeting: Meeting) -> dict[str, Any]:
    at = now()
    items = ordered_items(meeting.id)
    return {
        "status": meeting.status.value,
        "started_at": iso(meeting.started_at),
        "closed_at": iso(meeting.closed_at),
        "current_item_id": meeting.current_item_id,
        "paused_item_id": meeting.paused_item_id,
        "items": [item_state(i, at) for i in items],
        # Sub-items are discussed in turn after their parent: every item's minutes count.
        "planned_minutes_total": sum(i.planned_minutes for i in items),
        "server_now": at.isoformat(),
    }


# What changed, as `op` of `agenda.updated` (docs/protocol.md lists these).
AgendaOp = Literal[
    "started",
    "ended",
    "current",
    "resumed",
    "extended",
    "created",
    "updated",
    "deleted",
    "reordered",
]


def emit_agenda(meeting: Meeting, outbox: Outbox, op: AgendaOp) -> None:
    db.flush()
    outbox.meeting_event(meeting.id, "agenda.updated", {"op": op, **agenda_state(meeting)})


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise not_found("Không tìm thấy mục chương trình.")
    return item


# --- live driving -------------------------------------------------------------------


def _stop(item: AgendaItem, at: datetime) -> None:
    if item.started_at is not None:
        item.elapsed_seconds = elapsed_seconds(item, at)
        item.started_at = None


def _switch(meeting: Meeting, target: AgendaItem | None) -> None:
    """Make `target` current; None starts a break that remembers the interrupted item."""
    at = now()
    if meeting.current_item_id is not None:
        current = db.get(AgendaItem, meeting.current_item_id)
        if current is not None:
            _stop(current, at)
        if target is None:
            meeting.paused_item_id = meeting.current_item_id
    if target is not None:
        meeting.paused_item_id = None
        target.started_at = at
    meeting.current_item_id = target.id if target is not None else None


def _ensure_running(meeting: Meeting) -> None:
    if meeting.status is MeetingStatus.SCHEDULED:
        raise conflict("Cuộc họp chưa bắt đầu.", "not_started")
    if meeting.status is not MeetingStatus.IN_PROGRESS:
        raise conflict("Cuộc họp đã kết thúc.", "ended")


def start_meeting(meeting: Meeting, outbox: Outbox) -> None:
    lock_scheduled(
        meeting, conflict("Cuộc họp đã bắt đầu, đã kết thúc hoặc đã bị hủy.", "already_started")
    )
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.started_at = now()
    items = ordered_items(meeting.id)
    _switch(meeting, items[0] if items else None)
    emit_meeting_updated(meeting, outbox)
    emit_agenda(meeting, outbox, "started")


def end_meeting(meeting: Meeting, outbox: Outbox, actor_id: int | None = None) -> dict[str, Any]:
    """Bế mạc; returns what the end closed (services/meeting_end.py decides what)."""
    lock_meeting(meeting.id)
    _ensure_running(meeting)
    _switch(meeting, None)
    meeting.paused_item_id = None  # nothing to resume after the end
    meeting.status = MeetingStatus.ENDED
    meeting.closed_at = now()
    closed = close_live_parts(meeting, actor_id, outbox)
    emit_meeting_updated(meeting, outbox)
    emit_agenda(meeting, outbox, "ended")
    return closed


def set_current(meeting: Meeting, item_id: int | None, outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    _ensure_running(meeting)
    target = _item(meeting, item_id) if item_id is not None else None
    if meeting.current_item_id == item_id:
        raise conflict("Mục này đang là mục hiện tại.", "same_item")
    _switch(meeting, target)
    emit_agenda(meeting, outbox, "current")


def step(meeting: Meeting, delta: int, outbox: Outbox) -> None:
    """Next (+1) or previous (-1) in depth-first order."""
    lock_meeting(meeting.id)
    _ensure_running(meeting)
    items = ordered_items(meeting.id)
    ids = [i.id for i in items]
    if meeting.current_item_id in ids:
        index = ids.index(meeting.current_item_id) + delta
    else:
        # During a break, "next" is the item after the interrupted one and "previous"
        # the interrupted one itself (agenda.resume returns to it directly).
        last = _break_anchor(meeting, items)
        index = last + 1 if delta > 0 else (last if last >= 0 else len(items) - 1)
    if not 0 <= index < len(items):
        raise conflict(
            "Không còn mục nào " + ("tiếp theo." if delta > 0 else "trước đó."),
            "no_next" if delta > 0 else "no_previous",
        )
    _switch(meeting, items[index])
    emit_agenda(meeting, outbox, "current")


def _break_anchor(meeting: Meeting, items: list[AgendaItem]) -> int:
    """Index of the item a break interrupted; without one (it was deleted, or the meeting
    started with an empty agenda), the last item discussed; -1 if none was."""
    ids = [i.id for i in items]
    if meeting.paused_item_id in ids:
        return ids.index(meeting.paused_item_id)
    discussed = [n for n, item in enumerate(items) if item.elapsed_seconds > 0]
    return discussed[-1] if discussed else -1


def resume(meeting: Meeting, outbox: Outbox) -> None:
    """End a break: the interrupted item becomes current again, its clock continuing from
    the time already spent. Without an interrupted item, like "next" during a break."""
    lock_meeting(meeting.id)
    _ensure_running(meeting)
    if meeting.current_item_id is not None:
        raise conflict("Cuộc họp không trong giờ nghỉ.", "not_on_break")
    items = ordered_items(meeting.id)
    paused = next((i for i in items if i.id == meeting.paused_item_id), None)
    if paused is None:
        step(meeting, +1, outbox)
        return
    _switch(meeting, paused)
    emit_agenda(meeting, outbox, "resumed")


def extend(meeting: Meeting, item_id: int | None, minutes: int, outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    ensure_open(meeting)
    target_id = item_id if item_id is not None else meeting.current_item_id
    if target_id is None:
        raise conflict("Chưa có mục hiện tại để thêm giờ.", "no_current_item")
    item = _item(meeting, target_id)
    item.extra_minutes += minutes
    emit_agenda(meeting, outbox, "extended")


# --- editing ------------------------------------------------------------------------


def _check_parent(meeting: Meeting, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = _item(meeting, parent_id)
    if parent.parent_id is not None:
        raise AppError("invalid_payload", "Chương trình chỉ có một cấp mục con.")


def _siblings(meeting_id: int, parent_id: int | None) -> list[AgendaItem]:
    level = (
        AgendaItem.parent_id.is_(None) if parent_id is None else AgendaItem.parent_id == parent_id
    )
    return list(
        db.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id, level)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def _participant_name(meeting: Meeting, user_id: int) -> str:
    """The full name of a person of this meeting; anyone else is refused."""
    name = db.scalar(
        select(User.full_name)
        .join(Participant, Participant.user_id == User.id)
        .where(Participant.meeting_id == meeting.id, User.id == user_id)
    )
    if name is None:
        raise AppError(
            "presenter_not_participant",
            "Người trình bày phải là thành viên của cuộc họp; "
            "người ngoài cuộc họp hãy nhập tên bằng tay.",
        )
    return str(name)


def _set_presenter(meeting: Meeting, item: AgendaItem, fields: dict[str, Any]) -> None:
    """A person (`presenter_user_id`: the name follows the person) or free text.

    Free text different from the name shown makes the item's presenter an outside person
    (the id is dropped: the rights go with the person, not with the old name)."""
    if "presenter_user_id" in fields:
        user_id = fields["presenter_user_id"]
        if user_id is not None:
            item.presenter = _participant_name(meeting, user_id)
            item.presenter_user_id = user_id
            return
        item.presenter_user_id = None
        if fields.get("presenter") is not None:
            item.presenter = fields["presenter"].strip()
        return
    text = fields.get("presenter")
    if text is not None and text.strip() != item.presenter:
        item.presenter = text.strip()
        item.presenter_user_id = None


def add_item(meeting: Meeting, fields: dict[str, Any], outbox: Outbox | None) -> AgendaItem:
    """Append at the end of its level. `outbox` None: part of creating the meeting."""
    if outbox is not None:
        lock_meeting(meeting.id)
        ensure_open(meeting)
    parent_id = fields.get("parent_id")
    _check_parent(meeting, parent_id)
    siblings = _siblings(meeting.id, parent_id)
    item = AgendaItem(
        meeting_id=meeting.id,
        parent_id=parent_id,
        position=(siblings[-1].position + 1) if siblings else 0,
        title=fields["title"].strip(),
        presenter="",
        planned_minutes=fields.get("planned_minutes") or 10,
        notes=fields.get("notes") or "",
        extra_minutes=0,
        elapsed_seconds=0,
    )
    _set_presenter(meeting, item, fields)
    db.add(item)
    db.flush()
    if outbox is not None:
        emit_agenda(meeting, outbox, "created")
    return item


def add_initial_items(meeting: Meeting, items: list[dict[str, Any]]) -> None:
    """The agenda given with a new meeting: items in order, each with its `children`."""
    for fields in items:
        top = add_item(meeting, {k: v for k, v in fields.items() if k != "children"}, None)
        for child in fields.get("children") or ():
            add_item(meeting, {**child, "parent_id": top.id}, None)


def update_item(meeting: Meeting, item_id: int, fields: dict[str, Any], outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    ensure_open(meeting)
    item = _item(meeting, item_id)
    for name in ("title", "planned_minutes", "notes"):
        if fields.get(name) is not None:
            setattr(item, name, fields[name])
    _set_presenter(meeting, item, fields)
    emit_agenda(meeting, outbox, "updated")


def delete_item(meeting: Meeting, item_id: int, outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    ensure_open(meeting)
    item = _item(meeting, item_id)
    doomed = [item, *_siblings(meeting.id, item.id)]
    doomed_ids = {d.id for d in doomed}
    if meeting.current_item_id in doomed_ids:
        # Deleting the item being discussed leaves the meeting between items.
        meeting.current_item_id = None
    if meeting.paused_item_id in doomed_ids:
        # A break whose item is deleted resumes with the item that followed it.
        order = ordered_items(meeting.id)
        start = [i.id for i in order].index(meeting.paused_item_id)
        after = [i for i in order[start:] if i.id not in doomed_ids]
        meeting.paused_item_id = after[0].id if after else None
    for d in reversed(doomed):  # children first, one flush each: the FK cascades otherwise
        db.delete(d)
        db.flush()
    emit_agenda(meeting, outbox, "deleted")


def reorder(meeting: Meeting, parent_id: int | None, item_ids: list[int], outbox: Outbox) -> None:
    """`item_ids` is the full new order of one level (the top level, or one item's children)."""
    lock_meeting(meeting.id)
    ensure_open(meeting)
    if parent_id is not None:
        _item(meeting, parent_id)
    apply_order(
        {s.id: s for s in _siblings(meeting.id, parent_id)},
        item_ids,
        repeated=AppError("invalid_payload", "Mỗi mục chỉ được xuất hiện một lần."),
        stale=conflict(
            "Chương trình đã thay đổi; hãy tải lại và sắp xếp lại toàn bộ danh sách.", "stale_order"
        ),
    )
    emit_agenda(meeting, outbox, "reordered")
