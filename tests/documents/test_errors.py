"""DocumentError accepts only the codes the client knows, also under `python -O`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from meetings.documents import errors as E


def test_known_code_is_kept() -> None:
    err = E.DocumentError(E.TOO_LARGE, "3000 pages")
    assert (err.code, err.message) == ("too_large", "3000 pages")


def test_unknown_code_is_refused_even_without_asserts() -> None:
    with pytest.raises(ValueError, match="bogus"):
        E.DocumentError("bogus")
    code = (
        "from meetings.documents.errors import DocumentError\n"
        "try: DocumentError('bogus')\n"
        "except ValueError: raise SystemExit(3)"
    )
    assert subprocess.run([sys.executable, "-O", "-c", code], check=False).returncode == 3
