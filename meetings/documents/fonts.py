"""Find an installed font that has every Vietnamese letter.

PyMuPDF's built-in Base-14 and CJK fonts lack many of them (ế, ị, ồ, Ủ, ữ, ặ, ơ, ư...), so
we use a system TrueType font. DejaVu Sans comes with Debian's fonts-dejavu-core, which
fontconfig depends on, so it is on every machine here.
"""

from __future__ import annotations

import functools
import os

from . import errors as E

CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
PROBE = (
    "ĂÂĐÊÔƠƯăâđêôơư"
    "ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"
    "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
)


def covers_vietnamese(path: str) -> bool:
    from ._mupdf import pymupdf

    try:
        font = pymupdf.Font(fontfile=path)
    except Exception:
        return False
    return all(font.has_glyph(ord(c)) for c in PROBE)


@functools.cache
def vietnamese_font(path: str | None = None) -> str:
    """Path of a font covering Vietnamese: `path` if given and good, else the first candidate."""
    for p in (path,) if path else CANDIDATES:
        if p and os.path.isfile(p) and covers_vietnamese(p):
            return p
    raise E.DocumentError(E.FONT_MISSING, "no font with Vietnamese glyphs (fonts-dejavu-core)")
