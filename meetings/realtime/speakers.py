"""The floor: delegates and bridges ask to speak; the chair or secretary gives the floor."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from meetings.events.catalogue import event
from meetings.models import Meeting, User
from meetings.permissions import Perm
from meetings.realtime.registry import Ctx, command
from meetings.realtime.snapshot import snapshot_part
from meetings.realtime.speaker_timers import ensure_end_timer
from meetings.schemas.room import SPEAKERS_EXAMPLE, RequestOut, SpeakersOut
from meetings.services.room import speakers

CONFLICT = ("conflict",)


class Cmd(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    meeting_id: int


class RequestIn(Cmd):
    topic: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class RequestRef(Cmd):
    request_id: int


class GrantIn(RequestRef):
    limit_seconds: Annotated[int, Field(ge=30, le=3600)] | None = None


class ReorderIn(Cmd):
    request_ids: Annotated[list[int], Field(max_length=500)]


event(
    "speaker.updated",
    schema=SpeakersOut,
    summary="Hàng chờ phát biểu, người đang phát biểu (kèm đồng hồ) và lịch sử sau thay đổi. "
    f"Lượt phát biểu tự kết thúc {speakers.OVERTIME_GRACE_SECONDS} giây sau khi hết giờ "
    "(`current.ends_at`); khi đó sự kiện này được gửi với `current: null`.",
    example=SPEAKERS_EXAMPLE,
)


def _arm_end_timer(meeting: Meeting) -> None:
    req = speakers.speaking_request(meeting.id)
    if req is not None:
        ensure_end_timer(meeting, req)


@snapshot_part("speakers", schema=SpeakersOut)
def speakers_part(meeting: Meeting, _user: User) -> dict[str, Any]:
    _arm_end_timer(meeting)  # a restarted worker picks the running turn up again
    return SpeakersOut.model_validate(speakers.speakers_state(meeting)).model_dump()


@command(
    "speaker.request",
    schema=RequestIn,
    permission=Perm.SPEAKER_REQUEST,
    summary="Đăng ký phát biểu (có thể kèm chủ đề).",
    example={"meeting_id": 1, "topic": "Ý kiến về đầu tư công"},
    errors=CONFLICT,
    result=RequestOut,
)
def request_floor(ctx: Ctx, body: RequestIn) -> dict[str, Any]:
    return speakers.request_floor(ctx.meeting_required, ctx.user, body.topic, ctx.outbox)


@command(
    "speaker.withdraw",
    schema=RequestRef,
    permission=Perm.SPEAKER_REQUEST,
    summary="Rút yêu cầu phát biểu của chính mình khi còn trong hàng chờ.",
    example={"meeting_id": 1, "request_id": 5},
    errors=CONFLICT,
)
def withdraw(ctx: Ctx, body: RequestRef) -> None:
    speakers.withdraw(ctx.meeting_required, ctx.user, body.request_id, ctx.outbox)


@command(
    "speaker.grant",
    schema=GrantIn,
    permission=Perm.SPEAKER_MANAGE,
    summary="Cho phép phát biểu (kết thúc lượt đang nói, nếu có); giới hạn giây tùy chọn. "
    "Lượt nói tự kết thúc sau giới hạn cộng thời gian ân hạn (`current.ends_at`).",
    example={"meeting_id": 1, "request_id": 5},
    errors=CONFLICT,
)
def grant(ctx: Ctx, body: GrantIn) -> None:
    speakers.grant(ctx.meeting_required, body.request_id, body.limit_seconds, ctx.outbox)
    _arm_end_timer(ctx.meeting_required)


@command(
    "speaker.end",
    schema=Cmd,
    permission=Perm.SPEAKER_MANAGE,
    summary="Kết thúc lượt phát biểu hiện tại.",
    example={"meeting_id": 1},
    errors=CONFLICT,
)
def end(ctx: Ctx, body: Cmd) -> None:
    speakers.end_turn(ctx.meeting_required, ctx.outbox)


@command(
    "speaker.remove",
    schema=RequestRef,
    permission=Perm.SPEAKER_MANAGE,
    summary="Xóa một yêu cầu khỏi hàng chờ.",
    example={"meeting_id": 1, "request_id": 5},
    errors=CONFLICT,
)
def remove(ctx: Ctx, body: RequestRef) -> None:
    speakers.remove(ctx.meeting_required, body.request_id, ctx.outbox)


@command(
    "speaker.reorder",
    schema=ReorderIn,
    permission=Perm.SPEAKER_MANAGE,
    summary="Sắp xếp lại hàng chờ: danh sách đầy đủ id yêu cầu theo thứ tự mới.",
    example={"meeting_id": 1, "request_ids": [6, 5]},
    errors=CONFLICT,
)
def reorder(ctx: Ctx, body: ReorderIn) -> None:
    speakers.reorder(ctx.meeting_required, body.request_ids, ctx.outbox)
