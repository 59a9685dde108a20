"""A meeting's documents: list, search, one document's details, edit and withdraw."""

from __future__ import annotations

from typing import Any

from meetings.api.documents.blueprints import doc_bp, meeting_bp
from meetings.api.documents.schemas import (
    DocList,
    DocOut,
    DocPatch,
    DocPath,
    ListQuery,
    SearchQuery,
)
from meetings.api.registry import Ctx
from meetings.api.responses import app_config
from meetings.api.schemas import CONFLICT, MeetingPath
from meetings.events.outbox import Outbox
from meetings.models import Document
from meetings.permissions import Perm
from meetings.services.documents import library as svc
from meetings.services.documents import presenter as doc_presenter
from meetings.services.documents import search as doc_search


def announce(doc: Document, op: str, outbox: Outbox) -> None:
    """Tell the room a document was added, replaced, updated or withdrawn."""
    data = {"op": op, "document_id": doc.id, "replaces_id": doc.replaces_id}
    outbox.meeting_event(doc.meeting_id, "document.changed", data)


@meeting_bp.declare(
    "get", "/<int:meeting_id>/documents", Perm.DOCUMENT_VIEW, responses={200: DocList}
)
def list_documents(ctx: Ctx, path: MeetingPath, query: ListQuery) -> dict[str, Any]:
    """The meeting's documents I may see (with superseded versions if `history`)."""
    me, meeting = ctx.me, ctx.meeting
    manager = svc.can_manage(me, meeting)
    docs = svc.visible_documents(me, meeting, include_history=query.history)
    return {
        "documents": [svc.document_out(d, manager=manager) for d in docs],
        "can_manage": manager,
        "can_present": doc_presenter.may_present(me, meeting),
        "max_mb": app_config().document_max_mb,
        "max_pages": app_config().document_max_pages,
    }


@meeting_bp.declare(
    "get", "/<int:meeting_id>/documents/search", Perm.DOCUMENT_VIEW, responses={200: None}
)
def search_documents(ctx: Ctx, path: MeetingPath, query: SearchQuery) -> dict[str, Any]:
    """Full-text search, without diacritics: "quyet dinh" finds "Quyết định"."""
    return doc_search.search_meeting(ctx.me, ctx.meeting, query.q)


@doc_bp.declare("get", "/<int:document_id>", Perm.DOCUMENT_VIEW, responses={200: DocOut})
def get_document(ctx: Ctx, path: DocPath) -> dict[str, Any]:
    """One document with its page sizes and its version history."""
    me, meeting, doc = ctx.me, ctx.meeting, ctx.document
    out = svc.document_out(doc, manager=svc.can_manage(me, meeting))
    out["pages"] = svc.pages_out(doc)
    out["history"] = [
        {
            "id": d.id,
            "version": d.version,
            "status": d.status.value,
            "created_at": d.created_at.isoformat(),
        }
        for d in svc.history(doc)
        if svc.document_visible_to(me, d, meeting)
    ]
    return {"document": out}


@doc_bp.declare("patch", "/<int:document_id>", Perm.DOCUMENT_MANAGE, responses={200: DocOut})
def update_document(ctx: Ctx, path: DocPath, body: DocPatch) -> dict[str, Any]:
    """Rename, change sensitivity, attach to an agenda item, restrict to people or roles."""
    svc.update_document(ctx.document, **dict(body))
    announce(ctx.document, "updated", ctx.outbox)
    return {"document": svc.document_out(ctx.document, manager=True)}


@doc_bp.declare(
    "delete", "/<int:document_id>", Perm.DOCUMENT_MANAGE, responses={200: DocOut, **CONFLICT}
)
def withdraw_document(ctx: Ctx, path: DocPath) -> dict[str, Any]:
    """Withdraw from the meeting (kept, with its log, for the record)."""
    svc.withdraw(ctx.document)
    announce(ctx.document, "withdrawn", ctx.outbox)
    return {"document": svc.document_out(ctx.document, manager=True)}
