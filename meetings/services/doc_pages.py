"""What a person receives: page images, thumbnails, word boxes and downloads, marked.

The render of a page is shared by everyone (RenderCache, on disk); the person's mark —
name, unit, date-time in Vietnam — is drawn on top per request, so no one can hand on an
anonymous copy. Public documents carry no mark. ETags are per person (the mark differs)
and stable for the same person and render, so a tablet revalidating gets 304.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from meetings.db import transaction
from meetings.documents import render
from meetings.documents.search import find_word_hits
from meetings.documents.watermark import Mark, default_watermarker
from meetings.errors import not_found
from meetings.models import Document, DocumentAccessLog, User
from meetings.models.documents import Sensitivity
from meetings.services.doc_files import DocError, DocFiles

# Vietnam has kept UTC+7 without daylight saving since 1975: no tz database needed.
VN = timezone(timedelta(hours=7), "ICT")
MARK_VERSION = "1"  # part of personal ETags; bump when the mark's look changes


@dataclass(frozen=True)
class Image:
    data: bytes
    etag: str
    content_type: str


def mark_for(user: User, at: datetime | None = None) -> Mark:
    when = (at or datetime.now(UTC)).astimezone(VN).strftime("%d/%m/%Y %H:%M")
    return Mark(user.full_name, user.unit.name if user.unit else "", when)


def marked(doc: Document) -> bool:
    return doc.sensitivity is not Sensitivity.PUBLIC


def personal_etag(base: str, user: User, doc: Document) -> str:
    if not marked(doc):
        return base
    unit = user.unit.name if user.unit else ""
    key = f"{base}|{MARK_VERSION}|{user.id}|{user.full_name}|{unit}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _check_index(doc: Document, index: int) -> None:
    if not 0 <= index < doc.page_count:
        raise not_found("Không có trang này.")


def page_etag(doc: Document, user: User, index: int, width: int) -> str:
    """The ETag a page response will carry, without rendering (for If-None-Match)."""
    w = render.snap_width(width)
    return personal_etag(render.etag_for(doc.sha256, index, w, "png"), user, doc)


def page_image(files: DocFiles, doc: Document, user: User, index: int, width: int) -> Image:
    _check_index(doc, index)
    shared = files.renders.get(doc.sha256, files.pdf(doc.sha256), index, width, "png")
    data = shared.data
    if marked(doc):
        data = default_watermarker().mark_image(data, mark_for(user), "png")
    return Image(data, personal_etag(shared.etag, user, doc), shared.content_type)


def thumbnail(files: DocFiles, doc: Document, user: User, index: int) -> Image:
    _check_index(doc, index)
    try:
        data = files.thumb(doc.sha256, index).read_bytes()
    except FileNotFoundError:
        raise not_found("Không có ảnh thu nhỏ.") from None
    base = '"t' + hashlib.sha256(f"{doc.sha256}|{index}".encode()).hexdigest()[:31] + '"'
    if marked(doc):  # every page image carries the mark, small ones too
        data = default_watermarker().mark_image(data, mark_for(user), "png")
    return Image(data, personal_etag(base, user, doc), "image/png")


def words(files: DocFiles, doc: Document, index: int, query: str | None = None) -> dict[str, Any]:
    """Word boxes (0..1 of the displayed page) for selection, and which words a query hits."""
    _check_index(doc, index)
    boxes = files.renders.words(doc.sha256, files.pdf(doc.sha256), index)
    out: dict[str, Any] = {
        "page": index,
        "words": [
            [round(w.x0, 5), round(w.y0, 5), round(w.x1, 5), round(w.y1, 5), w.text] for w in boxes
        ],
        "hits": [],
    }
    if query:
        position = {id(w): i for i, w in enumerate(boxes)}
        out["hits"] = [[position[id(w)] for w in hit] for hit in find_word_hits(boxes, query)]
    return out


def download(files: DocFiles, doc: Document, user: User) -> bytes:
    if doc.sensitivity is Sensitivity.CONFIDENTIAL:
        raise DocError("download_forbidden", "Tài liệu mật: chỉ được xem, không được tải về.")
    path = files.pdf(doc.sha256)
    if not marked(doc):
        return path.read_bytes()
    return default_watermarker().mark_pdf(path, mark_for(user))


def log_access(doc_id: int, user_id: int, page: int, action: str) -> None:
    """Count one view/download in the per-day aggregate row (insert or bump)."""
    at = datetime.now(UTC)
    day = at.astimezone(VN).date()
    values = dict(
        document_id=doc_id,
        user_id=user_id,
        page=page,
        day=day,
        action=action,
        count=1,
        first_at=at,
        last_at=at,
    )
    with transaction() as session:
        dialect = session.get_bind().dialect.name
        if dialect in ("sqlite", "postgresql"):
            ins: Any = (sqlite if dialect == "sqlite" else postgresql).insert(DocumentAccessLog)
            stmt = ins.values(**values).on_conflict_do_update(
                index_elements=["document_id", "user_id", "page", "day", "action"],
                set_={"count": DocumentAccessLog.count + 1, "last_at": at},
            )
            session.execute(stmt)
            return
        bumped = session.execute(  # other databases: bump, else insert
            update(DocumentAccessLog)
            .where(
                DocumentAccessLog.document_id == doc_id,
                DocumentAccessLog.user_id == user_id,
                DocumentAccessLog.page == page,
                DocumentAccessLog.day == day,
                DocumentAccessLog.action == action,
            )
            .values(count=DocumentAccessLog.count + 1, last_at=at)
        )
        if not getattr(bumped, "rowcount", 0):
            session.add(DocumentAccessLog(**values))
