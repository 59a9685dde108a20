"""Attendance, quorum and bridge presence.

People are present when they checked in from their tablet or the secretary marked them;
the chair is present from opening the meeting.
Bridges are present while their operator has a Socket.IO connection joined to the meeting;
that presence is rows in `bridge_presence` (one per sid), so every web worker sees it.
Quorum counts voting delegates (role `delegate`) only; the rule is in services/quorum.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetings.clock import iso, now
from meetings.db import db
from meetings.errors import AppError, not_found
from meetings.events.outbox import Outbox
from meetings.models import (
    Attendance,
    AttendanceStatus,
    BridgePresence,
    Meeting,
    MeetingBridge,
    MeetingRole,
    Participant,
    Unit,
    User,
)
from meetings.services.room.guards import OPEN_STATUSES, ensure_open, lock_meeting, participant_of
from meetings.services.room.quorum import check as check_quorum


def _connected_units(meeting_id: int) -> set[int]:
    return set(
        db.scalars(
            select(BridgePresence.unit_id).where(BridgePresence.meeting_id == meeting_id).distinct()
        )
    )


def present_user_ids(meeting_id: int) -> set[int]:
    """Users present now: checked in / marked present, plus connected bridge operators."""
    marked = db.scalars(
        select(Attendance.user_id).where(
            Attendance.meeting_id == meeting_id, Attendance.status == AttendanceStatus.PRESENT
        )
    )
    bridged = db.scalars(
        select(BridgePresence.user_id).where(BridgePresence.meeting_id == meeting_id)
    )
    return set(marked) | set(bridged)


def quorum(meeting_id: int) -> dict[str, Any]:
    meeting = db.get(Meeting, meeting_id)
    if meeting is None:
        raise not_found("Không tìm thấy cuộc họp.")
    voters = set(
        db.scalars(
            select(Participant.user_id).where(
                Participant.meeting_id == meeting_id, Participant.role == MeetingRole.DELEGATE
            )
        )
    )
    present = len(voters & present_user_ids(meeting_id))
    state = check_quorum(meeting.quorum_rule, "present", present, len(voters))
    # voting_total / voting_present: the same as total / counted, kept for older clients.
    return {**state.as_dict(), "voting_total": len(voters), "voting_present": present}


def _bridge_tree(meeting_id: int) -> dict[str, Any]:
    """Invited bridge units rolled up the unit tree: commune → district → province."""
    invited = set(
        db.scalars(select(MeetingBridge.unit_id).where(MeetingBridge.meeting_id == meeting_id))
    ) | {
        uid
        for uid in db.scalars(
            select(Participant.bridge_unit_id).where(
                Participant.meeting_id == meeting_id, Participant.bridge_unit_id.is_not(None)
            )
        )
        if uid is not None
    }
    connected = _connected_units(meeting_id) & invited
    sites = list(db.scalars(select(Unit).where(Unit.id.in_(invited)))) if invited else []
    prefixes: set[str] = set()
    for unit in sites:  # "/35/347/13285/" -> "/35/", "/35/347/", "/35/347/13285/"
        parts = unit.path.strip("/").split("/")
        prefixes.update("/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    nodes = (
        list(db.scalars(select(Unit).where(Unit.path.in_(prefixes)).order_by(Unit.path)))
        if prefixes
        else []
    )
    tree = []
    for node in nodes:
        below = [s for s in sites if s.path.startswith(node.path)]
        tree.append(
            {
                "unit_id": node.id,
                "name": node.name,
                "parent_id": node.parent_id,
                "depth": node.depth,
                "invited": node.id in invited,
                "connected": node.id in connected,
                "sites_total": len(below),
                "sites_connected": sum(1 for s in below if s.id in connected),
            }
        )
    return {"total": len(invited), "connected": len(connected), "tree": tree}


def attendance_state(meeting: Meeting) -> dict[str, Any]:
    # Columns, not ORM objects: every join builds this for hundreds of people.
    rows = db.execute(
        select(
            User.id,
            User.full_name,
            Participant.role,
            Attendance.status,
            Attendance.source,
            Attendance.updated_at,
        )
        .join(User, User.id == Participant.user_id)
        .outerjoin(
            Attendance,
            (Attendance.meeting_id == Participant.meeting_id)
            & (Attendance.user_id == Participant.user_id),
        )
        .where(Participant.meeting_id == meeting.id)
        .order_by(Participant.id)
    ).all()
    bridged = set(
        db.scalars(select(BridgePresence.user_id).where(BridgePresence.meeting_id == meeting.id))
    )
    people = []
    counts = {"present": 0, "absent": 0, "excused": 0, "unknown": 0}
    for user_id, full_name, role, marked, source, updated_at in rows:
        status = marked.value if marked is not None else None
        if role is MeetingRole.BRIDGE_OPERATOR:
            status = "present" if user_id in bridged else status
        else:
            counts[status or "unknown"] += 1
        people.append(
            {
                "user_id": user_id,
                "full_name": full_name,
                "role": role.value,
                "status": status,
                "source": source if marked is not None else None,
                "updated_at": iso(updated_at) if marked is not None else None,
            }
        )
    return {
        "people": people,
        # Bridge operators are counted as bridges below, not as people.
        "counts": {**counts, "total": sum(counts.values())},
        "quorum": quorum(meeting.id),
        "bridges": _bridge_tree(meeting.id),
    }


def emit_attendance(meeting: Meeting, outbox: Outbox) -> None:
    db.flush()
    outbox.meeting_event(meeting.id, "attendance.updated", attendance_state(meeting))


def _set(meeting: Meeting, user_id: int, status: AttendanceStatus, source: str, by: int) -> bool:
    """Write one person's status; False when nothing changed (a retried check-in)."""
    row = db.get(Attendance, (meeting.id, user_id))
    if row is not None and row.status is status:
        return False
    if row is None:
        row = Attendance(meeting_id=meeting.id, user_id=user_id, status=status, source=source)
        db.add(row)
    row.status, row.source, row.marked_by_id, row.updated_at = status, source, by, now()
    return True


def checkin(meeting: Meeting, user: User, outbox: Outbox) -> bool:
    lock_meeting(meeting.id)
    ensure_open(meeting)
    changed = _set(meeting, user.id, AttendanceStatus.PRESENT, "checkin", user.id)
    if changed:
        emit_attendance(meeting, outbox)
    return changed


def chair_opened(meeting: Meeting, user: User, outbox: Outbox) -> None:
    """The chair opening a scheduled or running meeting is present: they are in the room.

    Only while nothing is recorded for them: the console rejoins on every reconnect, and
    must not undo the secretary's mark (absent, excused) or take a lock each time. Anyone
    else's join, and any join of a closed meeting, changes nothing."""
    if meeting.status not in OPEN_STATUSES or _recorded(meeting, user.id):
        return
    participant = participant_of(meeting.id, user.id)
    if participant is None or participant.role is not MeetingRole.CHAIR:
        return
    lock_meeting(meeting.id)
    if not _recorded(meeting, user.id):  # a mark may have landed before the lock
        _set(meeting, user.id, AttendanceStatus.PRESENT, "join", user.id)
        emit_attendance(meeting, outbox)


def _recorded(meeting: Meeting, user_id: int) -> bool:
    return db.get(Attendance, (meeting.id, user_id)) is not None


def mark(meeting: Meeting, user_id: int, status: str, by: User, outbox: Outbox) -> bool:
    lock_meeting(meeting.id)
    ensure_open(meeting)
    participant = db.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting.id, Participant.user_id == user_id
        )
    )
    if participant is None:
        raise not_found("Người này không có trong thành phần cuộc họp.")
    if participant.role is MeetingRole.BRIDGE_OPERATOR:
        raise AppError(
            "conflict",
            "Điểm cầu được tính có mặt theo kết nối, không điểm danh tay.",
            {"reason": "bridge_presence_is_automatic"},
        )
    changed = _set(meeting, user_id, AttendanceStatus(status), "mark", by.id)
    if changed:
        emit_attendance(meeting, outbox)
    return changed


# --- bridge presence (called from the Socket.IO join/leave/disconnect hooks) ---------------


def bridge_joined(meeting: Meeting, user: User, sid: str, outbox: Outbox) -> None:
    participant = db.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting.id,
            Participant.user_id == user.id,
            Participant.role == MeetingRole.BRIDGE_OPERATOR,
        )
    )
    if participant is None or participant.bridge_unit_id is None:
        return
    unit_id = participant.bridge_unit_id
    if db.get(BridgePresence, (sid, meeting.id)) is not None:
        return  # the same connection joined twice
    was_connected = unit_id in _connected_units(meeting.id)
    db.add(BridgePresence(sid=sid, meeting_id=meeting.id, user_id=user.id, unit_id=unit_id))
    if not was_connected:
        emit_attendance(meeting, outbox)


def bridge_left(sid: str, meeting_id: int | None, outbox: Outbox) -> None:
    """Drop this connection's presence (in one meeting, or all on disconnect)."""
    query = select(BridgePresence).where(BridgePresence.sid == sid)
    if meeting_id is not None:
        query = query.where(BridgePresence.meeting_id == meeting_id)
    rows = list(db.scalars(query))
    for row in rows:
        db.delete(row)
        db.flush()
        # A reconnect may already hold a new sid for the same site: then nothing changed.
        if row.unit_id not in _connected_units(row.meeting_id):
            meeting = db.get(Meeting, row.meeting_id)
            if meeting is not None:
                emit_attendance(meeting, outbox)
