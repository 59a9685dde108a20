"""Error codes of the document pipeline.

The web layer turns a `DocumentError` into `{"error": {"code", "message"}}`; the code is
what the client translates, the message is for logs and administrators.
"""

from __future__ import annotations

from typing import Final

NOT_PDF: Final = "not_pdf"  # not a PDF at all (a renamed .docx, an image, text)
ENCRYPTED: Final = "encrypted"  # needs a password to open
EMPTY: Final = "empty"  # parses, but has zero pages
UNREADABLE: Final = "unreadable"  # cannot be parsed, or the worker crashed / timed out
TOO_LARGE: Final = "too_large"  # over the byte or page limit
CONVERTER_MISSING: Final = "converter_missing"  # LibreOffice is not installed
UNSUPPORTED_TYPE: Final = "unsupported_type"  # an office extension we do not convert
CONVERT_FAILED: Final = "convert_failed"  # LibreOffice ran but produced no PDF / timed out
FONT_MISSING: Final = "font_missing"  # no installed font covers Vietnamese

CODES: Final = frozenset(
    {
        NOT_PDF,
        ENCRYPTED,
        EMPTY,
        UNREADABLE,
        TOO_LARGE,
        CONVERTER_MISSING,
        UNSUPPORTED_TYPE,
        CONVERT_FAILED,
        FONT_MISSING,
    }
)


class DocumentError(Exception):
    """A document was refused or could not be processed; `code` is one of `CODES`."""

    def __init__(self, code: str, message: str = "") -> None:
        if code not in CODES:  # a typo here would reach the client as an unknown code
            raise ValueError(f"unknown document error code {code!r}")
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message or code
