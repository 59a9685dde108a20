"""Joining a meeting's room and fetching its snapshot."""

from __future__ import annotations

from typing import Any

from flask_socketio import join_room, leave_room
from pydantic import BaseModel, ConfigDict

from meetings.db import db
from meetings.events.catalogue import AUDIENCES, audience_room, meeting_room
from meetings.models import Meeting, User
from meetings.permissions import Perm, meeting_perms, meeting_role
from meetings.realtime.hooks import run_join, run_leave
from meetings.realtime.registry import Ctx, command
from meetings.realtime.snapshot import build_snapshot, snapshot_part, snapshot_schema
from meetings.schemas.room import MeetingSnapshot
from meetings.services.room.meetings import meeting_public


class MeetingRef(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    meeting_id: int


@command(
    "meeting.join",
    schema=MeetingRef,
    permission=Perm.MEETING_VIEW,
    summary="Vào phòng của cuộc họp để nhận sự kiện; trả về ảnh chụp trạng thái đầy đủ.",
    example={"meeting_id": 1},
    result=snapshot_schema,
)
def join(ctx: Ctx, body: MeetingRef) -> dict[str, Any]:
    if ctx.sid is not None:
        join_room(meeting_room(body.meeting_id), sid=ctx.sid)
        held = meeting_perms(ctx.user, ctx.meeting_required)
        for perm in AUDIENCES & held:
            join_room(audience_room(body.meeting_id, perm), sid=ctx.sid)
        run_join(ctx)  # e.g. a bridge operator's site or the chair counts as present from now
        # A hook's event bumped the version in SQL: the snapshot shows that state, so it
        # reports that version too (else the client would see its own event as news).
        db.refresh(ctx.meeting_required, ["state_version"])
    return build_snapshot(ctx.meeting_required, ctx.user)


@command(
    "meeting.snapshot",
    schema=MeetingRef,
    permission=Perm.MEETING_VIEW,
    summary="Lấy lại ảnh chụp trạng thái (khi thấy khoảng trống phiên bản).",
    example={"meeting_id": 1},
    result=snapshot_schema,
)
def snapshot(ctx: Ctx, body: MeetingRef) -> dict[str, Any]:
    return build_snapshot(ctx.meeting_required, ctx.user)


@command(
    "meeting.leave",
    schema=MeetingRef,
    permission=Perm.MEETING_VIEW,
    summary="Rời phòng sự kiện của cuộc họp.",
    example={"meeting_id": 1},
)
def leave(ctx: Ctx, body: MeetingRef) -> None:
    if ctx.sid is not None:
        leave_room(meeting_room(body.meeting_id), sid=ctx.sid)
        run_leave(ctx)


@snapshot_part("meeting", schema=MeetingSnapshot)
def meeting_part(meeting: Meeting, user: User) -> dict[str, Any]:
    """The same public body as `meeting.updated`, plus what this person may do."""
    participant = meeting_role(user, meeting.id)
    return {
        **meeting_public(meeting),
        "my_role": participant.role.value if participant else None,
        "my_permissions": sorted(p.value for p in meeting_perms(user, meeting)),
    }
