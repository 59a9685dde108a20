"""Attendance commands, the attendance/quorum snapshot part, and bridge presence hooks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from meetings.events.catalogue import event
from meetings.events.outbox import Outbox
from meetings.models import Meeting, User
from meetings.permissions import Perm
from meetings.realtime.hooks import on_disconnect, on_join, on_leave
from meetings.realtime.registry import Ctx, command
from meetings.realtime.snapshot import snapshot_part
from meetings.schemas.room import ATTENDANCE_EXAMPLE, AttendanceOut, Changed
from meetings.services.room import attendance


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    meeting_id: int


class MarkIn(CheckinIn):
    user_id: int
    status: Literal["present", "absent", "excused"]


event(
    "attendance.updated",
    schema=AttendanceOut,
    summary="Điểm danh, số có mặt, túc số và điểm cầu đang kết nối sau một thay đổi.",
    example=ATTENDANCE_EXAMPLE,
)


@snapshot_part("attendance", schema=AttendanceOut)
def attendance_part(meeting: Meeting, _user: User) -> dict[str, Any]:
    return AttendanceOut.model_validate(attendance.attendance_state(meeting)).model_dump()


@command(
    "attendance.checkin",
    schema=CheckinIn,
    permission=Perm.ATTENDANCE_CHECKIN,
    summary="Đại biểu điểm danh từ máy tính bảng (gửi lại không sao).",
    example={"meeting_id": 1},
    errors=("conflict",),
    result=Changed,
)
def checkin(ctx: Ctx, body: CheckinIn) -> dict[str, bool]:
    return {"changed": attendance.checkin(ctx.meeting_required, ctx.user, ctx.outbox)}


@command(
    "attendance.mark",
    schema=MarkIn,
    permission=Perm.ATTENDANCE_MARK,
    summary="Thư ký ghi nhận có mặt / vắng / vắng có lý do cho một người.",
    example={"meeting_id": 1, "user_id": 4, "status": "excused"},
    errors=("conflict",),
    result=Changed,
)
def mark(ctx: Ctx, body: MarkIn) -> dict[str, bool]:
    changed = attendance.mark(ctx.meeting_required, body.user_id, body.status, ctx.user, ctx.outbox)
    return {"changed": changed}


@on_join
def _bridge_joined(ctx: Ctx) -> None:
    if ctx.sid is not None:
        attendance.bridge_joined(ctx.meeting_required, ctx.user, ctx.sid, ctx.outbox)


@on_join
def _chair_opened(ctx: Ctx) -> None:
    if ctx.sid is not None:
        attendance.chair_opened(ctx.meeting_required, ctx.user, ctx.outbox)


@on_leave
def _bridge_left(ctx: Ctx) -> None:
    if ctx.sid is not None:
        attendance.bridge_left(ctx.sid, ctx.meeting_required.id, ctx.outbox)


@on_disconnect
def _bridge_disconnected(sid: str, outbox: Outbox) -> None:
    attendance.bridge_left(sid, None, outbox)
