"""The annotated PDF copy: a document as its reader may take it away, with marks on it.

The base is the download (watermarked unless public, refused when confidential); the marks
become real PDF annotations, so any PDF reader shows and lists them.
"""

from __future__ import annotations

from typing import Literal

from meetings.documents.annotate_export import ExportMark, annotate_pdf
from meetings.models import Annotation, User
from meetings.models.documents import Document
from meetings.services.documents import annotation_reads as stored_marks
from meetings.services.documents import pages
from meetings.services.documents.files import DocFiles

# mine: my private annotations; shared: the meeting's shared marks (the record); all: both.
Marks = Literal["mine", "shared", "all"]


def _export_mark(row: Annotation, author: str) -> ExportMark:
    geometry = row.geometry
    return ExportMark(
        kind=row.kind.value,
        page=row.page,
        color=row.color,
        width=row.width,
        points=geometry.get("points") or (),
        pressures=geometry.get("pressures"),
        rects=geometry.get("rects") or (),
        at=geometry.get("at"),
        text=row.text,
        author=author,
    )


def annotated_copy(files: DocFiles, user: User, doc: Document, marks: Marks) -> bytes:
    """The PDF for `user` with the chosen marks; logged as a download."""
    # Watermark first: its fallback path rebuilds pages, which would drop annotations.
    base = pages.download(files, doc, user)
    rows = stored_marks.export_rows(
        user, doc, mine_too=marks != "shared", shared_too=marks != "mine"
    )
    names = stored_marks.owner_names({r.owner_id for r in rows})
    data = annotate_pdf(base, [_export_mark(r, names.get(r.owner_id, "")) for r in rows])
    pages.log_access(doc.id, user.id, -1, "download")
    return data
