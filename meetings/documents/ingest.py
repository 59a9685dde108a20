"""Validate and analyse an uploaded PDF in isolated worker processes.

Each worker is a plain `python -m meetings.documents._worker` child (not fork: the web
process runs gevent; not multiprocessing: it would re-import the web's `__main__`), with
an address-space limit. The caller's thread waits on the worker's pipe with two clocks:
a total deadline and a stall limit (no progress message for too long). On timeout,
crash or a bad reply the worker is killed and replaced, and the caller gets `unreadable`.
Progress callbacks run in the caller's thread; raising from one cancels the job.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import dataclasses
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import errors as E
from ._ipc import FrameReader, write_frame
from .storage import atomic_write

MAX_BYTES = 100 * 1024 * 1024
MAX_PAGES = 2000
THUMB_WIDTH = 160

Progress = Callable[[str, float], None]
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the dir holding `meetings/`


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


START_TIMEOUT = 120.0  # seconds for a worker to start (Python + PyMuPDF import)


class WorkerStartTimeout(Exception):
    """A worker process did not say "ready" within its start-up time."""


class _Worker:
    def __init__(
        self,
        python: str,
        memory_limit: int,
        module: str = "meetings.documents._worker",
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [python, "-m", module, str(memory_limit)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
            start_new_session=True,  # a Ctrl-C for the web process is not this child's
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.reader = FrameReader(self.proc.stdout.fileno())
        self.jobs = 0
        self.start_deadline = time.monotonic() + start_timeout
        self.ready = False

    def wait_ready(self) -> None:
        """Wait for the worker's "ready" frame before a job's clock starts.

        Start-up takes seconds on a loaded machine; counted in a job's timeout, it made a
        crash in the first job look like a timeout. EOFError if the worker died starting.
        """
        while not self.ready:
            try:
                msg = self.reader.read(self.start_deadline)
            except TimeoutError:
                raise WorkerStartTimeout from None
            if msg is None:
                raise EOFError
            self.ready = msg.get("type") == "ready"

    def run(
        self, job: dict[str, Any], timeout: float, stall: float, progress: Progress | None
    ) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.wait_ready()
        self.jobs += 1
        write_frame(self.proc.stdin, job)  # type: ignore[arg-type]
        deadline = time.monotonic() + timeout
        while True:
            msg = self.reader.read(min(deadline, time.monotonic() + stall))
            if msg is None:
                raise EOFError
            kind = msg.get("type")
            if kind == "progress" and progress is not None:
                progress(str(msg["stage"]), float(msg["fraction"]))
            elif kind in ("result", "error"):
                return msg

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f is not None:
                with contextlib.suppress(OSError):
                    f.close()


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
        self.memory_limit = memory_limit
        self.max_jobs_per_worker = max_jobs_per_worker
        self.python = python
        self.replaced = 0  # workers killed after a timeout, crash or cancel
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        for _ in range(workers):
            self._idle.put(self._spawn())  # started now, so the first upload pays no start-up

    def _spawn(self) -> _Worker:
        w = _Worker(self.python, self.memory_limit)
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    def alive(self) -> int:
        """How many worker processes are running."""
        with self._lock:
            return sum(1 for w in self._all if w.proc.poll() is None)

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
        if self._closed:
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
            if w.proc.poll() is not None:  # died while idle
                self._retire(w)
                w = self._spawn()
            reply = w.run(job, self.timeout, self.stall_timeout, progress)
            ok = True
        except TimeoutError:
            raise E.DocumentError(E.UNREADABLE, "processing timed out") from None
        except WorkerStartTimeout:
            raise E.DocumentError(E.UNREADABLE, "worker did not start") from None
        except (EOFError, OSError, ValueError):
            with contextlib.suppress(subprocess.TimeoutExpired):
                w.proc.wait(timeout=1.0)
            status = w.proc.returncode  # negative: killed by that signal
            raise E.DocumentError(E.UNREADABLE, f"worker died (status {status})") from None
        finally:
            if not ok or w.jobs >= self.max_jobs_per_worker:
                self._retire(w)
                with self._lock:
                    self.replaced += not ok
                w = self._spawn() if not self._closed else w
            self._idle.put(w)
        if reply["type"] == "error":
            code = str(reply.get("code"))
            raise E.DocumentError(code if code in E.CODES else E.UNREADABLE, str(reply["message"]))
        result = _result(reply)
        if progress:
            progress("done", 1.0)
        if thumb_dir is not None:
            result = _write_thumbs(result, Path(thumb_dir))
        return result

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._retire(w)

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


_default: IngestPool | None = None
_default_lock = threading.Lock()


def default_pool() -> IngestPool:
    """A process-wide pool of 2 workers, created on first use and closed at exit."""
    global _default
    with _default_lock:
        if _default is None:
            _default = IngestPool()
            atexit.register(_default.close)
        return _default


def ingest(path: str | os.PathLike[str], **kwargs: Any) -> IngestResult:
    """`default_pool().ingest(path, **kwargs)`."""
    return default_pool().ingest(path, **kwargs)
