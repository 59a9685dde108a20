"""Poll commands, events and the "poll" snapshot part. Handlers parse, call a service,
return an ack; the rules live in services/voting/ (polls.py, ballots.py, majority.py)."""

from __future__ import annotations

from typing import Any

from meetings.errors import AppError, conflict
from meetings.events.catalogue import event
from meetings.models import Meeting, User
from meetings.models.polls import PollStatus
from meetings.permissions import Perm
from meetings.realtime import poll_timers
from meetings.realtime.registry import Ctx, command
from meetings.realtime.snapshot import snapshot_part
from meetings.schemas.polls import (
    POLL_EXAMPLE,
    QUORUM_EXAMPLE,
    CastAck,
    CastIn,
    CreateIn,
    MeetingPolls,
    PollData,
    PollDeletedData,
    PollList,
    PollPart,
    PollProgressData,
    PollRef,
    PollViewData,
    UpdateIn,
)
from meetings.services.voting import ballots, polls, visibility
from meetings.services.voting.spec import PollPatch, parse_settings
from meetings.services.voting.visibility import can_manage, full_view, visible_polls

_POLL_EVENTS = {
    "poll.created": "Thư ký/chủ trì tạo một cuộc biểu quyết (bản nháp).",
    "poll.updated": "Bản nháp cuộc biểu quyết được sửa.",
    "poll.opened": "Biểu quyết bắt đầu: máy tính bảng hiện phiếu (xem `deadline_at`).",
    "poll.closed": "Cuộc biểu quyết kết thúc (chủ trì hoặc hết giờ); kết quả chưa công bố.",
    "poll.published": "Kết quả được công bố: `poll.result` có số phiếu, tỉ lệ và kết luận.",
    "poll.cancelled": "Cuộc biểu quyết đang mở bị hủy; không có kết quả.",
    "poll.hidden": "Chủ tọa gỡ cuộc biểu quyết đã kết thúc khỏi màn chiếu và máy tính bảng "
    "(`hidden_at`); kết quả vẫn lưu. `poll.publish` chiếu lại kết quả đã công bố.",
}
# Drafts are the managers' business: their events go only to holders of poll.manage.
_DRAFT_EVENTS = {"poll.created", "poll.updated"}
# The poll's status after each event (the wire values of PollStatus).
_STATUS_AFTER = {
    "poll.created": "draft",
    "poll.updated": "draft",
    "poll.opened": "open",
    "poll.closed": "closed",
    "poll.published": "published",
    "poll.cancelled": "cancelled",
    "poll.hidden": "published",
}
_NOT_YET = {
    "draft": ("opened_at", "deadline_at", "closed_at", "published_at"),
    "open": ("closed_at", "published_at"),
    "closed": ("published_at",),
    "cancelled": ("published_at",),
}
for _name, _summary in _POLL_EVENTS.items():
    _status = _STATUS_AFTER[_name]
    _example = {"poll": {**POLL_EXAMPLE, "status": _status}}
    for _key in _NOT_YET.get(_status, ()):
        _example["poll"][_key] = None
    if _status == "draft":
        _example["poll"]["voted_count"] = 0
    if _name != "poll.published":
        _example["poll"]["result"] = None
    if _name == "poll.hidden":
        _example["poll"]["hidden_at"] = "2026-11-30T02:15:00+00:00"
    _audience = Perm.POLL_MANAGE if _name in _DRAFT_EVENTS else None
    event(_name, schema=PollData, summary=_summary, example=_example, audience=_audience)
event(
    "poll.deleted",
    schema=PollDeletedData,
    summary="Bản nháp cuộc biểu quyết bị xóa.",
    example={"poll_id": 3},
    audience=Perm.POLL_MANAGE,
)
event(
    "poll.progress",
    schema=PollProgressData,
    summary="Số đại biểu đã biểu quyết (gộp, tối đa 4 lần/giây); `running_tally` chỉ có ở "
    "biểu quyết công khai khi chủ trì chọn hiện kết quả tạm thời.",
    example={
        "poll_id": 3,
        "voted_count": 7,
        "eligible_count": 10,
        "quorum": QUORUM_EXAMPLE | {"counted": 7},
        "running_tally": None,
    },
)

_MANAGE_ERRORS = ("conflict",)


@command(
    "poll.create",
    schema=CreateIn,
    permission=Perm.POLL_MANAGE,
    summary="Tạo cuộc biểu quyết (nháp): tán thành/không tán thành/không biểu quyết, một "
    "lựa chọn, hoặc nhiều lựa chọn (bầu cử); công khai hoặc kín.",
    example={
        "meeting_id": 1,
        "title": "Thông qua Tờ trình kế hoạch đầu tư công năm 2027",
        "agenda_item_id": 3,
        "kind": "yes_no",
        "secret": False,
        "duration_seconds": 60,
    },
    result=PollData,
)
def create(ctx: Ctx, body: CreateIn) -> dict[str, Any]:
    settings = parse_settings(body.model_dump(exclude={"meeting_id"}))
    poll = polls.do_create(ctx.meeting_required.id, ctx.user, settings, ctx.outbox)
    return {"poll": polls.tally_view(poll)}


@command(
    "poll.update",
    schema=UpdateIn,
    permission=Perm.POLL_MANAGE,
    summary="Sửa bản nháp (chỉ các trường gửi lên); biểu quyết đã mở thì `conflict`.",
    example={"meeting_id": 1, "poll_id": 3, "secret": True},
    errors=_MANAGE_ERRORS,
    result=PollData,
)
def update(ctx: Ctx, body: UpdateIn) -> dict[str, Any]:
    poll = polls.lock_poll(ctx.meeting_required.id, body.poll_id)
    patch = PollPatch.model_validate(
        body.model_dump(exclude={"meeting_id", "poll_id"}, exclude_unset=True)
    )
    return {"poll": polls.tally_view(polls.do_update(poll, patch, ctx.outbox))}


@command(
    "poll.delete",
    schema=PollRef,
    permission=Perm.POLL_MANAGE,
    summary="Xóa bản nháp; biểu quyết đã mở thì `conflict` (dùng `poll.cancel`).",
    example={"meeting_id": 1, "poll_id": 3},
    errors=_MANAGE_ERRORS,
)
def delete(ctx: Ctx, body: PollRef) -> None:
    polls.do_delete(polls.lock_poll(ctx.meeting_required.id, body.poll_id), ctx.outbox)


@command(
    "poll.open",
    schema=PollRef,
    permission=Perm.POLL_MANAGE,
    summary="Mở biểu quyết: chốt danh sách người được biểu quyết, bắt đầu đếm giờ nếu có.",
    example={"meeting_id": 1, "poll_id": 3},
    errors=_MANAGE_ERRORS,
    result=PollData,
)
def open_(ctx: Ctx, body: PollRef) -> dict[str, Any]:
    poll = polls.do_open(
        polls.lock_poll(ctx.meeting_required.id, body.poll_id), ctx.user, ctx.outbox
    )
    poll_timers.ensure_close_timer(poll)
    return {"poll": polls.tally_view(poll)}


@command(
    "poll.cast",
    schema=CastIn,
    permission=Perm.POLL_VOTE,
    summary="Bỏ phiếu. Gửi lại cùng `ballot_id` trả lại đúng xác nhận cũ; phiếu kín trả về "
    "`receipt` (mã biên nhận) để tự kiểm tra phiếu có trong danh sách công bố. Đổi phiếu "
    "(nếu được phép): `ballot_id` mới và `previous_ballot_id` là phiếu hiện tại.",
    example={
        "meeting_id": 1,
        "poll_id": 3,
        "ballot_id": "0b5e7a52-6f0e-4c1e-9d0c-3f1f5b0a8c21",
        "choices": [11],
    },
    errors=("conflict", "closed", "not_eligible", "already_voted", "invalid_choice"),
    result=CastAck,
)
def cast(ctx: Ctx, body: CastIn) -> dict[str, Any]:
    poll = polls.share_lock_poll(ctx.meeting_required.id, body.poll_id)
    if poll.status is PollStatus.OPEN and ballots.is_past_deadline(poll):
        poll_timers.ensure_close_timer(poll)  # fires at once: the lazy close
    ack, changed = ballots.do_cast(
        poll, ctx.user, body.ballot_id, body.choices, body.previous_ballot_id
    )
    if changed:
        poll_timers.schedule_progress(poll.meeting_id, poll.id)
    return ack


@command(
    "poll.close",
    schema=PollRef,
    permission=Perm.POLL_MANAGE,
    summary="Kết thúc biểu quyết: đếm phiếu, áp quy tắc đa số; trả về kết quả cho người "
    "điều hành (mọi người thấy sau `poll.publish`). Gửi lại không sao.",
    example={"meeting_id": 1, "poll_id": 3},
    errors=_MANAGE_ERRORS,
    result=PollViewData,
)
def close(ctx: Ctx, body: PollRef) -> dict[str, Any]:
    poll = polls.lock_poll(ctx.meeting_required.id, body.poll_id)
    if poll.status is PollStatus.DRAFT:
        raise conflict("Cuộc biểu quyết chưa mở.", "not_open")
    if poll.status is PollStatus.CANCELLED:
        raise conflict("Cuộc biểu quyết đã bị hủy.", "cancelled")
    polls.do_close(poll, ctx.user.id, ctx.outbox)  # already closed: same answer
    return {"poll": full_view(poll, ctx.user, ctx.meeting_required)}


@command(
    "poll.publish",
    schema=PollRef,
    permission=Perm.POLL_MANAGE,
    summary="Công bố kết quả cho mọi người (màn chiếu, máy tính bảng); sau `poll.hide` thì "
    "chiếu lại. Gửi lại không sao.",
    example={"meeting_id": 1, "poll_id": 3},
    errors=_MANAGE_ERRORS,
    result=PollViewData,
)
def publish(ctx: Ctx, body: PollRef) -> dict[str, Any]:
    poll = polls.do_publish(
        polls.lock_poll(ctx.meeting_required.id, body.poll_id), ctx.user, ctx.outbox
    )
    return {"poll": full_view(poll, ctx.user, ctx.meeting_required)}


@command(
    "poll.hide",
    schema=PollRef,
    permission=Perm.POLL_MANAGE,
    summary="Gỡ cuộc biểu quyết đã kết thúc (hoặc đã công bố) khỏi màn chiếu và máy tính "
    "bảng; kết quả vẫn lưu. Gửi `poll.publish` để chiếu lại. Gửi lại không sao.",
    example={"meeting_id": 1, "poll_id": 3},
    errors=_MANAGE_ERRORS,
    result=PollViewData,
)
def hide(ctx: Ctx, body: PollRef) -> dict[str, Any]:
    poll = polls.do_hide(polls.lock_poll(ctx.meeting_required.id, body.poll_id), ctx.outbox)
    return {"poll": full_view(poll, ctx.user, ctx.meeting_required)}


@command(
    "poll.cancel",
    schema=PollRef,
    permission=Perm.POLL_MANAGE,
    summary="Hủy cuộc biểu quyết đang mở (sai thủ tục): không đếm, không công bố.",
    example={"meeting_id": 1, "poll_id": 3},
    errors=_MANAGE_ERRORS,
    result=PollData,
)
def cancel(ctx: Ctx, body: PollRef) -> dict[str, Any]:
    poll = polls.do_cancel(
        polls.lock_poll(ctx.meeting_required.id, body.poll_id), ctx.user, ctx.outbox
    )
    return {"poll": polls.tally_view(poll)}


@command(
    "poll.get",
    schema=PollRef,
    permission=Perm.MEETING_VIEW,
    summary="Một cuộc biểu quyết, kèm `me` (được bầu? đã bầu? chọn gì nếu công khai).",
    example={"meeting_id": 1, "poll_id": 3},
    result=PollViewData,
)
def get(ctx: Ctx, body: PollRef) -> dict[str, Any]:
    poll = polls.get_poll(ctx.meeting_required.id, body.poll_id)
    if poll.status is PollStatus.DRAFT and not can_manage(ctx.user, ctx.meeting_required):
        raise AppError("not_found", "Không tìm thấy cuộc biểu quyết.")
    poll_timers.ensure_close_timer(poll)
    return {"poll": full_view(poll, ctx.user, ctx.meeting_required)}


@command(
    "poll.list",
    schema=MeetingPolls,
    permission=Perm.MEETING_VIEW,
    summary="Các cuộc biểu quyết của cuộc họp (bản nháp chỉ người điều hành thấy).",
    example={"meeting_id": 1},
    result=PollList,
)
def list_(ctx: Ctx, body: MeetingPolls) -> dict[str, Any]:
    return {"polls": [polls.tally_view(p) for p in visible_polls(ctx.meeting_required, ctx.user)]}


@snapshot_part("poll", schema=PollPart)
def poll_part(meeting: Meeting, user: User) -> dict[str, Any]:
    """The open poll, else the latest closed one; with what this user may/did do."""
    current = visibility.current_poll(meeting)
    if current is not None:
        poll_timers.ensure_close_timer(current)
    return visibility.poll_part(meeting, user, current)
