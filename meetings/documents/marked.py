"""Per-person copies of page images and PDFs (the marked files), bounded on disk."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .storage import check_sha256


class MarkedStore:
    """Per-person copies of page images and PDFs on disk, bounded in bytes and age.

    `root/ab/<sha256>/p<i>-w<w>-<key>.png` and `.../d-<key>.pdf`, where `key` names the
    person and the mark (the caller derives it from the personal ETag or the mark, and
    the day), so one person's file can never be another's. A sweep every `sweep_every`
    new files removes files older than `max_age` seconds, then the oldest until the total
    is under 80% of `max_bytes`.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        max_bytes: int = 1 << 30,
        max_age: float = 24 * 3600.0,
        sweep_every: int = 200,
    ) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.sweep_every = sweep_every
        self._added = 0
        self._lock = threading.Lock()
        self._sweeping = False

    def path_for(self, sha256: str, index: int, width: int, key: str) -> Path:
        check_sha256(sha256)
        if not (key.isalnum() and key.isascii()) or not isinstance(index, int) or index < 0:
            raise ValueError("bad marked-image key")
        return self.root / sha256[:2] / sha256 / f"p{index}-w{int(width)}-{key}.png"

    def pdf_path_for(self, sha256: str, key: str) -> Path:
        """A person's marked PDF copy of the document (same budget and sweep as pages)."""
        check_sha256(sha256)
        if not (key.isalnum() and key.isascii()):
            raise ValueError("bad marked-copy key")
        return self.root / sha256[:2] / sha256 / f"d-{key}.pdf"

    def added(self) -> None:
        """Count a new file; every `sweep_every`, sweep in a background thread."""
        with self._lock:
            self._added += 1
            if self._added < self.sweep_every or self._sweeping:
                return
            self._added = 0
            self._sweeping = True
        threading.Thread(target=self._sweep_bg, name="marked-sweep", daemon=True).start()

    def _sweep_bg(self) -> None:
        try:
            self.sweep()
        finally:
            with self._lock:
                self._sweeping = False

    def _files(self) -> Iterator[tuple[float, int, Path]]:
        for top in os.scandir(self.root):
            if not top.is_dir():
                continue
            for doc in os.scandir(top.path):
                if not doc.is_dir():
                    continue
                for f in os.scandir(doc.path):
                    with contextlib.suppress(FileNotFoundError):
                        st = f.stat()
                        yield st.st_mtime, st.st_size, Path(f.path)

    def sweep(self) -> int:
        """Remove old files, then the oldest beyond the byte budget; returns how many."""
        now = time.time()
        files = sorted(self._files())
        total = sum(size for _, size, _ in files)
        removed = 0
        for mtime, size, path in files:
            if now - mtime < self.max_age and total <= self.max_bytes * 0.8:
                break
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
            total -= size
        return removed
