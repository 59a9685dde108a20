"""Meetings as scheduled objects: create, edit, cancel, list "my meetings".

Who may create: unit admins (and system admins) for a host unit they manage — the same rule
as `Perm.MEETING_CREATE` + `manages_unit`. A secretary who is not a unit admin cannot create
a meeting; a unit admin who creates one may name themselves a participant (usually as
secretary) through `participants`, or with `join_as`, which adds them with that role.
Editing afterwards is `Perm.MEETING_EDIT`: the meeting's chair and secretary, and unit
admins of the host unit's subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from meetings.clock import iso, now
from meetings.db import db
from meetings.errors import AppError, conflict, not_found
from meetings.events.outbox import Outbox
from meetings.models import Meeting, MeetingBridge, MeetingRole, Participant, Unit, User
from meetings.models.meetings import MeetingStatus
from meetings.permissions import admin_units, manages_unit
from meetings.services.room.attendance import emit_attendance
from meetings.services.room.guards import ensure_open, lock_meeting, lock_scheduled
from meetings.services.room.meeting_end import close_live_parts

KINDS = ("committee", "council", "briefing", "other")
QUORUM_RULES = ("majority", "two_thirds", "three_quarters")


def meeting_public(meeting: Meeting) -> dict[str, Any]:
    """What every member of the meeting may see (also the `meeting.updated` event body)."""
    return {
        "id": meeting.id,
        "title": meeting.title,
        "kind": meeting.kind,
        "room": meeting.room,
        "status": meeting.status.value,
        "starts_at": iso(meeting.starts_at),
        "ends_at": iso(meeting.ends_at),
        "started_at": iso(meeting.started_at),
        "closed_at": iso(meeting.closed_at),
        "host_unit": {"id": meeting.host_unit.id, "name": meeting.host_unit.name},
        "quorum_rule": meeting.quorum_rule,
        "speaker_limit_seconds": meeting.speaker_limit_seconds,
        "speaker_warning_seconds": meeting.speaker_warning_seconds,
    }


def emit_meeting_updated(meeting: Meeting, outbox: Outbox) -> None:
    db.flush()
    db.refresh(meeting, ["host_unit"])
    outbox.meeting_event(meeting.id, "meeting.updated", meeting_public(meeting))


@dataclass(frozen=True)
class ParticipantSpec:
    user_id: int
    role: MeetingRole
    bridge_unit_id: int | None = None


@dataclass
class MeetingFields:
    """Editable fields; None means "leave as is" on update."""

    title: str | None = None
    kind: str | None = None
    room: str | None = None
    host_unit_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    quorum_rule: str | None = None
    speaker_limit_seconds: int | None = None
    speaker_warning_seconds: int | None = None
    participants: list[ParticipantSpec] | None = None
    bridge_unit_ids: list[int] | None = None


def _managed_unit(user: User, unit_id: int) -> Unit:
    unit = db.get(Unit, unit_id)
    if unit is None or not manages_unit(user, unit):
        raise not_found("Không tìm thấy đơn vị.")
    return unit


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise AppError("invalid_payload", "Giờ kết thúc phải sau giờ bắt đầu.")


def _set_participants(meeting: Meeting, specs: list[ParticipantSpec]) -> None:
    seen: set[int] = set()
    for spec in specs:
        if spec.user_id in seen:
            raise AppError("invalid_payload", "Một người chỉ có một vai trò trong cuộc họp.")
        seen.add(spec.user_id)
        if db.get(User, spec.user_id) is None:
            raise AppError("invalid_payload", f"Không tìm thấy người dùng {spec.user_id}.")
        is_bridge = spec.role is MeetingRole.BRIDGE_OPERATOR
        if is_bridge != (spec.bridge_unit_id is not None):
            raise AppError(
                "invalid_payload", "Chỉ cán bộ điểm cầu có (và phải có) đơn vị điểm cầu."
            )
        if spec.bridge_unit_id is not None and db.get(Unit, spec.bridge_unit_id) is None:
            raise AppError("invalid_payload", "Không tìm thấy đơn vị điểm cầu.")
    existing = {p.user_id: p for p in meeting.participants}
    for user_id, participant in existing.items():
        if user_id not in seen:
            meeting.participants.remove(participant)
    for spec in specs:
        current = existing.get(spec.user_id)
        if current is None:
            meeting.participants.append(
                Participant(
                    user_id=spec.user_id, role=spec.role, bridge_unit_id=spec.bridge_unit_id
                )
            )
        else:
            current.role = spec.role
            current.bridge_unit_id = spec.bridge_unit_id


def _set_bridges(meeting: Meeting, unit_ids: list[int]) -> None:
    wanted = list(dict.fromkeys(unit_ids))
    for unit_id in wanted:
        if db.get(Unit, unit_id) is None:
            raise AppError("invalid_payload", f"Không tìm thấy đơn vị {unit_id}.")
    for link in list(meeting.bridges):
        if link.unit_id not in wanted:
            meeting.bridges.remove(link)
    have = {link.unit_id for link in meeting.bridges}
    for unit_id in wanted:
        if unit_id not in have:
            meeting.bridges.append(MeetingBridge(unit_id=unit_id))


def _apply(meeting: Meeting, user: User, fields: MeetingFields) -> None:
    if fields.host_unit_id is not None and fields.host_unit_id != meeting.host_unit_id:
        meeting.host_unit_id = _managed_unit(user, fields.host_unit_id).id
    for name in ("title", "kind", "room", "quorum_rule"):
        value = getattr(fields, name)
        if value is not None:
            setattr(meeting, name, value.strip() if name == "title" else value)
    for name in ("starts_at", "ends_at", "speaker_limit_seconds", "speaker_warning_seconds"):
        value = getattr(fields, name)
        if value is not None:
            setattr(meeting, name, value)
    _check_times(meeting.starts_at, meeting.ends_at)
    if meeting.speaker_warning_seconds >= meeting.speaker_limit_seconds:
        raise AppError("invalid_payload", "Thời điểm cảnh báo phải trước khi hết giờ phát biểu.")
    if fields.participants is not None:
        _set_participants(meeting, fields.participants)
    if fields.bridge_unit_ids is not None:
        _set_bridges(meeting, fields.bridge_unit_ids)


def create_meeting(user: User, fields: MeetingFields, join_as: MeetingRole | None) -> Meeting:
    """Caller holds MEETING_CREATE; the host unit must be one they manage."""
    if fields.host_unit_id is None or fields.starts_at is None or fields.ends_at is None:
        raise AppError("invalid_payload", "Cần có đơn vị chủ trì, giờ bắt đầu và giờ kết thúc.")
    host = _managed_unit(user, fields.host_unit_id)
    meeting = Meeting(
        title=(fields.title or "").strip(),
        kind=fields.kind or "committee",
        room=fields.room or "",
        host_unit_id=host.id,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        created_by_id=user.id,
        state_version=0,
        quorum_rule="majority",
        speaker_limit_seconds=300,
        speaker_warning_seconds=60,
    )
    specs = list(fields.participants or [])
    if join_as is not None:
        if join_as is MeetingRole.BRIDGE_OPERATOR:
            raise AppError("invalid_payload", "Người tạo không thể là cán bộ điểm cầu.")
        specs = [s for s in specs if s.user_id != user.id] + [ParticipantSpec(user.id, join_as)]
    db.add(meeting)
    _apply(meeting, user, MeetingFields(**{**fields.__dict__, "participants": specs}))
    db.flush()
    return meeting


def update_meeting(meeting: Meeting, user: User, fields: MeetingFields, outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    # A running meeting may still gain a late participant or move its end; a closed one is
    # a record and stays as it was.
    ensure_open(meeting)
    _apply(meeting, user, fields)
    emit_meeting_updated(meeting, outbox)
    if fields.participants is not None or fields.bridge_unit_ids is not None:
        emit_attendance(meeting, outbox)


def cancel_meeting(meeting: Meeting, outbox: Outbox) -> None:
    lock_scheduled(meeting, conflict("Chỉ hủy được cuộc họp chưa bắt đầu.", "already_started"))
    meeting.status = MeetingStatus.CANCELLED
    meeting.closed_at = now()
    # A meeting may be prepared before it starts (a test poll, a document shown): a
    # cancel closes what runs, like the end does.
    close_live_parts(meeting, None, outbox)
    emit_meeting_updated(meeting, outbox)


SCOPES = ("upcoming", "in_progress", "past")


def my_meetings(user: User, scope: str) -> list[tuple[Meeting, MeetingRole | None]]:
    """Meetings the caller takes part in, plus those hosted in units they manage."""
    roles = dict(
        db.execute(
            select(Participant.meeting_id, Participant.role).where(Participant.user_id == user.id)
        ).all()
    )
    query = select(Meeting)
    visible: list[ColumnElement[bool]] = [Meeting.id.in_(list(roles))]
    if user.is_system_admin:
        visible.append(Meeting.id.is_not(None))
    else:
        for unit in admin_units(user):
            visible.append(Meeting.host_unit.has(Unit.path.startswith(unit.path)))
    query = query.where(or_(*visible))
    if scope == "upcoming":
        query = query.where(Meeting.status == MeetingStatus.SCHEDULED).order_by(Meeting.starts_at)
    elif scope == "in_progress":
        query = query.where(Meeting.status == MeetingStatus.IN_PROGRESS).order_by(Meeting.starts_at)
    else:
        query = query.where(
            Meeting.status.in_([MeetingStatus.ENDED, MeetingStatus.CANCELLED])
        ).order_by(Meeting.starts_at.desc())
    return [(m, roles.get(m.id)) for m in db.scalars(query.limit(500))]
