"""PyMuPDF, typed as Any in one place.

PyMuPDF ships partial annotations (many functions untyped), which `mypy --strict`
rejects at every call; this package uses it through this one name instead.
"""

from typing import Any

import pymupdf as _pymupdf

pymupdf: Any = _pymupdf
