"""PyMuPDF, typed as Any in one place, and imported on first use.

PyMuPDF ships partial annotations (many functions untyped), which `mypy --strict`
rejects at every call; this package uses it through this one name instead.

Importing it costs a process about 140 MB of resident memory (MuPDF and its bindings are
loaded and relocated). The web process renders nothing itself (page workers do), so it
pays that only when a document operation runs in-process (downloads, thumbnail marks,
word boxes), not for serving meetings.
"""

import importlib
import os
from typing import Any


class _OnFirstUse:
    def __getattr__(self, name: str) -> Any:
        module = importlib.import_module("pymupdf")
        globals()["pymupdf"] = module  # later `from ._mupdf import pymupdf` get the module
        return getattr(module, name)


pymupdf: Any = _OnFirstUse()


def open_pdf(src: str | os.PathLike[str] | bytes) -> Any:
    """The PDF at a path, or in memory."""
    if isinstance(src, bytes):
        return pymupdf.open(stream=src, filetype="pdf")
    return pymupdf.open(os.fspath(src), filetype="pdf")
