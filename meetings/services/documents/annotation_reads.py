"""Reading annotations: a person's private marks, the meeting's shared ones, and what
a mark looks like on the wire (the rules are in annotations.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

from meetings.db import db
from meetings.errors import not_found
from meetings.models import Annotation, AnnotationScope, Meeting, User
from meetings.models.documents import Document, DocumentPage, DocumentStatus
from meetings.services.documents.library import document_visible_to, visible_document


def out(row: Annotation, owner_name: str | None = None) -> dict[str, Any]:
    g = row.geometry
    return {
        "id": row.id,
        "document_id": row.document_id,
        "page": row.page,
        "kind": row.kind.value,
        "scope": row.scope.value,
        "color": row.color,
        "width": row.width,
        "points": g.get("points"),
        "pressures": g.get("pressures"),
        "rects": g.get("rects"),
        "at": g.get("at"),
        "text": row.text,
        "owner_id": row.owner_id,
        "owner_name": owner_name,
        "source_id": row.source_id,
        "version": row.version,
        "deleted": row.deleted,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def document_for(user: User, meeting: Meeting, document_id: int) -> Document:
    """The document if this person may see it and it belongs to this meeting."""
    doc = visible_document(user, document_id)
    if doc.meeting_id != meeting.id:  # a document of another meeting: same answer
        raise not_found("Không tìm thấy tài liệu.")
    return doc


def owner_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))
    return {uid: name for uid, name in rows}


def room_may_see(doc: Document) -> bool:
    """Everyone in the meeting room may see an unrestricted, current document
    (DOCUMENT_VIEW comes with every role); otherwise events carry ids only."""
    return not doc.restricted and doc.status is not DocumentStatus.WITHDRAWN


def mine(user: User, meeting: Meeting, document_id: int) -> list[dict[str, Any]]:
    """My private annotations on a document, oldest first (any device wrote them)."""
    document_for(user, meeting, document_id)
    rows = db.scalars(
        select(Annotation)
        .where(
            Annotation.document_id == document_id,
            Annotation.owner_id == user.id,
            Annotation.scope == AnnotationScope.PRIVATE,
            Annotation.deleted.is_(False),
        )
        .order_by(Annotation.created_at, Annotation.id)
    )
    return [out(r) for r in rows]


def rotations(document_id: int) -> list[int]:
    """Each page's /Rotate, so clients can map what they display to stored coordinates."""
    rows = db.execute(
        select(DocumentPage.rotation)
        .where(DocumentPage.document_id == document_id)
        .order_by(DocumentPage.index)
    )
    return [int(r) % 360 for (r,) in rows]


def shared_marks(
    meeting: Meeting, user: User, document_id: int | None = None
) -> list[dict[str, Any]]:
    """The meeting's shared marks on documents this person may see, oldest first."""
    q = (
        select(Annotation, User.full_name)
        .join(User, User.id == Annotation.owner_id)
        .where(
            Annotation.meeting_id == meeting.id,
            Annotation.scope == AnnotationScope.SHARED,
            Annotation.deleted.is_(False),
        )
        .order_by(Annotation.created_at, Annotation.id)
    )
    if document_id is not None:
        q = q.where(Annotation.document_id == document_id)
    rows = db.execute(q).all()
    visible: dict[int, bool] = {}
    result = []
    for row, name in rows:
        if row.document_id not in visible:
            doc = db.get(Document, row.document_id)
            visible[row.document_id] = doc is not None and document_visible_to(user, doc, meeting)
        if visible[row.document_id]:
            result.append(out(row, name))
    return result


def laser_allowed(user: User, meeting: Meeting, document_id: int, page: int) -> bool:
    """The pointer may be shown to the room: the document is visible to the presenter and
    to everyone in the room (a restricted document's pointer would say where it is read)."""
    doc = document_for(user, meeting, document_id)
    return page < doc.page_count and room_may_see(doc)


def export_rows(user: User, doc: Document, *, mine_too: bool, shared_too: bool) -> list[Annotation]:
    """The marks going into a PDF copy: my private ones and/or the meeting's shared ones."""
    conditions: list[ColumnElement[bool]] = []
    if mine_too:
        conditions.append(
            and_(Annotation.owner_id == user.id, Annotation.scope == AnnotationScope.PRIVATE)
        )
    if shared_too:
        conditions.append(Annotation.scope == AnnotationScope.SHARED)
    if not conditions:
        return []
    cond = or_(*conditions)
    return list(
        db.scalars(
            select(Annotation)
            .where(Annotation.document_id == doc.id, Annotation.deleted.is_(False), cond)
            .order_by(Annotation.page, Annotation.created_at, Annotation.id)
        )
    )
