"""Annotations: private marks of one person, shared marks of the meeting.

Rules
- A private annotation is seen and changed by its owner only. To anyone else its id does
  not exist (`not_found`), over Socket.IO and REST alike.
- A shared mark (presenter's marks, or a copy a delegate shared) is seen by everyone who
  may see the document; its owner may delete it, the chair may delete or clear any.
- Every write names a document the person can see now (documents.visible_document).
- Writes are idempotent: creates carry the client's id, updates the client's op id, and
  deletes of a deleted mark succeed. A queue replayed twice changes nothing the second time.
- Concurrent edits: an update names the version it was made on. If the mark moved on since,
  the edit is refused with `version_conflict` and the current version and mark, and the
  client adopts the server's copy: the write the server committed last stands.
- Shared changes bump the meeting's state version and are emitted after commit (Outbox);
  private ones do not (no one else may hear of them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from meetings.db import db
from meetings.errors import AppError, invalid_payload, not_found
from meetings.events.outbox import Outbox
from meetings.models import Annotation, AnnotationKind, AnnotationScope, Meeting, User
from meetings.models.documents import Document
from meetings.permissions import Perm, authorize
from meetings.schemas.annotations import (
    SYNC_OP,
    AnnotationIn,
    AnnotationPatch,
    CreateOp,
    DeleteOp,
    MarkOp,
    NoteIn,
    ShareOp,
    StrokeIn,
    TextHighlightIn,
    UpdateOp,
)
from meetings.services.documents.annotation_reads import document_for, out, room_may_see

MAX_PER_DOCUMENT = 10_000  # per person and document: far above use, a ceiling for abuse
# What a shared copy takes over from the private mark as it is.
_SHARED_COPY = ("page", "kind", "color", "width", "text")
DECIMALS = 5  # 1e-5 of an A4 page is under 0.01 pt: rounding loses nothing visible


class VersionConflict(AppError):
    """The edit was made on an older version; details carry the current one."""

    def __init__(self, row: Annotation) -> None:
        super().__init__(
            "version_conflict",
            "Ghi chú đã được sửa ở nơi khác; đã tải lại bản mới nhất.",
            {"id": row.id, "current_version": row.version, "annotation": out(row)},
        )

    @property
    def status(self) -> int:
        return 409


def _gone() -> AppError:
    return not_found("Không tìm thấy ghi chú.")


def _r(values: Iterable[float]) -> list[float]:
    return [round(v, DECIMALS) for v in values]


# ------------------------------------------------------------------ writing


def _geometry(spec: AnnotationIn) -> dict[str, Any]:
    if isinstance(spec, StrokeIn):
        g: dict[str, Any] = {"points": _r(spec.points)}
        if spec.pressures is not None:
            g["pressures"] = _r(spec.pressures)
        return g
    if isinstance(spec, TextHighlightIn):
        return {"rects": [_r(rect) for rect in spec.rects]}
    if isinstance(spec, NoteIn):
        return {"at": _r(spec.at)}
    raise TypeError(f"no geometry for {type(spec).__name__}")


def _existing(user: User, meeting: Meeting, annotation_id: str) -> Annotation | None:
    """A row with this id made by this person in this meeting (a replay), else None.
    An id someone else holds is refused without saying whose or what it is."""
    row = db.get(Annotation, annotation_id)
    if row is None:
        return None
    if row.owner_id != user.id or row.meeting_id != meeting.id:
        raise AppError("conflict", "Mã ghi chú đã được dùng; hãy tạo mã mới.")
    return row


def _check_room(user: User, doc: Document, page: int) -> None:
    if page >= doc.page_count:
        raise AppError("invalid_payload", f"Dữ liệu không hợp lệ: page ngoài tài liệu ({page}).")
    count = db.scalar(
        select(func.count())
        .select_from(Annotation)
        .where(Annotation.document_id == doc.id, Annotation.owner_id == user.id)
    )
    if (count or 0) >= MAX_PER_DOCUMENT:
        raise AppError("too_large", "Đã đạt số ghi chú tối đa trên tài liệu này.")


def _emit_created(
    outbox: Outbox, meeting: Meeting, doc: Document, row: Annotation, user: User
) -> None:
    body = out(row, user.full_name) if room_may_see(doc) else None
    outbox.meeting_event(
        meeting.id,
        "annotation.created",
        {"id": row.id, "document_id": row.document_id, "page": row.page, "annotation": body},
    )


def create(
    user: User,
    meeting: Meeting,
    spec: AnnotationIn,
    scope: AnnotationScope,
    outbox: Outbox,
) -> dict[str, Any]:
    """A private annotation, or (scope shared: the caller holds PRESENT) a shared mark."""
    found = _existing(user, meeting, spec.id)
    if found is not None:
        return out(found)  # a retry: what it already did (a tombstone says deleted)
    doc = document_for(user, meeting, spec.document_id)
    _check_room(user, doc, spec.page)
    row = Annotation(
        id=spec.id,
        meeting_id=meeting.id,
        document_id=doc.id,
        page=spec.page,
        owner_id=user.id,
        scope=scope,
        kind=AnnotationKind(spec.kind),
        color=spec.color,
        width=spec.width if isinstance(spec, StrokeIn) else 0.0,
        geometry=_geometry(spec),
        text=spec.text if isinstance(spec, TextHighlightIn | NoteIn) else "",
    )
    db.add(row)
    db.flush()
    if scope is AnnotationScope.SHARED:
        _emit_created(outbox, meeting, doc, row, user)
    return out(row)


def _own(user: User, meeting: Meeting, annotation_id: str) -> Annotation:
    row = db.get(Annotation, annotation_id)
    if row is None or row.owner_id != user.id or row.meeting_id != meeting.id:
        raise _gone()
    return row


def update(
    user: User,
    meeting: Meeting,
    annotation_id: str,
    base_version: int,
    op_id: str,
    patch: AnnotationPatch,
    outbox: Outbox,
) -> dict[str, Any]:
    row = _own(user, meeting, annotation_id)
    if row.last_op_id == op_id:
        return out(row)  # this very edit, replayed
    if row.deleted:
        raise _gone()
    if row.scope is AnnotationScope.SHARED:
        raise AppError("conflict", "Không sửa được dấu đã chia sẻ; hãy xóa và vẽ lại.")
    document_for(user, meeting, row.document_id)
    if base_version != row.version:
        raise VersionConflict(row)
    is_note = row.kind is AnnotationKind.NOTE
    if (patch.at is not None or patch.text is not None) and not is_note:
        raise AppError("invalid_payload", "Dữ liệu không hợp lệ: chỉ ghi chú dán có at/text.")
    if patch.width is not None and row.kind not in (AnnotationKind.INK, AnnotationKind.HIGHLIGHTER):
        raise AppError("invalid_payload", "Dữ liệu không hợp lệ: chỉ nét vẽ có width.")
    if patch.color is not None:
        row.color = patch.color
    if patch.width is not None:
        row.width = patch.width
    if patch.at is not None:
        row.geometry = {**row.geometry, "at": _r(patch.at)}
    if patch.text is not None:
        row.text = patch.text
    row.version += 1
    row.last_op_id = op_id
    db.flush()
    return out(row)


def delete(user: User, meeting: Meeting, annotation_id: str, outbox: Outbox) -> dict[str, Any]:
    row = db.get(Annotation, annotation_id)
    if row is None or row.meeting_id != meeting.id:
        raise _gone()
    if row.owner_id != user.id:
        if row.scope is AnnotationScope.PRIVATE:
            raise _gone()  # someone else's private mark does not exist for me
        authorize(user, Perm.SHARED_MARKS_CLEAR, meeting.id)  # the chair removes any
    if row.deleted:
        return out(row)  # already gone: a retried delete succeeds
    doc = document_for(user, meeting, row.document_id)
    row.deleted = True
    row.version += 1
    db.flush()
    if row.scope is AnnotationScope.SHARED:
        outbox.meeting_event(
            meeting.id,
            "annotation.deleted",
            {"id": row.id, "document_id": doc.id, "page": row.page},
        )
    return out(row)


def share(
    user: User, meeting: Meeting, annotation_id: str, shared_id: str, outbox: Outbox
) -> dict[str, Any]:
    """Copy one of my private annotations into the meeting's shared marks.

    A copy, not a flag: the chair clearing the shared marks must not take the delegate's
    own annotation with them, and the delegate may later delete either independently.
    """
    found = _existing(user, meeting, shared_id)
    if found is not None:
        if found.source_id != annotation_id:
            raise AppError("conflict", "Mã ghi chú đã được dùng; hãy tạo mã mới.")
        return out(found)
    src = _own(user, meeting, annotation_id)
    if src.deleted or src.scope is not AnnotationScope.PRIVATE:
        raise _gone()
    doc = document_for(user, meeting, src.document_id)
    row = Annotation(
        id=shared_id,
        meeting_id=meeting.id,
        document_id=doc.id,
        owner_id=user.id,
        scope=AnnotationScope.SHARED,
        geometry=dict(src.geometry),
        source_id=src.id,
        **{name: getattr(src, name) for name in _SHARED_COPY},
    )
    db.add(row)
    db.flush()
    _emit_created(outbox, meeting, doc, row, user)
    return out(row)


def clear(
    user: User, meeting: Meeting, document_id: int, page: int | None, outbox: Outbox
) -> dict[str, Any]:
    """Remove the shared marks of one page (or of the whole document)."""
    doc = document_for(user, meeting, document_id)
    q = select(Annotation).where(
        Annotation.document_id == doc.id,
        Annotation.scope == AnnotationScope.SHARED,
        Annotation.deleted.is_(False),
    )
    if page is not None:
        q = q.where(Annotation.page == page)
    rows = list(db.scalars(q))
    for row in rows:
        row.deleted = True
        row.version += 1
    db.flush()
    ids = [r.id for r in rows]
    if ids:  # nothing changed, nothing to tell (and no version bump)
        outbox.meeting_event(
            meeting.id, "annotation.cleared", {"document_id": doc.id, "page": page, "ids": ids}
        )
    return {"document_id": doc.id, "page": page, "cleared": len(ids)}


# ------------------------------------------------------------------ offline queue


def apply_ops(
    user: User, meeting: Meeting, ops: list[dict[str, Any]], outbox: Outbox
) -> list[dict[str, Any]]:
    """Apply a tablet's queued ops in order; one result per op, in the same order.

    Each op checks everything before it writes, so a refused op leaves nothing behind and
    the ops after it still run (one bad op must not wedge a queue forever).
    """
    results = []
    for raw in ops:
        op_id = raw.get("op_id") if isinstance(raw, dict) else None
        try:
            op = SYNC_OP.validate_python(raw)
            results.append(
                {"op_id": op.op_id, "ok": True, "annotation": _apply(user, meeting, op, outbox)}
            )
        except ValidationError as exc:
            err = invalid_payload(exc)
            results.append({"op_id": op_id, "ok": False, "error": err.body()["error"]})
        except AppError as err:
            results.append({"op_id": op_id, "ok": False, "error": err.body()["error"]})
    return results


def _apply(user: User, meeting: Meeting, op: Any, outbox: Outbox) -> dict[str, Any]:
    if isinstance(op, CreateOp):
        return create(user, meeting, op.annotation, AnnotationScope.PRIVATE, outbox)
    if isinstance(op, MarkOp):
        authorize(user, Perm.PRESENT, meeting.id)
        return create(user, meeting, op.annotation, AnnotationScope.SHARED, outbox)
    if isinstance(op, UpdateOp):
        return update(user, meeting, op.id, op.base_version, op.op_id, op.changes, outbox)
    if isinstance(op, DeleteOp):
        return delete(user, meeting, op.id, outbox)
    if isinstance(op, ShareOp):
        return share(user, meeting, op.id, op.shared_id, outbox)
    raise TypeError(f"unknown annotation operation {type(op).__name__}")
