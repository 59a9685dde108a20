"""Who may see which meeting document, and the document list a person sees.

The one rule, used by REST routes, presenter commands and annotations alike:
a document is visible to someone holding DOCUMENT_VIEW in its meeting (participants and
the meeting's managers); a restricted document only to its named users and roles, and
to those holding DOCUMENT_MANAGE; a withdrawn one only to managers. Everyone else gets
`not_found`, exactly as for an id that does not exist, so ids reveal nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select

from meetings.db import db
from meetings.errors import AppError, not_found
from meetings.models import (
    AgendaItem,
    Document,
    DocumentAccess,
    DocumentPage,
    Meeting,
    MeetingRole,
    Participant,
    User,
)
from meetings.models.documents import DocumentStatus, Sensitivity
from meetings.permissions import Perm, authorize, meeting_perms

__all__ = [
    "can_manage",
    "document_out",
    "document_visible_to",
    "history",
    "pages_out",
    "update_document",
    "visible_document",
    "visible_documents",
    "withdraw",
]


def _not_found() -> AppError:
    return not_found("Không tìm thấy tài liệu.")


def can_manage(user: User, meeting: Meeting) -> bool:
    return Perm.DOCUMENT_MANAGE in meeting_perms(user, meeting)


def _granted(user: User, doc: Document) -> bool:
    role = db.scalar(
        select(Participant.role).where(
            Participant.meeting_id == doc.meeting_id, Participant.user_id == user.id
        )
    )
    for grant in doc.access:
        if grant.user_id == user.id or (grant.role is not None and grant.role == role):
            return True
    return False


def document_visible_to(user: User, doc: Document, meeting: Meeting) -> bool:
    """The rule above for a document whose meeting the caller already authorized."""
    perms = meeting_perms(user, meeting)
    if Perm.DOCUMENT_MANAGE in perms:
        return True
    if Perm.DOCUMENT_VIEW not in perms or doc.status is DocumentStatus.WITHDRAWN:
        return False
    return not doc.restricted or _granted(user, doc)


def visible_document(user: User, document_id: int) -> Document:
    """The document if `user` may see it; otherwise AppError("not_found")."""
    doc = db.get(Document, document_id)
    if doc is None:
        raise _not_found()
    try:
        meeting = authorize(user, Perm.DOCUMENT_VIEW, doc.meeting_id)
    except AppError as exc:
        # Lacking DOCUMENT_VIEW in a meeting one belongs to says nothing either.
        if exc.code == "permission_denied":
            raise _not_found() from None
        raise
    if meeting is None or not document_visible_to(user, doc, meeting):
        raise _not_found()
    return doc


def visible_documents(
    user: User, meeting: Meeting, *, include_history: bool = False
) -> list[Document]:
    """The meeting's documents this person may see, in display order."""
    q = select(Document).where(Document.meeting_id == meeting.id)
    if not include_history:
        q = q.where(Document.status == DocumentStatus.READY)
    docs = db.scalars(q.order_by(Document.position, Document.id)).all()
    return [d for d in docs if document_visible_to(user, d, meeting)]


def document_out(doc: Document, *, manager: bool = False) -> dict[str, Any]:
    """The client's view of a document; grants only for those who manage them."""
    out: dict[str, Any] = {
        "id": doc.id,
        "meeting_id": doc.meeting_id,
        "agenda_item_id": doc.agenda_item_id,
        "title": doc.title,
        "filename": doc.filename,
        "size": doc.size,
        "page_count": doc.page_count,
        "sensitivity": doc.sensitivity.value,
        "status": doc.status.value,
        "version": doc.version,
        "replaces_id": doc.replaces_id,
        "restricted": doc.restricted,
        "downloadable": doc.sensitivity is not Sensitivity.CONFIDENTIAL,
        "created_at": doc.created_at.isoformat(),
        "uploaded_by_id": doc.uploaded_by_id,
    }
    if manager:
        out["access"] = {
            "user_ids": sorted(g.user_id for g in doc.access if g.user_id is not None),
            "roles": sorted(g.role.value for g in doc.access if g.role is not None),
        }
    return out


def pages_out(doc: Document) -> list[dict[str, Any]]:
    rows = db.execute(
        select(DocumentPage.index, DocumentPage.width, DocumentPage.height)
        .where(DocumentPage.document_id == doc.id)
        .order_by(DocumentPage.index)
    ).all()
    return [{"index": i, "width": round(w, 2), "height": round(h, 2)} for i, w, h in rows]


def history(doc: Document) -> list[Document]:
    """Every version of this document, newest first (follows replaces_id both ways)."""
    newest = doc
    while True:
        newer = db.scalar(select(Document).where(Document.replaces_id == newest.id))
        if newer is None:
            break
        newest = newer
    chain = [newest]
    while chain[-1].replaces_id is not None:
        older = db.get(Document, chain[-1].replaces_id)
        if older is None:
            break
        chain.append(older)
    return chain


def update_document(
    doc: Document,
    *,
    title: str | None = None,
    sensitivity: Sensitivity | None = None,
    agenda_item_id: int | None | Literal["keep"] = "keep",
    restricted: bool | None = None,
    user_ids: list[int] | None = None,
    roles: list[MeetingRole] | None = None,
) -> None:
    if title is not None:
        doc.title = title
    if sensitivity is not None:
        doc.sensitivity = sensitivity
    if agenda_item_id != "keep":
        if agenda_item_id is not None:
            item = db.get(AgendaItem, agenda_item_id)
            if item is None or item.meeting_id != doc.meeting_id:
                raise not_found("Không tìm thấy mục chương trình.")
        doc.agenda_item_id = agenda_item_id
    if restricted is not None:
        doc.restricted = restricted
    if user_ids is not None or roles is not None:
        keep_users: list[int | None] = (
            list(user_ids) if user_ids is not None else [g.user_id for g in doc.access]
        )
        keep_roles: list[MeetingRole | None] = (
            list(roles) if roles is not None else [g.role for g in doc.access]
        )
        doc.access.clear()
        db.flush()
        grants: list[tuple[int | None, MeetingRole | None]] = [
            (u, None) for u in keep_users if u is not None
        ]
        grants += [(None, r) for r in keep_roles if r is not None]
        for uid, role in dict.fromkeys(grants):
            doc.access.append(DocumentAccess(user_id=uid, role=role))


def withdraw(doc: Document) -> None:
    if doc.status is not DocumentStatus.READY:
        raise AppError("conflict", "Tài liệu đã được thay hoặc rút.")
    doc.status = DocumentStatus.WITHDRAWN
