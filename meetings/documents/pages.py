"""Page images at view time, rendered and marked in isolated worker processes.

The web process (gevent, one core) only decides, and serves files; the CPU work — render
a page, draw a person's mark, encode the PNG — runs in a small pool of
`python -m meetings.documents._page_worker` processes (one per core), with the ingest
pool's isolation: a hostile page that crashes or hangs MuPDF kills one worker, which is
replaced, and the request gets `unreadable` instead of taking the server down.

Jobs name files, not bytes: the worker writes the shared render
(`renders/…/p<i>-w<w>.png`, see RenderCache) and the person's copy (`MarkedStore`), and
the web process reads the one it needs. Requests for the same file while it is being
made share one job (a person with two tablets, a reconnect storm). Pre-rendering jobs
(`low=True`) take a worker only when no request is waiting for one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import errors as E
from .ingest import START_TIMEOUT, WorkerStartTimeout, _Worker
from .storage import check_sha256
from .watermark import Mark

PNG_LEVEL = 1  # zlib level of per-person copies (see render.encode)


@dataclass(frozen=True)
class PageJob:
    pdf: Path
    index: int  # 0-based, already checked against the page count
    width: int  # already snapped
    render: Path  # the shared render, written if missing
    out: Path | None = None  # the person's copy; None: only the shared render
    mark: Mark | None = None

    @property
    def target(self) -> Path:
        return self.out if self.out is not None else self.render

    def message(self) -> dict[str, Any]:
        mark = [self.mark.name, self.mark.unit, self.mark.when] if self.mark else None
        return {
            "pdf": str(self.pdf),
            "index": self.index,
            "width": self.width,
            "render": str(self.render),
            "out": None if self.out is None else str(self.out),
            "mark": mark,
            "level": PNG_LEVEL,
        }


class _Waiter:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.worker: _Worker | None = None


class PagePool:
    """`workers` page worker processes; `page()` is safe from many threads or greenlets."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        timeout: float = 30.0,
        start_timeout: float = START_TIMEOUT,
        memory_limit: int = 2 << 30,
        max_jobs_per_worker: int = 5000,
        python: str = sys.executable,
        module: str = "meetings.documents._page_worker",
    ) -> None:
        self.workers = workers or min(max(os.cpu_count() or 1, 1), 4)
        self.timeout = timeout  # per job, counted from the worker being ready
        self.start_timeout = start_timeout
        self.memory_limit = memory_limit
        self.max_jobs_per_worker = max_jobs_per_worker
        self.python = python
        self.module = module
        self.replaced = 0  # workers killed after a crash or timeout
        self.jobs = 0  # jobs sent to workers (not counting joins and files found on disk)
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._idle: list[_Worker] = []
        self._high: deque[_Waiter] = deque()  # requests waiting for a worker, first come first
        self._low: deque[_Waiter] = deque()  # pre-rendering waiting for an idle moment
        self._inflight: dict[Path, Future[Path]] = {}
        self._storing: dict[Path, threading.Event] = {}  # shared renders being written
        self._closed = False
        for _ in range(self.workers):
            self._idle.append(self._spawn())  # start-up (~0.3 s) happens now, not at a request

    # ------------------------------------------------------------------ workers

    def _spawn(self) -> _Worker:
        w = _Worker(self.python, self.memory_limit, self.module, self.start_timeout)
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._all if w.proc.poll() is None)

    def _checkout(self, low: bool) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("pool is closed")
            if self._idle and not (low and self._high):
                return self._idle.pop()
            waiter = _Waiter()
            (self._low if low else self._high).append(waiter)
        try:
            waiter.event.wait()
        except BaseException:
            with self._lock:
                for q in (self._high, self._low):
                    with contextlib.suppress(ValueError):
                        q.remove(waiter)
            if waiter.worker is not None:
                self._checkin(waiter.worker)
            raise
        if waiter.worker is None:
            raise RuntimeError("pool is closed")
        return waiter.worker

    def _checkin(self, w: _Worker) -> None:
        with self._lock:
            queue = self._high or self._low
            if queue and not self._closed:
                waiter = queue.popleft()
                waiter.worker = w
                waiter.event.set()
            else:
                self._idle.append(w)

    def _run(self, w: _Worker, job: PageJob) -> None:
        ok = later = False
        try:
            if w.proc.poll() is not None:  # died while idle
                self._retire(w)
                w = self._spawn()
            with self._lock:
                self.jobs += 1
            reply = w.run(job.message(), self.timeout, self.timeout, None)
            ok = True
            later = bool(reply.get("later"))
            if later:  # the worker still stores the shared render: not free yet
                stored = threading.Event()
                with self._lock:
                    self._storing[job.render] = stored
        except TimeoutError:
            raise E.DocumentError(E.UNREADABLE, "page timed out") from None
        except WorkerStartTimeout:
            raise E.DocumentError(E.UNREADABLE, "page worker did not start") from None
        except (EOFError, OSError, ValueError):
            with contextlib.suppress(Exception):
                w.proc.wait(timeout=1.0)
            status = w.proc.returncode  # negative: killed by that signal
            raise E.DocumentError(E.UNREADABLE, f"page worker died (status {status})") from None
        finally:
            if later:
                args = (w, job.render, stored)
                threading.Thread(target=self._stored, args=args, daemon=True).start()
            else:
                self._release(w, ok)
        if reply["type"] == "error":
            code = str(reply.get("code"))
            raise E.DocumentError(code if code in E.CODES else E.UNREADABLE, str(reply["message"]))

    def _stored(self, w: _Worker, render: Path, stored: threading.Event) -> None:
        """Wait (in the background) for the worker to store a shared render it made."""
        ok = False
        try:
            msg = w.reader.read(time.monotonic() + self.timeout)
            ok = msg is not None and msg.get("type") == "stored"
        except Exception:
            ok = False
        finally:
            with self._lock:
                if self._storing.get(render) is stored:
                    del self._storing[render]
            stored.set()
            self._release(w, ok)

    def _release(self, w: _Worker, ok: bool) -> None:
        if not ok or w.jobs >= self.max_jobs_per_worker:
            self._retire(w)
            with self._lock:
                self.replaced += not ok
            if not self._closed:
                w = self._spawn()
        self._checkin(w)

    # ------------------------------------------------------------------ jobs

    def page(self, job: PageJob, *, low: bool = False) -> Path:
        """The path of `job.target`, made by a worker unless it is on disk already.

        Raises DocumentError(unreadable) if the page cannot be made (bad page, worker
        crash or timeout). `low`: wait for a worker no request wants (pre-rendering).
        """
        target = job.target
        if target.is_file():
            return target
        worker: _Worker | None = None
        if low:
            worker = self._checkout(low=True)
        with self._lock:
            fut = self._inflight.get(target)
            mine = fut is None
            if fut is None:
                fut = self._inflight[target] = Future()
        if not mine:
            if worker is not None:
                self._checkin(worker)
            return fut.result()
        try:
            with self._lock:
                storing = self._storing.get(job.render)
            if storing is not None:  # rendered a moment ago: decoding it beats rendering
                storing.wait(self.timeout)
            if target.is_file():  # made while we waited for a worker
                if worker is not None:
                    self._checkin(worker)
            else:
                self._run(worker or self._checkout(low=False), job)
            fut.set_result(target)
        except BaseException as e:
            fut.set_exception(e)
            raise
        finally:
            with self._lock:
                self._inflight.pop(target, None)
        return target

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            waiters = [*self._high, *self._low]
            self._high.clear()
            self._low.clear()
        for waiter in waiters:
            waiter.event.set()
        for w in workers:
            self._retire(w)

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


_default: PagePool | None = None
_default_lock = threading.Lock()


def default_page_pool() -> PagePool:
    """A process-wide page pool (one worker per core, 1..4), created on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = PagePool()
            atexit.register(_default.close)
        return _default
