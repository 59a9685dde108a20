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

import contextlib
import os
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .watermark import Mark
from .workers import START_TIMEOUT, Worker, WorkerProcesses, process_wide, refusal

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
        self.worker: Worker | None = None


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
        self.processes = WorkerProcesses(
            python,
            module,
            memory_limit=memory_limit,
            max_jobs_per_worker=max_jobs_per_worker,
            start_timeout=start_timeout,
            name="page worker",
            timed_out="page timed out",
        )
        self.jobs = 0  # jobs sent to workers (not counting joins and files found on disk)
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._high: deque[_Waiter] = deque()  # requests waiting for a worker, first come first
        self._low: deque[_Waiter] = deque()  # pre-rendering waiting for an idle moment
        self._inflight: dict[Path, Future[Path]] = {}
        self._storing: dict[Path, threading.Event] = {}  # shared renders being written
        self._closed = False
        for _ in range(self.workers):
            self._idle.append(self.processes.spawn())  # start-up (~0.3 s) now, not at a request

    @property
    def replaced(self) -> int:
        """Workers killed after a crash or timeout."""
        return self.processes.replaced

    def alive(self) -> int:
        return self.processes.alive()

    # ------------------------------------------------------------------ workers

    def _checkout(self, low: bool) -> Worker:
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

    def _checkin(self, w: Worker) -> None:
        with self._lock:
            queue = self._high or self._low
            if queue and not self._closed:
                waiter = queue.popleft()
                waiter.worker = w
                waiter.event.set()
            else:
                self._idle.append(w)

    def _run(self, w: Worker, job: PageJob) -> None:
        ok = later = False
        try:
            w = self.processes.revived(w)
            with self._lock:
                self.jobs += 1
            reply = self.processes.ask(w, job.message(), timeout=self.timeout, stall=self.timeout)
            ok = True
            later = bool(reply.get("later"))
            if later:  # the worker still stores the shared render: not free yet
                stored = threading.Event()
                with self._lock:
                    self._storing[job.render] = stored
        finally:
            if later:
                args = (w, job.render, stored)
                threading.Thread(target=self._stored, args=args, daemon=True).start()
            else:
                self._release(w, ok)
        if (refused := refusal(reply)) is not None:
            raise refused

    def _stored(self, w: Worker, render: Path, stored: threading.Event) -> None:
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

    def _release(self, w: Worker, ok: bool) -> None:
        self._checkin(self.processes.release(w, ok))

    # ------------------------------------------------------------------ jobs

    def page(self, job: PageJob, *, low: bool = False) -> Path:
        """The path of `job.target`, made by a worker unless it is on disk already.

        Raises DocumentError(unreadable) if the page cannot be made (bad page, worker
        crash or timeout). `low`: wait for a worker no request wants (pre-rendering).
        """
        target = job.target
        if target.is_file():
            return target
        worker: Worker | None = None
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
            waiters = [*self._high, *self._low]
            self._high.clear()
            self._low.clear()
        for waiter in waiters:
            waiter.event.set()
        self.processes.close()

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_page_pool() -> PagePool:
    """A process-wide page pool (one worker per core, 1..4), created on first use."""
    return _default()


_default = process_wide(PagePool)
