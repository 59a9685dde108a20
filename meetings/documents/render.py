"""Page images for tablets, cached on disk, and word boxes for the text layer.

Images are keyed by (sha256, page, width, format). The ETag is derived from that key and
the renderer version alone, so the web layer can answer If-None-Match without touching
disk. PyMuPDF has no WebP encoder, so formats are PNG (text pages) and JPEG (scans).
PyMuPDF is not thread-safe: every call into it here holds `MUPDF_LOCK`.
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ._mupdf import pymupdf
from .storage import atomic_write, check_sha256

MIN_WIDTH = 200
MAX_WIDTH = 3000
MAX_HEIGHT = 6000  # px: a banner-shaped or absurd page is shrunk to fit, never huge
RENDER_VERSION = "2"  # bump when output changes; it is part of every ETag and cache key
Format = Literal["png", "jpeg"]
CONTENT_TYPES: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg"}
MUPDF_LOCK = threading.RLock()


def fit_zoom(page_w: float, page_h: float, width: int, max_height: int = MAX_HEIGHT) -> float:
    """Scale that makes the page `width` px wide, reduced if it would exceed `max_height`."""
    if not (page_w > 0 and page_h > 0):  # also rejects NaN
        raise ValueError("page has no area")
    zoom = width / page_w
    if page_h * zoom > max_height:
        zoom = max_height / page_h
    return zoom


def pixmap(page: Any, width: int, max_height: int = MAX_HEIGHT) -> Any:
    """RGB pixmap of `page` (a pymupdf.Page) `width` px wide (bounded by `max_height`)."""
    r = page.rect
    z = fit_zoom(r.width, r.height, width, max_height)
    return page.get_pixmap(matrix=pymupdf.Matrix(z, z), alpha=False, colorspace=pymupdf.csRGB)


def _png(pix: Any, level: int = 3) -> bytes:
    """PNG with stdlib zlib at level 3: measured 3x faster than MuPDF's writer (level 6)
    for 1-3% larger files on text pages, and zlib releases the GIL while it works."""
    w, h, stride, s = pix.width, pix.height, pix.stride, pix.samples_mv
    raw = b"".join(b"\0" + s[y * stride : (y + 1) * stride] for y in range(h))  # filter: none

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2 if pix.n == 3 else 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, level))
        + chunk(b"IEND", b"")
    )


def encode(pix: Any, fmt: Format, jpeg_quality: int = 85, png_level: int = 3) -> bytes:
    """`png_level` 1 is used for per-person copies: on a 1600 px text page 7% more bytes
    than 3, and from as fast to ~40% faster (runs differed); shared renders keep 3."""
    if fmt == "png":
        if pix.n in (1, 3) and not pix.alpha:
            return _png(pix, png_level)
        return bytes(pix.tobytes("png"))
    if fmt == "jpeg":
        return bytes(pix.tobytes("jpg", jpg_quality=jpeg_quality))
    raise ValueError(f"unsupported format {fmt!r}")


def check_width(width: int) -> int:
    if not (isinstance(width, int) and MIN_WIDTH <= width <= MAX_WIDTH):
        raise ValueError(f"width must be {MIN_WIDTH}..{MAX_WIDTH}")
    return width


def snap_width(width: int, step: int = 100) -> int:
    """Clamp to bounds and round up to `step`: bounds how many variants a cache can hold."""
    w = min(max(int(width), MIN_WIDTH), MAX_WIDTH)
    return min(-(-w // step) * step, MAX_WIDTH)


def render_page(doc: Any, index: int, width: int, fmt: Format = "png") -> bytes:
    """Encode page `index` (0-based) of an open pymupdf.Document at `width` px."""
    check_width(width)
    with MUPDF_LOCK:
        if not 0 <= index < doc.page_count:
            raise IndexError("page index out of range")
        return encode(pixmap(doc.load_page(index), width), fmt)


def etag_for(sha256: str, index: int, width: int, fmt: str) -> str:
    key = f"{RENDER_VERSION}|{pymupdf.mupdf_version}|{sha256}|{index}|{width}|{fmt}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class WordBox:
    """A word on the displayed (rotated) page, coordinates as fractions 0..1 of its size."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(page: Any) -> list[WordBox]:
    """Words of a pymupdf.Page in content order, normalised to 0..1 of the displayed page."""
    with MUPDF_LOCK:
        r = page.rect
        if not (r.width > 0 and r.height > 0):
            return []
        # Text extraction reports unrotated coordinates; images are rotated.
        m = page.rotation_matrix
        out: list[WordBox] = []
        for x0, y0, x1, y1, text, *_ in page.get_text("words"):
            b = pymupdf.Rect(x0, y0, x1, y1) * m

            def f(v: float, size: float) -> float:
                return min(max(v / size, 0.0), 1.0)

            out.append(
                WordBox(
                    f(b.x0 - r.x0, r.width),
                    f(b.y0 - r.y0, r.height),
                    f(b.x1 - r.x0, r.width),
                    f(b.y1 - r.y0, r.height),
                    text,
                )
            )
        return out


@dataclass(frozen=True)
class Rendered:
    data: bytes
    etag: str
    content_type: str
    width: int  # the width actually used (after snapping)
    path: Path
    cached: bool  # True when served from disk without rendering


class RenderCache:
    """Rendered pages under `root/ab/<sha256>/p<page>-w<width>.<fmt>`, written atomically.

    Keeps a few documents open (LRU) so paging through a document does not re-parse it.
    """

    def __init__(self, root: str | os.PathLike[str], *, width_step: int = 100, open_docs: int = 8):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.width_step = width_step
        self._open_docs = open_docs
        self._docs: OrderedDict[str, Any] = OrderedDict()

    def path_for(self, sha256: str, index: int, width: int, fmt: str) -> Path:
        check_sha256(sha256)
        if fmt not in CONTENT_TYPES or not isinstance(index, int) or index < 0:
            raise ValueError("bad render key")
        return self.root / sha256[:2] / sha256 / f"p{index}-w{width}.{fmt}"

    def _doc(self, sha256: str, pdf_path: str | os.PathLike[str]) -> Any:
        doc = self._docs.pop(sha256, None)
        if doc is None:
            doc = pymupdf.open(os.fspath(pdf_path), filetype="pdf")
        self._docs[sha256] = doc
        while len(self._docs) > self._open_docs:
            self._docs.popitem(last=False)[1].close()
        return doc

    def get(
        self,
        sha256: str,
        pdf_path: str | os.PathLike[str],
        index: int,
        width: int,
        fmt: Format = "png",
    ) -> Rendered:
        """The page image, from disk if rendered before; `width` is snapped to the step."""
        w = snap_width(width, self.width_step)
        path = self.path_for(sha256, index, w, fmt)
        etag = etag_for(sha256, index, w, fmt)
        try:
            return Rendered(path.read_bytes(), etag, CONTENT_TYPES[fmt], w, path, True)
        except FileNotFoundError:
            pass
        with MUPDF_LOCK:
            data = render_page(self._doc(sha256, pdf_path), index, w, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        return Rendered(data, etag, CONTENT_TYPES[fmt], w, path, False)

    def words(self, sha256: str, pdf_path: str | os.PathLike[str], index: int) -> list[WordBox]:
        with MUPDF_LOCK:
            doc = self._doc(sha256, pdf_path)
            if not 0 <= index < doc.page_count:
                raise IndexError("page index out of range")
            return words(doc.load_page(index))

    def close(self) -> None:
        with MUPDF_LOCK:
            while self._docs:
                self._docs.popitem()[1].close()
