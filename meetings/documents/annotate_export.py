"""Write marks onto a copy of a PDF as real PDF annotations (ink, highlight, text notes).

Real annotations, not drawings baked into the page: any reader lists them, shows the
note text in its comments panel, and can hide or print them. Input coordinates are
fractions 0..1 of the *unrotated* page, which is exactly the space PyMuPDF's annotation
methods take (times the page size), whatever the page's /Rotate.

Pure PyMuPDF and the standard library; the caller decides what may be exported and
applies watermarks first (the watermark rebuild path would drop annotations).
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ._mupdf import open_pdf, pymupdf
from .render import MUPDF_LOCK

HIGHLIGHTER_OPACITY = 0.35
AUTHOR_MAX = 120


@dataclass(frozen=True)
class ExportMark:
    kind: str  # "ink" | "highlighter" | "text_highlight" | "note"
    page: int  # 0-based
    color: str  # "#rrggbb"
    width: float = 2.0  # PDF points (strokes)
    points: Sequence[float] = ()  # strokes: x0, y0, x1, y1, ...
    pressures: Sequence[float] | None = None
    rects: Sequence[Sequence[float]] = ()  # text highlight: [x0, y0, x1, y1] per line
    at: Sequence[float] | None = None  # note anchor
    text: str = ""
    author: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # reserved: e.g. ids in /NM


def _rgb(color: str) -> tuple[float, float, float]:
    value = int(color.lstrip("#")[:6], 16)
    return ((value >> 16) / 255, ((value >> 8) & 0xFF) / 255, (value & 0xFF) / 255)


def stroke_width(mark: ExportMark) -> float:
    """Stylus pressure scales the pen between half and one and a half times its width;
    PDF ink has one width per annotation, so the copy uses the stroke's mean pressure."""
    if not mark.pressures:
        return mark.width
    mean = sum(mark.pressures) / len(mark.pressures)
    return mark.width * (0.5 + mean)


def _ink(page: object, mark: ExportMark, w: float, h: float) -> object:
    pts = mark.points
    # PyMuPDF builds an ink list point by point in Python (~4 ms for 150 points); the
    # list is written here as one PDF array string instead, in PDF user space (the inverse
    # of the page's transformation matrix: y up, origin at the media box).
    m = ~page.transformation_matrix  # type: ignore[attr-defined]
    coords = []
    for i in range(0, len(pts) - 1, 2):
        x, y = pts[i] * w, pts[i + 1] * h
        coords.append(f"{x * m.a + y * m.c + m.e:.2f} {x * m.b + y * m.d + m.f:.2f}")
    if len(coords) == 1:  # a dot: PDF ink needs two points to draw anything
        coords.append(coords[0])
    first = (pts[0] * w, pts[1] * h)
    annot = page.add_ink_annot([[first, first]])  # type: ignore[attr-defined]
    page.parent.xref_set_key(annot.xref, "InkList", "[[" + " ".join(coords) + "]]")  # type: ignore[attr-defined]
    annot.set_border(width=stroke_width(mark))
    annot.set_colors(stroke=_rgb(mark.color))
    if mark.kind == "highlighter":
        annot.set_opacity(HIGHLIGHTER_OPACITY)
        annot.set_blendmode(pymupdf.PDF_BM_Multiply)
    return annot


def _highlight(page: object, mark: ExportMark, w: float, h: float) -> object:
    quads = [pymupdf.Rect(r[0] * w, r[1] * h, r[2] * w, r[3] * h).quad for r in mark.rects]
    annot = page.add_highlight_annot(quads=quads)  # type: ignore[attr-defined]
    annot.set_colors(stroke=_rgb(mark.color))
    return annot


def _note(page: object, mark: ExportMark, w: float, h: float) -> object:
    at = mark.at or (0.0, 0.0)
    # Keep the icon (about 20 pt) on the page when the note sits at an edge.
    point = pymupdf.Point(min(at[0] * w, max(w - 20, 0)), min(at[1] * h, max(h - 20, 0)))
    annot = page.add_text_annot(point, mark.text, icon="Note")  # type: ignore[attr-defined]
    annot.set_colors(stroke=_rgb(mark.color))
    return annot


_WRITERS = {"ink": _ink, "highlighter": _ink, "text_highlight": _highlight, "note": _note}


def _write(page: object, mark: ExportMark, w: float, h: float) -> None:
    writer = _WRITERS.get(mark.kind)
    if writer is None:
        raise ValueError(f"unknown annotation kind {mark.kind!r}")
    annot = writer(page, mark, w, h)
    info = {"title": mark.author[:AUTHOR_MAX]}
    if mark.text and mark.kind != "note":
        info["content"] = mark.text
    annot.set_info(**info)  # type: ignore[attr-defined]
    annot.update()  # type: ignore[attr-defined]  # appearance stream: readers without their own


def annotate_pdf(src: str | os.PathLike[str] | bytes, marks: Iterable[ExportMark]) -> bytes:
    """A copy of `src` with `marks` added as PDF annotations. Marks on pages the file
    does not have are skipped (a document replaced by a shorter version)."""
    by_page: dict[int, list[ExportMark]] = defaultdict(list)
    for mark in marks:
        by_page[mark.page].append(mark)
    with MUPDF_LOCK:
        doc = open_pdf(src)
        try:
            for index in sorted(by_page):
                if not 0 <= index < doc.page_count:
                    continue
                page = doc[index]
                unrotated = page.rect * page.derotation_matrix
                w, h = abs(unrotated.width), abs(unrotated.height)
                for mark in by_page[index]:
                    _write(page, mark, w, h)
            return _save(doc)
        finally:
            doc.close()


def _save(doc: object) -> bytes:
    """Save through a temporary file: `tobytes()` hands MuPDF's output to Python in
    hundreds of thousands of small writes (measured: ~1 s for a 300-page copy)."""
    with tempfile.TemporaryDirectory(prefix="annot-") as folder:
        path = os.path.join(folder, "out.pdf")
        # No garbage collection pass: the source was cleaned when it was watermarked or
        # ingested, and a full pass over a 300-page file costs more than the marks.
        doc.save(path, deflate=True)  # type: ignore[attr-defined]
        with open(path, "rb") as f:
            return f.read()
