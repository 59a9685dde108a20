"""Per-person marks: on a shared cached page image, and on a downloadable PDF copy.

A page is rendered once for everyone (render.RenderCache); each person's view is that
image plus a mark. The mark is a small vector overlay (faint diagonal lines of text and a
footer) built once per (person, image size) as a MuPDF display list and drawn straight
into the decoded image with a draw device: decode + draw text + encode, no re-render.
The PDF copy gets the same overlay as a real text layer, so extracting the text of a
leaked file names the person it was issued to.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ._mupdf import open_pdf, pymupdf
from .fonts import vietnamese_font
from .render import MUPDF_LOCK, Format, encode

ANGLE = 35.0  # degrees, counter-clockwise
OPACITY = 0.13  # faint: the page must stay readable
FOOTER_OPACITY = 0.75


@dataclass(frozen=True)
class Mark:
    name: str  # "Nguyễn Thị Hồng Nhung"
    unit: str  # "Sở Nội vụ tỉnh Hà Nam"
    when: str  # already formatted by the caller in local time, e.g. "30/11/2025 14:05"

    @property
    def line(self) -> str:
        return " · ".join(s for s in (self.name, self.unit, self.when) if s)

    @property
    def footer(self) -> str:
        return f"Tài liệu cấp cho {self.line}"


def _font(font_path: str | None) -> Any:
    return pymupdf.Font(fontfile=vietnamese_font(font_path))


def _draw_mark(page: Any, mark: Mark, font: Any) -> None:
    """Draw `mark` on an unrotated page whose rect starts at (0, 0)."""
    w, h = page.rect.width, page.rect.height
    size = max(min(w, h) / 22, 4.0)
    line = mark.line + "      "
    # Tile rows along the diagonal: enough rows and repeats to cover the page when the
    # writer is rotated about the centre.
    span = math.hypot(w, h)
    repeat = max(1, math.ceil(span / max(font.text_length(line, fontsize=size), 1.0)) + 1)
    text = line * repeat
    tw = pymupdf.TextWriter(page.rect)
    x0 = (w - span) / 2 - size * 3
    y = (h - span) / 2
    row = 0
    while y < (h + span) / 2:
        shift = (row % 2) * font.text_length(line, fontsize=size) / 2
        tw.append(pymupdf.Point(x0 - shift, y), text, font=font, fontsize=size)
        y += size * 6
        row += 1
    centre = pymupdf.Point(w / 2, h / 2)
    tw.write_text(
        page, color=(0.35, 0.35, 0.4), opacity=OPACITY, morph=(centre, pymupdf.Matrix(-ANGLE))
    )
    # Footer: a white band so it stays legible on dark scans.
    # Shrunk to fit the width (tiny pages too), since an overlay is clipped at its bounds.
    fsize = min(max(min(w, h) / 70, 3.0), w / (font.text_length(mark.footer, fontsize=1) + 3))
    text_w = font.text_length(mark.footer, fontsize=fsize)
    band = pymupdf.Rect(fsize, h - fsize * 2.2, fsize * 2 + text_w, h - fsize * 0.4)
    if not band.is_empty:
        page.draw_rect(band, color=None, fill=(1, 1, 1), fill_opacity=0.7)
    fw = pymupdf.TextWriter(page.rect)
    # One line even if it overflows a tiny page: it stays in the text layer regardless.
    fw.append(pymupdf.Point(fsize * 1.5, h - fsize * 0.9), mark.footer, font=font, fontsize=fsize)
    fw.write_text(page, color=(0.25, 0.25, 0.3), opacity=FOOTER_OPACITY)


def rgb(pix: Any) -> Any:
    """`pix` as RGB without alpha (what `Watermarker.draw` draws into)."""
    if pix.alpha or pix.colorspace is None or pix.colorspace.n != 3:
        return pymupdf.Pixmap(pymupdf.csRGB, pymupdf.Pixmap(pix, 0))
    return pix


class Watermarker:
    """Holds the font and a small LRU of overlays; all PyMuPDF work under MUPDF_LOCK."""

    def __init__(self, font_path: str | None = None, cache_size: int = 64) -> None:
        self._font_path = vietnamese_font(font_path)
        self._cache_size = cache_size
        self._overlays: OrderedDict[tuple[Mark, int, int], tuple[Any, Any]] = OrderedDict()
        self._font: Any = None

    def _get_font(self) -> Any:
        if self._font is None:
            self._font = _font(self._font_path)
        return self._font

    def _overlay(self, mark: Mark, width: int, height: int) -> Any:
        key = (mark, width, height)
        hit = self._overlays.pop(key, None)
        if hit is None:
            doc = pymupdf.open()
            page = doc.new_page(width=width, height=height)  # 1 pt == 1 px
            _draw_mark(page, mark, self._get_font())
            hit = (doc, page.get_displaylist())  # the list needs its document alive
        self._overlays[key] = hit
        while len(self._overlays) > self._cache_size:
            self._overlays.popitem(last=False)
        return hit[1]

    def mark_image(
        self, image: bytes, mark: Mark, fmt: Format = "png", png_level: int = 3
    ) -> bytes:
        """`image` (PNG/JPEG bytes of a rendered page) with `mark` drawn on it, as `fmt`."""
        with MUPDF_LOCK:
            pix = self.draw(rgb(pymupdf.Pixmap(image)), mark)
            return encode(pix, fmt, png_level=png_level)

    def draw(self, pix: Any, mark: Mark) -> Any:
        """Draw `mark` into `pix` (an RGB pymupdf.Pixmap without alpha) in place; returns it."""
        mupdf = pymupdf.mupdf
        with MUPDF_LOCK:
            dl = self._overlay(mark, pix.width, pix.height)
            dev = mupdf.fz_new_draw_device(mupdf.FzMatrix(), pix.this)
            infinite = mupdf.FzRect(mupdf.FzRect.Fixed_INFINITE)
            mupdf.fz_run_display_list(dl.this, dev, mupdf.FzMatrix(), infinite, mupdf.FzCookie())
            mupdf.fz_close_device(dev)
            return pix

    def mark_pdf(self, src: str | os.PathLike[str] | bytes, mark: Mark) -> bytes:
        """A copy of the PDF with `mark` on every page as real (extractable) text.

        Marks the document itself (keeps links, annotations, outline). If MuPDF cannot
        write into it (broken objects) or the mark is not found afterwards, the pages are
        rebuilt into a fresh document, a page that cannot even be copied as an image.
        """
        with MUPDF_LOCK:
            doc = open_pdf(src)
            try:
                try:
                    data = self._mark_in_place(doc, mark)
                    if _has_mark(data, mark):
                        return data
                except Exception:
                    pass
                return self._mark_rebuilt(doc, mark)
            finally:
                doc.close()

    def _overlays_for(self, sizes: list[tuple[float, float]], mark: Mark) -> Any:
        """A document with one overlay page per distinct size, in saved form (for grafting)."""
        marks = pymupdf.open()
        for w, h in sizes:
            _draw_mark(marks.new_page(width=w, height=h), mark, self._get_font())
        return pymupdf.open(stream=marks.tobytes(), filetype="pdf")

    def _mark_in_place(self, doc: Any, mark: Mark) -> bytes:
        if doc.is_repaired:  # edits to a repaired file can be lost on save: clean it first
            doc = pymupdf.open(stream=doc.tobytes(garbage=1), filetype="pdf")
        sizes = _sizes(doc)
        marks = self._overlays_for(sizes, mark)
        placed: dict[tuple[Any, ...], tuple[str, int]] = {}  # page geometry -> (name, xref)
        for page in doc:
            key = (tuple(page.mediabox), tuple(page.cropbox), page.rotation)
            if key in placed and _reuse_form(doc, page, *placed[key]):
                continue
            # show_pdf_page takes unrotated coordinates; turn the overlay with the page's
            # /Rotate so it reads upright in a viewer.
            target = page.rect * page.derotation_matrix
            before = _xobject_names(doc, page)
            page.show_pdf_page(target, marks, sizes.index(_size(page)), rotate=page.rotation)
            added = _xobject_names(doc, page).items() - before.items()
            if len(added) == 1:
                placed.setdefault(key, next(iter(added)))
        _subset(doc)
        # garbage=1 drops unused objects; 3 also merges duplicates, which cost 2.3 s on a
        # 300-page, 10,000-object file for no saving.
        data: bytes = doc.tobytes(garbage=1, deflate=True)
        return data

    def _mark_rebuilt(self, doc: Any, mark: Mark) -> bytes:
        sizes = _sizes(doc)
        marks = self._overlays_for(sizes, mark)
        out = pymupdf.open()
        for page in doc:
            r = page.rect
            new = out.new_page(width=r.width, height=r.height)
            try:
                new.show_pdf_page(new.rect, doc, page.number)
            except Exception:
                new.insert_image(new.rect, pixmap=page.get_pixmap(dpi=150))
            new.show_pdf_page(new.rect, marks, sizes.index(_size(page)))
        _subset(out)
        data: bytes = out.tobytes(garbage=1, deflate=True)
        return data


# show_pdf_page scans a page's whole resource tree for a free name on every call; pages
# sharing one /Resources (common) then see every earlier page's overlay: quadratic, 5 s
# for 300 pages. A page of the same geometry instead reuses the first page's placed form.


def _resources(doc: Any, page: Any, create: bool) -> Any:
    """The page's (possibly inherited, shared) /Resources /XObject dict, or None."""
    mupdf = pymupdf.mupdf
    pdf = mupdf.pdf_document_from_fz_document(doc.this)
    obj = mupdf.pdf_new_indirect(pdf, page.xref, 0)
    res = mupdf.pdf_dict_get_inheritable(obj, mupdf.pdf_new_name("Resources"))
    if not res.m_internal:
        if not create:
            return None
        res = mupdf.pdf_dict_put_dict(obj, mupdf.pdf_new_name("Resources"), 2)
    xobjects = mupdf.pdf_dict_get(res, mupdf.pdf_new_name("XObject"))
    if not xobjects.m_internal and create:
        xobjects = mupdf.pdf_dict_put_dict(res, mupdf.pdf_new_name("XObject"), 2)
    return xobjects if xobjects.m_internal else None


def _xobject_names(doc: Any, page: Any) -> dict[str, int]:
    mupdf = pymupdf.mupdf
    xobjects = _resources(doc, page, create=False)
    if xobjects is None:
        return {}
    names = {}
    for i in range(mupdf.pdf_dict_len(xobjects)):
        name = mupdf.pdf_to_name(mupdf.pdf_dict_get_key(xobjects, i))
        names[name] = mupdf.pdf_to_num(mupdf.pdf_dict_get_val(xobjects, i))
    return names


def _reuse_form(doc: Any, page: Any, name: str, xref: int) -> bool:
    """Draw the already placed form `xref` as /`name` over `page`; False if the name is
    taken by something else on this page (the caller then places a new one)."""
    mupdf = pymupdf.mupdf
    xobjects = _resources(doc, page, create=True)
    found = mupdf.pdf_dict_gets(xobjects, name)
    if found.m_internal and mupdf.pdf_to_num(found) != xref:
        return False
    if not found.m_internal:
        pdf = mupdf.pdf_document_from_fz_document(doc.this)
        mupdf.pdf_dict_puts(xobjects, name, mupdf.pdf_new_indirect(pdf, xref, 0))
    page.wrap_contents()  # a balanced graphics state, as show_pdf_page's overlay does
    contents = page.get_contents()
    stream = doc.get_new_xref()
    doc.update_object(stream, "<<>>")
    doc.update_stream(stream, f" q /{name} Do Q ".encode())
    refs = " ".join(f"{x} 0 R" for x in [*contents, stream])
    doc.xref_set_key(page.xref, "Contents", f"[{refs}]")
    return True


def _subset(doc: Any) -> None:
    """Keep only used glyphs (DejaVu Sans is 740 KB); best effort on odd files."""
    with contextlib.suppress(Exception):
        doc.subset_fonts()


def _size(page: Any) -> tuple[float, float]:
    return (round(page.rect.width, 2), round(page.rect.height, 2))


def _sizes(doc: Any) -> list[tuple[float, float]]:
    return list(dict.fromkeys(_size(p) for p in doc))


def _has_mark(data: bytes, mark: Mark) -> bool:
    """The name is in the text layer of the first page (unclipped: tiny pages count too)."""
    flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return mark.name in doc[0].get_text(flags=flags)


_default: Watermarker | None = None


def default_watermarker() -> Watermarker:
    global _default
    if _default is None:
        _default = Watermarker()
    return _default


def mark_image(image: bytes, mark: Mark, fmt: Format = "png") -> bytes:
    return default_watermarker().mark_image(image, mark, fmt)


def mark_pdf(src: str | os.PathLike[str] | bytes, mark: Mark) -> bytes:
    return default_watermarker().mark_pdf(src, mark)
