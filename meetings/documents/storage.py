"""Content-addressed file store: a blob lives at a path derived from its sha256 only.

The same upload stored twice is one file. Writers copy into a temp file in the store's own
`tmp/` (same file system), fsync, then `os.replace` — readers see the whole blob or none.
Callers never pass paths into the store, only hex digests that are validated, so no
'../' or absolute path can escape the root.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


def check_sha256(sha256: str) -> str:
    """Return `sha256` if it is 64 lowercase hex digits, else raise ValueError."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


class ContentStore:
    """Blobs under `root/objects/ab/<sha256><suffix>`; `suffix` is fixed per store (".pdf")."""

    def __init__(self, root: str | os.PathLike[str], suffix: str = ".pdf") -> None:
        if not re.fullmatch(r"(\.[a-z0-9]{1,8})?", suffix):
            raise ValueError("bad suffix")
        self.root = Path(root).resolve()
        self.suffix = suffix
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        """Where the blob for `sha256` lives (whether or not it exists)."""
        check_sha256(sha256)
        return self.root / "objects" / sha256[:2] / f"{sha256}{self.suffix}"

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_file(self, src: str | os.PathLike[str]) -> str:
        """Copy a file in; the digest is computed while copying, never trusted from a caller."""
        with open(src, "rb") as f:
            return self.put_stream(f)

    def put_bytes(self, data: bytes) -> str:
        return self._write([data])

    def put_stream(self, stream: BinaryIO) -> str:
        return self._write(iter(lambda: stream.read(_CHUNK), b""))

    def delete(self, sha256: str) -> bool:
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def _write(self, chunks: Iterable[bytes]) -> str:
        fd, tmp = tempfile.mkstemp(dir=self._tmp, prefix="up-")
        h = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    h.update(chunk)
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            final = self.path(digest)
            if final.is_file():  # already stored: same content, keep the old inode
                os.unlink(tmp)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp, 0o644)
                os.replace(tmp, final)
            return digest
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` via a sibling temp file and rename (readers never see half)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
