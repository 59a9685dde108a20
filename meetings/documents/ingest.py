"""Validate and analyse an uploaded PDF in isolated worker processes.

The workers are `python -m meetings.documents._worker` children (see workers.py for their
isolation, clocks and replacement). Progress callbacks run in the caller's thread;
raising from one cancels the job.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import queue
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import errors as E
from ._ipc import Progress
from .storage import atomic_write
from .workers import Worker, WorkerProcesses, process_wide, refusal

MAX_BYTES = 100 * 1024 * 1024
MAX_PAGES = 2000
THUMB_WIDTH = 160


def looks_like_pdf(head: bytes) -> bool:
    """`%PDF-` in the first KiB (as readers accept), or a headerless file of PDF objects."""
    return b"%PDF-" in head[:1024] or re.search(rb"\d+\s+\d+\s+obj\b", head[:1024]) is not None


@dataclass(frozen=True)
class PageInfo:
    index: int  # 0-based
    width: float  # points, as displayed (after rotation)
    height: float
    rotation: int  # degrees, 0/90/180/270
    text: str  # extracted text for search (capped per page)
    thumbnail: bytes  # PNG, `thumb_width` px wide; b"" when thumbnails are off


@dataclass(frozen=True)
class IngestResult:
    sha256: str
    size: int
    page_count: int
    title: str | None  # from the PDF's metadata, if any
    pages: tuple[PageInfo, ...]
    thumbnail_paths: tuple[Path, ...] = field(default=())  # set when `thumb_dir` was given

    def texts(self) -> list[str]:
        return [p.text for p in self.pages]


class IngestPool:
    """A fixed number of worker processes; `ingest` is safe to call from many threads."""

    def __init__(
        self,
        workers: int = 2,
        *,
        timeout: float = 600.0,
        stall_timeout: float = 60.0,
        memory_limit: int = 2 << 30,
        max_jobs_per_worker: int = 200,
        python: str = sys.executable,
    ) -> None:
        self.timeout = timeout
        self.stall_timeout = stall_timeout
        self.processes = WorkerProcesses(
            python,
            "meetings.documents._worker",
            memory_limit=memory_limit,
            max_jobs_per_worker=max_jobs_per_worker,
        )
        self._idle: queue.Queue[Worker] = queue.Queue()
        for _ in range(workers):
            self._idle.put(self.processes.spawn())  # now, so the first upload pays no start-up

    @property
    def replaced(self) -> int:
        """Workers killed after a timeout, crash or cancel."""
        return self.processes.replaced

    def alive(self) -> int:
        """How many worker processes are running."""
        return self.processes.alive()

    def ingest(
        self,
        path: str | os.PathLike[str],
        *,
        max_bytes: int = MAX_BYTES,
        max_pages: int = MAX_PAGES,
        thumb_width: int = THUMB_WIDTH,
        thumb_dir: str | os.PathLike[str] | None = None,
        progress: Progress | None = None,
    ) -> IngestResult:
        """Analyse the PDF at `path`, or raise DocumentError with one of the ingest codes."""
        if self.processes.closed:
            raise RuntimeError("pool is closed")
        p = Path(path).resolve()
        try:
            size = p.stat().st_size
            with open(p, "rb") as f:
                head = f.read(1024)
        except OSError as e:
            raise E.DocumentError(E.UNREADABLE, f"cannot read file: {e.strerror}") from None
        if size > max_bytes:
            raise E.DocumentError(E.TOO_LARGE, f"{size} bytes, limit {max_bytes}")
        if not looks_like_pdf(head):
            raise E.DocumentError(E.NOT_PDF, "no PDF header")
        if progress:
            progress("queued", 0.0)
        job = {"path": str(p), "max_pages": max_pages, "thumb_width": thumb_width}
        w = self._idle.get()
        ok = False
        try:
            w = self.processes.revived(w)
            reply = self.processes.ask(
                w, job, timeout=self.timeout, stall=self.stall_timeout, progress=progress
            )
            ok = True
        finally:
            self._idle.put(self.processes.release(w, ok))
        if (refused := refusal(reply)) is not None:
            raise refused
        result = _result(reply)
        if progress:
            progress("done", 1.0)
        if thumb_dir is not None:
            result = _write_thumbs(result, Path(thumb_dir))
        return result

    def close(self) -> None:
        self.processes.close()

    def __enter__(self) -> IngestPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Control characters (NUL above all: PostgreSQL refuses it in text) come out of broken or
# hostile PDFs; no reader needs them, so they never leave the ingest layer.
_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")


def clean_text(text: str) -> str:
    return text.translate(_CONTROL)


# What producers write when the author gave no title ("Untitled", "Untitled 1",
# "Microsoft Word - Document1"): shown as a title it says nothing; the file name does.
_PLACEHOLDER_TITLE = re.compile(
    r"(untitled( document)?( \d+)?|document ?\d*|microsoft [a-z]+ - .*)", re.IGNORECASE
)


def meaningful_title(raw: str) -> str | None:
    title = clean_text(raw).strip()
    return None if not title or _PLACEHOLDER_TITLE.fullmatch(title) else title


def _result(reply: dict[str, Any]) -> IngestResult:
    pages = tuple(
        PageInfo(
            index=i,
            width=float(p["width"]),
            height=float(p["height"]),
            rotation=int(p["rotation"]),
            text=clean_text(str(p["text"])),
            thumbnail=base64.b64decode(p["thumb"]),
        )
        for i, p in enumerate(reply["pages"])
    )
    return IngestResult(
        sha256=str(reply["sha256"]),
        size=int(reply["size"]),
        page_count=int(reply["page_count"]),
        title=meaningful_title(str(reply["title"])) if reply["title"] else None,
        pages=pages,
    )


def _write_thumbs(result: IngestResult, folder: Path) -> IngestResult:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for page in result.pages:
        path = folder / f"p{page.index:04d}.png"
        atomic_write(path, page.thumbnail)
        paths.append(path)
    return dataclasses.replace(result, thumbnail_paths=tuple(paths))


def default_pool() -> IngestPool:
    """A process-wide pool of 2 workers, created on first use and closed at exit."""
    return _default()


_default = process_wide(IngestPool)
