"""Annotations: what people write on meeting documents.

Coordinates are stored normalised to the *unrotated* page (the page as the PDF file
defines it, before its /Rotate): x and y run 0..1 from the top-left corner of the crop
box, x across its width, y down its height. That is the space PyMuPDF's annotation methods
use (times the page size), so export needs no rotation maths, and a mark holds at any
render size, zoom or display rotation. Clients convert to and from what they display
(see webclient/js/annotations/geometry.js). Stroke widths are in PDF points.

The primary key is the id the tablet generated (a UUID), so a create that is retried
after a lost ack finds its row instead of making a second one. Deletes leave a tombstone
(`deleted`), so a replayed create of a deleted mark cannot bring it back.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetings.clock import now
from meetings.models.base import Base, Timestamped, belongs_to, str_enum


class AnnotationKind(enum.StrEnum):
    INK = "ink"  # freehand pen: geometry {"points": [x0, y0, x1, y1, ...], "pressures"?}
    HIGHLIGHTER = "highlighter"  # freehand, wide and translucent: same geometry as ink
    TEXT_HIGHLIGHT = "text_highlight"  # over words: {"rects": [[x0, y0, x1, y1], ...]}
    NOTE = "note"  # sticky note: {"at": [x, y]} and `text`


class AnnotationScope(enum.StrEnum):
    PRIVATE = "private"  # only its owner sees it, on any device
    SHARED = "shared"  # everyone who can see the document (presenter's marks, shared copies)


class Annotation(Timestamped, Base):
    __tablename__ = "annotations"
    __table_args__ = (
        Index("ix_annotations_document_owner", "document_id", "owner_id"),
        Index("ix_annotations_meeting_scope", "meeting_id", "scope"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client-generated UUID
    meeting_id: Mapped[int] = belongs_to("meetings")
    document_id: Mapped[int] = belongs_to("documents")
    page: Mapped[int]  # 0-based
    owner_id: Mapped[int] = belongs_to("users")
    scope: Mapped[AnnotationScope] = mapped_column(str_enum(AnnotationScope, "annotation_scope"))
    kind: Mapped[AnnotationKind] = mapped_column(str_enum(AnnotationKind, "annotation_kind"))
    color: Mapped[str] = mapped_column(String(7))  # "#RRGGBB"
    width: Mapped[float] = mapped_column(default=2.0)  # stroke width, PDF points
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")  # note text, or the highlighted words
    # A shared copy of a private annotation points at it (no FK: the original may be
    # deleted while the shared copy stays in the meeting record).
    source_id: Mapped[str | None] = mapped_column(String(36))
    # Grows with every change; writes name the version they were based on.
    version: Mapped[int] = mapped_column(default=1)
    # The client's id of the last applied update, so a replayed update is recognised.
    last_op_id: Mapped[str | None] = mapped_column(String(36))
    deleted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
