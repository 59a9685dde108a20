"""Annotation commands: private marks, shared marks, the laser pointer, the offline queue.

Private changes are answered in the ack only (nobody else may hear of them); shared
changes are events to the meeting room, emitted after commit with the state version.
The laser pointer is volatile: not stored, no version, throttled per connection.
"""

from __future__ import annotations

import time
from typing import Any

from meetings.events.catalogue import event, meeting_room
from meetings.models import AnnotationScope, Meeting, User
from meetings.permissions import Perm
from meetings.realtime.events import emit_event
from meetings.realtime.hooks import on_disconnect
from meetings.realtime.registry import Ctx, command
from meetings.realtime.snapshot import snapshot_part
from meetings.schemas.annotations import (
    OUT_EXAMPLE,
    STROKE_EXAMPLE,
    AnnotationList,
    AnnotationOut,
    ClearCmd,
    ClearedEvent,
    ClearResult,
    CreateCmd,
    CreatedEvent,
    DeletedEvent,
    LaserAck,
    LaserCmd,
    LaserEvent,
    ListCmd,
    RefCmd,
    ShareCmd,
    SyncCmd,
    SyncResult,
    UpdateCmd,
)
from meetings.services.documents import annotation_reads as reads
from meetings.services.documents import annotations as svc

ID = "5b0c1f7e-3f4a-4c2e-9d7a-0e1f2a3b4c5d"
OP_ID = "0e6f3c1a-9a2b-4c3d-8e4f-5a6b7c8d9e0f"
WRITE_ERRORS = ("conflict", "too_large")
LASER_MIN_INTERVAL = 1 / 40  # s: clients send at most ~30/s; anything faster is dropped

event(
    "annotation.created",
    schema=CreatedEvent,
    summary="Một dấu chung mới (người trình bày vẽ, hoặc đại biểu chia sẻ). "
    "`annotation` là null nếu tài liệu bị giới hạn: ai được xem thì lấy lại ảnh chụp.",
    example={"id": ID, "document_id": 3, "page": 0, "annotation": OUT_EXAMPLE},
)
event(
    "annotation.deleted",
    schema=DeletedEvent,
    summary="Một dấu chung đã bị xóa.",
    example={"id": ID, "document_id": 3, "page": 0},
)
event(
    "annotation.cleared",
    schema=ClearedEvent,
    summary="Chủ tọa xóa các dấu chung của một trang (page null: cả tài liệu).",
    example={"document_id": 3, "page": 0, "ids": [ID]},
)
event(
    "annotation.laser",
    schema=LaserEvent,
    summary="Bút chỉ (laser) của người trình bày: tạm thời, không lưu, không tăng phiên bản "
    "(envelope có `version` null). `at` null: ẩn bút chỉ.",
    example={"document_id": 3, "page": 0, "at": [0.42, 0.31], "presenter_id": 2},
)


@snapshot_part("shared_marks", schema=list[AnnotationOut])
def shared_marks_part(meeting: Meeting, user: User) -> list[dict[str, Any]]:
    return reads.shared_marks(meeting, user)


@command(
    "annotation.create",
    schema=CreateCmd,
    permission=Perm.ANNOTATE,
    summary="Tạo ghi chú riêng (bút, bút dạ quang, tô chữ, ghi chú dán) trên một trang. "
    "`id` do máy tạo (UUID): gửi lại cùng id không tạo bản thứ hai.",
    example={"meeting_id": 1, "annotation": STROKE_EXAMPLE},
    errors=WRITE_ERRORS,
    result=AnnotationOut,  # a retry of a deleted one answers it with `deleted: true`
)
def create(ctx: Ctx, body: CreateCmd) -> dict[str, Any]:
    return svc.create(
        ctx.user, ctx.meeting_required, body.annotation, AnnotationScope.PRIVATE, ctx.outbox
    )


@command(
    "annotation.update",
    schema=UpdateCmd,
    permission=Perm.ANNOTATE,
    summary="Sửa ghi chú riêng của mình (màu, độ dày; vị trí và nội dung ghi chú dán). "
    "`base_version` là phiên bản đã sửa trên; cũ hơn thì trả `version_conflict` kèm bản "
    "hiện tại. Gửi lại cùng `op_id` không sửa lần nữa.",
    example={
        "meeting_id": 1,
        "id": ID,
        "base_version": 1,
        "op_id": OP_ID,
        "changes": {"color": "#1565c0"},
    },
    errors=("version_conflict", "conflict"),
    result=AnnotationOut,
)
def update(ctx: Ctx, body: UpdateCmd) -> dict[str, Any]:
    return svc.update(
        ctx.user,
        ctx.meeting_required,
        body.id,
        body.base_version,
        body.op_id,
        body.changes,
        ctx.outbox,
    )


@command(
    "annotation.delete",
    schema=RefCmd,
    permission=Perm.ANNOTATE,
    summary="Xóa ghi chú của mình (riêng hoặc đã chia sẻ); chủ tọa xóa được mọi dấu chung. "
    "Xóa lại cái đã xóa vẫn thành công.",
    example={"meeting_id": 1, "id": ID},
    result=AnnotationOut,
)
def delete(ctx: Ctx, body: RefCmd) -> dict[str, Any]:
    return svc.delete(ctx.user, ctx.meeting_required, body.id, ctx.outbox)


@command(
    "annotation.list",
    schema=ListCmd,
    permission=Perm.ANNOTATE,
    summary="Ghi chú riêng của tôi và các dấu chung trên một tài liệu (mọi thiết bị), "
    "kèm góc xoay (/Rotate) của từng trang để đổi tọa độ hiển thị sang tọa độ lưu.",
    example={"meeting_id": 1, "document_id": 3},
    result=AnnotationList,
)
def list_(ctx: Ctx, body: ListCmd) -> dict[str, Any]:
    meeting = ctx.meeting_required
    return {
        "mine": reads.mine(ctx.user, meeting, body.document_id),
        "shared": reads.shared_marks(meeting, ctx.user, body.document_id),
        "rotations": reads.rotations(body.document_id),
    }


@command(
    "annotation.share",
    schema=ShareCmd,
    permission=Perm.ANNOTATE,
    summary="Chia sẻ một ghi chú riêng với cuộc họp: tạo bản sao chung `shared_id` "
    "(bản riêng vẫn giữ nguyên).",
    example={"meeting_id": 1, "id": ID, "shared_id": OP_ID},
    errors=WRITE_ERRORS,
    result=AnnotationOut,
)
def share(ctx: Ctx, body: ShareCmd) -> dict[str, Any]:
    return svc.share(ctx.user, ctx.meeting_required, body.id, body.shared_id, ctx.outbox)


@command(
    "annotation.mark",
    schema=CreateCmd,
    permission=Perm.PRESENT,
    summary="Người trình bày vẽ dấu chung (bút, dạ quang, tô chữ, ghi chú) lên mọi màn hình.",
    example={"meeting_id": 1, "annotation": STROKE_EXAMPLE},
    errors=WRITE_ERRORS,
    result=AnnotationOut,
)
def mark(ctx: Ctx, body: CreateCmd) -> dict[str, Any]:
    return svc.create(
        ctx.user, ctx.meeting_required, body.annotation, AnnotationScope.SHARED, ctx.outbox
    )


@command(
    "annotation.clear",
    schema=ClearCmd,
    permission=Perm.SHARED_MARKS_CLEAR,
    summary="Xóa các dấu chung của một trang (page bỏ trống: cả tài liệu).",
    example={"meeting_id": 1, "document_id": 3, "page": 0},
    result=ClearResult,
)
def clear(ctx: Ctx, body: ClearCmd) -> dict[str, Any]:
    return svc.clear(ctx.user, ctx.meeting_required, body.document_id, body.page, ctx.outbox)


@command(
    "annotation.sync",
    schema=SyncCmd,
    permission=Perm.ANNOTATE,
    summary="Gửi hàng đợi ngoại tuyến: các thao tác create/update/delete/share/mark theo "
    "thứ tự, mỗi thao tác một kết quả. Gửi lại cả lô không tạo bản trùng.",
    example={
        "meeting_id": 1,
        "ops": [{"op": "create", "op_id": OP_ID, "annotation": STROKE_EXAMPLE}],
    },
    result=SyncResult,
)
def sync(ctx: Ctx, body: SyncCmd) -> dict[str, Any]:
    return {"results": svc.apply_ops(ctx.user, ctx.meeting_required, body.ops, ctx.outbox)}


# The last laser message per connection, for throttling (a dict: one gevent process).
_last_laser: dict[str, float] = {}
# The throttle's clock; tests replace it so the outcome does not depend on machine load.
clock = time.monotonic


@on_disconnect
def _forget_laser(sid: str, _outbox: Any) -> None:
    _last_laser.pop(sid, None)


@command(
    "annotation.laser",
    schema=LaserCmd,
    permission=Perm.PRESENT,
    summary="Bút chỉ của người trình bày, gửi liên tục khi di chuyển (tối đa ~30 lần/giây; "
    "nhanh hơn bị bỏ qua). Không lưu. `at` null để ẩn.",
    example={"meeting_id": 1, "document_id": 3, "page": 0, "at": [0.42, 0.31]},
    result=LaserAck,
)
def laser(ctx: Ctx, body: LaserCmd) -> dict[str, Any]:
    now = clock()
    key = ctx.sid or f"user:{ctx.user.id}"
    # A hide is never dropped, or the pointer could stay on the wall.
    if body.at is not None and now - _last_laser.get(key, 0.0) < LASER_MIN_INTERVAL:
        return {"sent": False}
    meeting = ctx.meeting_required
    if not reads.laser_allowed(ctx.user, meeting, body.document_id, body.page):
        return {"sent": False}
    _last_laser[key] = now
    data = {
        "document_id": body.document_id,
        "page": body.page,
        "at": [round(v, 4) for v in body.at] if body.at is not None else None,
        "presenter_id": ctx.user.id,
    }
    # Emitted at once, not through the outbox: nothing is written, so there is no commit
    # to wait for and no version to bump (a version per pointer move would send every
    # tablet for a snapshot).
    emit_event(
        "annotation.laser",
        {"meeting_id": meeting.id, "version": None, "data": data},
        to=meeting_room(meeting.id),
        skip_sid=ctx.sid,
    )
    return {"sent": True}
