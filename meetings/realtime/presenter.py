"""Presenter sync (the room follows one document page) and document list/upload events."""

from __future__ import annotations

from typing import Annotated, Any

from flask_socketio import join_room
from pydantic import BaseModel, ConfigDict, Field

from meetings.events.catalogue import event
from meetings.models import Meeting, User
from meetings.permissions import Perm, meeting_perms
from meetings.realtime.hooks import on_join
from meetings.realtime.registry import Ctx, command
from meetings.realtime.snapshot import snapshot_part
from meetings.services.documents import presenter as doc_presenter

ERRORS = ("conflict",)
Frac = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


def uploads_room(meeting_id: int) -> str:
    """Sockets of people who manage the meeting's documents: they see upload progress."""
    return f"meeting:{meeting_id}:doc-managers"


class Cmd(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    meeting_id: int


class OpenIn(Cmd):
    document_id: int
    page: Annotated[int, Field(ge=0)] = 0


class PageIn(Cmd):
    page: Annotated[int, Field(ge=0)]


class ZoomIn(Cmd):
    x: Frac
    y: Frac
    w: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)]
    h: Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ZoomOut(Out):
    x: float
    y: float
    w: float
    h: float


class PresenterRef(Out):
    id: int
    full_name: str


class PresenterOut(Out):
    document_id: int
    page_count: int
    page: int
    zoom: ZoomOut
    presenter: PresenterRef | None
    updated_at: str


class PresenterChanged(Out):
    presenter: PresenterOut | None


class DocumentChanged(Out):
    op: str
    document_id: int
    replaces_id: int | None = None


class DocumentProgress(Out):
    upload_id: str
    filename: str
    stage: str
    fraction: float


PRESENTER_EXAMPLE = {
    "document_id": 7,
    "page_count": 42,
    "page": 3,
    "zoom": {"x": 0.1, "y": 0.2, "w": 0.5, "h": 0.3},
    "presenter": {"id": 2, "full_name": "Trần Văn Chủ Tọa"},
    "updated_at": "2026-11-30T08:00:00+00:00",
}

event(
    "presenter.changed",
    schema=PresenterChanged,
    summary="Tài liệu, trang và vùng phóng to mà cả phòng đang theo dõi; `presenter: null` khi "
    "dừng trình chiếu. Không kèm tiêu đề: máy trạm lấy tài liệu theo id (nếu được xem).",
    example={"presenter": PRESENTER_EXAMPLE},
)
event(
    "document.changed",
    schema=DocumentChanged,
    summary="Danh sách tài liệu của cuộc họp thay đổi (op: added, replaced, updated, withdrawn); "
    "chỉ gửi id — máy trạm tải lại danh sách qua REST, nơi quyền xem được kiểm tra.",
    example={"op": "replaced", "document_id": 8, "replaces_id": 7},
)
event(
    "document.progress",
    schema=DocumentProgress,
    summary="Tiến độ xử lý tệp đang tải lên (stage: queued, converting, hashing, opening, "
    "pages, storing, ready), chỉ gửi cho người quản lý tài liệu đã vào phòng. Phong bì "
    "có `version: null`: đây không phải trạng thái cuộc họp.",
    example={"upload_id": "u-1a2b", "filename": "to-trinh.pdf", "stage": "pages", "fraction": 0.4},
)


@on_join
def _join_uploads_room(ctx: Ctx) -> None:
    meeting = ctx.meeting_required
    if ctx.sid is not None and Perm.DOCUMENT_MANAGE in meeting_perms(ctx.user, meeting):
        join_room(uploads_room(meeting.id), sid=ctx.sid)


@snapshot_part("presenter", schema=PresenterOut | None)
def presenter_part(meeting: Meeting, _user: User) -> dict[str, Any] | None:
    return doc_presenter.state_out(doc_presenter.current(meeting.id))


@command(
    "presenter.open",
    schema=OpenIn,
    permission=Perm.PRESENT,
    summary="Chủ tọa, hoặc người được ghi là người trình bày của mục đang diễn ra, mở một "
    "tài liệu ở một trang; mọi máy trạm đang theo dõi, màn chiếu và điểm cầu chuyển theo.",
    example={"meeting_id": 1, "document_id": 7, "page": 0},
    errors=ERRORS,
    result=PresenterOut | None,  # as in `presenter.changed`
)
def open_(ctx: Ctx, body: OpenIn) -> dict[str, Any] | None:
    return doc_presenter.open_document(
        ctx.meeting_required, ctx.user, body.document_id, body.page, ctx.outbox
    )


@command(
    "presenter.page",
    schema=PageIn,
    permission=Perm.PRESENT,
    summary="Chuyển trang của tài liệu đang trình chiếu (bỏ phóng to).",
    example={"meeting_id": 1, "page": 4},
    errors=ERRORS,
    result=PresenterOut | None,
)
def page(ctx: Ctx, body: PageIn) -> dict[str, Any] | None:
    return doc_presenter.turn_page(ctx.meeting_required, ctx.user, body.page, ctx.outbox)


@command(
    "presenter.zoom",
    schema=ZoomIn,
    permission=Perm.PRESENT,
    summary="Phóng to một vùng của trang (x, y, w, h: phần của trang, 0..1); "
    "{x:0,y:0,w:1,h:1} là cả trang. Máy trạm nên gửi tối đa vài lần mỗi giây.",
    example={"meeting_id": 1, "x": 0.1, "y": 0.2, "w": 0.5, "h": 0.3},
    errors=ERRORS,
    result=PresenterOut | None,
)
def zoom(ctx: Ctx, body: ZoomIn) -> dict[str, Any] | None:
    rect = (body.x, body.y, body.w, body.h)
    return doc_presenter.zoom(ctx.meeting_required, ctx.user, rect, ctx.outbox)


@command(
    "presenter.stop",
    schema=Cmd,
    permission=Perm.PRESENT,
    summary="Dừng trình chiếu tài liệu.",
    example={"meeting_id": 1},
    errors=ERRORS,
)
def stop(ctx: Ctx, body: Cmd) -> None:
    doc_presenter.stop(ctx.meeting_required, ctx.user, ctx.outbox)
