"""Meeting documents: ingest, storage, rendering, watermarks and search.

Pure domain code (PyMuPDF and the standard library); the web layer calls these functions
and keeps the results in the database. Page indices are 0-based throughout.
"""

from .errors import DocumentError

__all__ = ["DocumentError"]
