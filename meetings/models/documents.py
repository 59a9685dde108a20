"""Meeting documents: the files delegates read, their pages, who may see them, who did.

A `Document` row is one version of one file attached to a meeting (optionally to one
agenda item). Uploading a new version creates a new row whose `replaces_id` points at the
previous one and marks the previous one `superseded`; history is the chain. The bytes
live in the content store under `sha256`, so the same file uploaded twice is stored once.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.models.base import Base, Timestamped, belongs_to, children, str_enum
from meetings.models.meetings import MeetingRole


class Sensitivity(enum.StrEnum):
    CONFIDENTIAL = "confidential"  # watermark on every page, no download
    INTERNAL = "internal"  # watermark on every page and download
    PUBLIC = "public"  # neither


class DocumentStatus(enum.StrEnum):
    # Rows are only created once ingest succeeded (a failed ingest leaves nothing), so
    # there is no "processing" or "failed" state: those live in the upload job only.
    READY = "ready"
    SUPERSEDED = "superseded"  # a newer version replaced it; kept for history
    WITHDRAWN = "withdrawn"  # removed from the meeting by a secretary; kept for the log


class Document(Timestamped, Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_meeting_status", "meeting_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = belongs_to("meetings")
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    # The uploader's original file name, sanitised; display text only, never a path.
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(default=0)
    page_count: Mapped[int]
    sensitivity: Mapped[Sensitivity] = mapped_column(
        str_enum(Sensitivity, "document_sensitivity"), default=Sensitivity.INTERNAL
    )
    status: Mapped[DocumentStatus] = mapped_column(
        str_enum(DocumentStatus, "document_status"), default=DocumentStatus.READY
    )
    # Version history: version 1 has no replaces_id; version n+1 replaces version n.
    version: Mapped[int] = mapped_column(default=1)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    # True when access is limited to the DocumentAccess rows (plus managers).
    restricted: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)

    pages: Mapped[list[DocumentPage]] = children(
        "document", order_by="DocumentPage.index", lazy="raise_on_sql"
    )
    access: Mapped[list[DocumentAccess]] = children("document")


class DocumentPage(Base):
    __tablename__ = "document_pages"

    document_id: Mapped[int] = belongs_to("documents", primary_key=True)
    index: Mapped[int] = mapped_column(primary_key=True)  # 0-based
    width: Mapped[float]  # PDF points, after rotation (as displayed)
    height: Mapped[float]
    rotation: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    # search.normalize(text): lowercased, without Vietnamese marks, whitespace collapsed.
    # Lets SQL narrow the search to candidate pages (LIKE) on SQLite and PostgreSQL alike.
    text_folded: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship(back_populates="pages")


class DocumentAccess(Base):
    """One grant on a restricted document: a named user, or everyone holding a role."""

    __tablename__ = "document_access"
    __table_args__ = (UniqueConstraint("document_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = belongs_to("documents", index=True)
    user_id: Mapped[int | None] = belongs_to("users")
    role: Mapped[MeetingRole | None] = mapped_column(str_enum(MeetingRole, "document_access_role"))

    document: Mapped[Document] = relationship(back_populates="access")


class DocumentAccessLog(Base):
    """Who looked at or downloaded what, aggregated per user, document, page and day.

    A delegate flipping through 300 pages would otherwise write 300 rows a minute; one
    row per (user, document, page, day, action) with a count and first/last times keeps
    the question "did X see page 12 on Monday" answerable at a fraction of the writes.
    page is -1 for actions on the whole document (download).
    """

    __tablename__ = "document_access_log"
    __table_args__ = (UniqueConstraint("document_id", "user_id", "page", "day", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = belongs_to("documents")
    user_id: Mapped[int] = belongs_to("users", index=True)
    page: Mapped[int] = mapped_column(default=-1)
    day: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(16))  # "view" | "download"
    count: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]


class PresenterState(Base):
    """What the room follows now: one row per meeting while someone presents.

    In the database, not process memory, so every web worker answers a reconnecting
    tablet's snapshot alike. The zoomed region is a rectangle normalised to 0..1 of the
    displayed page (x, y, w, h), so it means the same on every screen size.
    """

    __tablename__ = "presenter_state"

    meeting_id: Mapped[int] = belongs_to("meetings", primary_key=True)
    document_id: Mapped[int] = belongs_to("documents")
    page: Mapped[int] = mapped_column(default=0)
    zoom_x: Mapped[float] = mapped_column(default=0.0)
    zoom_y: Mapped[float] = mapped_column(default=0.0)
    zoom_w: Mapped[float] = mapped_column(default=1.0)
    zoom_h: Mapped[float] = mapped_column(default=1.0)
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]
