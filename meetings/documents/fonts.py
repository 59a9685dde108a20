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
BOLD_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
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


@functools.cache
def vietnamese_bold_font() -> str:
    """A bold face covering Vietnamese, or the regular one when no bold face is installed."""
    for p in BOLD_CANDIDATES:
        if os.path.isfile(p) and covers_vietnamese(p):
            return p
    return vietnamese_font()
