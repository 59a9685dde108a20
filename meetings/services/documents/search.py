"""Full-text search across the documents of a meeting that a person may see.

Diacritic-insensitive: pages keep `text_folded` (search.normalize of the text), so SQL
narrows to candidate pages with LIKE on folded words — the same on SQLite and
PostgreSQL — and search.find_hits then finds exact positions and snippets with the
original diacritics. A meeting's documents are at most a few thousand pages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetings.db import db
from meetings.documents.search import find_hits, normalize
from meetings.models import Document, DocumentPage, Meeting, User
from meetings.services.documents.library import visible_documents

MAX_RESULTS = 200


def _like(token: str) -> str:
    return "%" + token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_meeting(user: User, meeting: Meeting, query: str) -> dict[str, Any]:
    tokens = normalize(query).split()
    if not tokens:
        return {"query": query, "results": [], "truncated": False}
    docs = {d.id: d for d in visible_documents(user, meeting)}
    if not docs:
        return {"query": query, "results": [], "truncated": False}
    q = select(DocumentPage.document_id, DocumentPage.index, DocumentPage.text).where(
        DocumentPage.document_id.in_(docs)
    )
    for token in tokens:
        q = q.where(DocumentPage.text_folded.like(_like(token), escape="\\"))
    rows = db.execute(q.order_by(DocumentPage.document_id, DocumentPage.index)).all()
    results: list[dict[str, Any]] = []
    truncated = False
    for doc_id, index, text in rows:
        doc: Document = docs[doc_id]
        # Tokens may all be on the page but not adjacent: find_hits decides.
        for hit in find_hits([text], query, limit=5):
            if len(results) >= MAX_RESULTS:
                truncated = True
                break
            results.append(
                {
                    "document_id": doc.id,
                    "title": doc.title,
                    "page": index,
                    "snippet": hit.snippet,
                    "snippet_hit": list(hit.snippet_hit),
                }
            )
    return {"query": query, "results": results, "truncated": truncated}
