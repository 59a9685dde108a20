"""Agenda commands: the secretary edits, the chair drives (start, move, extend, end)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from meetings.events.catalogue import event
from meetings.models import Meeting, User
from meetings.permissions import Perm
from meetings.realtime.registry import Ctx, command
from meetings.realtime.snapshot import snapshot_part
from meetings.schemas.room import (
    AGENDA_EXAMPLE,
    MEETING_EXAMPLE,
    AgendaEvent,
    AgendaOut,
    CreatedId,
    MeetingEndedOut,
    MeetingOut,
)
from meetings.services.room import agenda

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Presenter = Annotated[str, StringConstraints(max_length=200)]
Notes = Annotated[str, StringConstraints(max_length=4000)]
Minutes = Annotated[int, Field(ge=1, le=600)]

CONFLICT = ("conflict",)


class Cmd(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    meeting_id: int


class ItemRef(Cmd):
    item_id: int


class CurrentIn(Cmd):
    item_id: int | None


class ExtendIn(Cmd):
    item_id: int | None = None
    minutes: Annotated[int, Field(ge=1, le=120)]


class ItemCreate(Cmd):
    title: Title
    presenter: Presenter = ""
    # A participant of the meeting: shown by name, presents while the item is current.
    presenter_user_id: int | None = None
    planned_minutes: Minutes = 10
    notes: Notes = ""
    parent_id: int | None = None


class ItemUpdate(ItemRef):
    title: Title | None = None
    presenter: Presenter | None = None
    # Given: that participant (null: nobody named; `presenter` is then free text). Not
    # given: `presenter` alone, different from the name shown, names an outside person.
    presenter_user_id: int | None = None
    planned_minutes: Minutes | None = None
    notes: Notes | None = None


class ReorderIn(Cmd):
    parent_id: int | None = None
    item_ids: Annotated[list[int], Field(max_length=500)]


event(
    "meeting.updated",
    schema=MeetingOut,
    summary="Thông tin hoặc trạng thái cuộc họp thay đổi (bắt đầu, kết thúc, sửa, hủy).",
    example=MEETING_EXAMPLE,
)
event(
    "agenda.updated",
    schema=AgendaEvent,
    summary="Toàn bộ chương trình sau một thay đổi; `op` cho biết thay đổi gì.",
    example=AGENDA_EXAMPLE,
)


@snapshot_part("agenda", schema=AgendaOut)
def agenda_part(meeting: Meeting, _user: User) -> dict[str, Any]:
    return AgendaOut.model_validate(agenda.agenda_state(meeting)).model_dump()


# --- live driving ------------------------------------------------------------------------


@command(
    "meeting.start",
    schema=Cmd,
    permission=Perm.AGENDA_DRIVE,
    summary="Khai mạc: cuộc họp bắt đầu, mục đầu tiên thành mục hiện tại.",
    example={"meeting_id": 1},
    errors=CONFLICT,
)
def start(ctx: Ctx, body: Cmd) -> None:
    agenda.start_meeting(ctx.meeting_required, ctx.outbox)


@command(
    "meeting.end",
    schema=Cmd,
    permission=Perm.AGENDA_DRIVE,
    summary=(
        "Bế mạc: dừng đồng hồ, kết thúc lượt phát biểu và xoá hàng chờ, kết thúc biểu quyết "
        "đang mở (kiểm phiếu, chưa công bố), dừng trình chiếu; cầu truyền hình kết thúc "
        "(dừng và lưu ghi hình, đóng kết nối các điểm cầu). Sau đó các lệnh conference.*, "
        "poll.*, presenter.* trả `closed`."
    ),
    example={"meeting_id": 1},
    errors=CONFLICT,
    result=MeetingEndedOut,
)
def end(ctx: Ctx, body: Cmd) -> dict[str, Any]:
    return agenda.end_meeting(ctx.meeting_required, ctx.outbox, ctx.user.id)


@command(
    "agenda.next",
    schema=Cmd,
    permission=Perm.AGENDA_DRIVE,
    summary="Chuyển sang mục tiếp theo.",
    example={"meeting_id": 1},
    errors=CONFLICT,
)
def next_item(ctx: Ctx, body: Cmd) -> None:
    agenda.step(ctx.meeting_required, +1, ctx.outbox)


@command(
    "agenda.previous",
    schema=Cmd,
    permission=Perm.AGENDA_DRIVE,
    summary="Quay lại mục trước.",
    example={"meeting_id": 1},
    errors=CONFLICT,
)
def previous_item(ctx: Ctx, body: Cmd) -> None:
    agenda.step(ctx.meeting_required, -1, ctx.outbox)


@command(
    "agenda.resume",
    schema=Cmd,
    permission=Perm.AGENDA_DRIVE,
    summary="Tiếp tục sau giờ nghỉ: quay lại mục đang dở (paused_item_id), đồng hồ chạy tiếp.",
    example={"meeting_id": 1},
    errors=CONFLICT,
)
def resume(ctx: Ctx, body: Cmd) -> None:
    agenda.resume(ctx.meeting_required, ctx.outbox)


@command(
    "agenda.jump",
    schema=ItemRef,
    permission=Perm.AGENDA_DRIVE,
    summary="Chuyển thẳng tới một mục bất kỳ.",
    example={"meeting_id": 1, "item_id": 2},
    errors=CONFLICT,
)
def jump(ctx: Ctx, body: ItemRef) -> None:
    agenda.set_current(ctx.meeting_required, body.item_id, ctx.outbox)


@command(
    "agenda.set_current",
    schema=CurrentIn,
    permission=Perm.AGENDA_DRIVE,
    summary="Đặt mục hiện tại; item_id null: tạm nghỉ (mục đang dở được nhớ để tiếp tục).",
    example={"meeting_id": 1, "item_id": None},
    errors=CONFLICT,
)
def set_current(ctx: Ctx, body: CurrentIn) -> None:
    agenda.set_current(ctx.meeting_required, body.item_id, ctx.outbox)


@command(
    "agenda.extend",
    schema=ExtendIn,
    permission=Perm.AGENDA_DRIVE,
    summary="Thêm phút cho một mục (mặc định mục hiện tại).",
    example={"meeting_id": 1, "minutes": 5},
    errors=CONFLICT,
)
def extend(ctx: Ctx, body: ExtendIn) -> None:
    agenda.extend(ctx.meeting_required, body.item_id, body.minutes, ctx.outbox)


# --- editing -------------------------------------------------------------------------------


@command(
    "agenda.create",
    schema=ItemCreate,
    permission=Perm.MEETING_EDIT,
    summary=(
        "Thêm mục (hoặc mục con với parent_id) vào cuối cấp của nó. Người trình bày: một "
        "thành viên cuộc họp (presenter_user_id, có quyền trình chiếu khi mục là mục hiện "
        "tại) hoặc tên nhập tay (presenter) cho người ngoài."
    ),
    example={"meeting_id": 1, "title": "Thảo luận", "presenter": "Các đại biểu"},
    errors=(*CONFLICT, "presenter_not_participant"),
    result=CreatedId,
)
def create(ctx: Ctx, body: ItemCreate) -> dict[str, Any]:
    fields = body.model_dump(exclude={"meeting_id"})
    item = agenda.add_item(ctx.meeting_required, fields, ctx.outbox)
    return {"id": item.id}


@command(
    "agenda.update",
    schema=ItemUpdate,
    permission=Perm.MEETING_EDIT,
    summary=(
        "Sửa tiêu đề, người trình bày (presenter_user_id hoặc tên nhập tay), thời lượng "
        "hoặc ghi chú của một mục."
    ),
    example={"meeting_id": 1, "item_id": 2, "planned_minutes": 20},
    errors=(*CONFLICT, "presenter_not_participant"),
)
def update(ctx: Ctx, body: ItemUpdate) -> None:
    # Unset fields stay; presenter_user_id: null is meaningful (clears the person).
    fields = body.model_dump(exclude={"meeting_id", "item_id"}, exclude_unset=True)
    agenda.update_item(ctx.meeting_required, body.item_id, fields, ctx.outbox)


@command(
    "agenda.delete",
    schema=ItemRef,
    permission=Perm.MEETING_EDIT,
    summary="Xóa một mục cùng các mục con.",
    example={"meeting_id": 1, "item_id": 2},
    errors=CONFLICT,
)
def delete(ctx: Ctx, body: ItemRef) -> None:
    agenda.delete_item(ctx.meeting_required, body.item_id, ctx.outbox)


@command(
    "agenda.reorder",
    schema=ReorderIn,
    permission=Perm.MEETING_EDIT,
    summary="Sắp xếp lại một cấp: danh sách đầy đủ id theo thứ tự mới.",
    example={"meeting_id": 1, "item_ids": [2, 1, 3]},
    errors=CONFLICT,
)
def reorder(ctx: Ctx, body: ReorderIn) -> None:
    agenda.reorder(ctx.meeting_required, body.parent_id, body.item_ids, ctx.outbox)
