"""The worker processes behind the ingest and page pools: start, ask, replace, count.

Each worker is a plain `python -m <module> MEMORY_LIMIT` child (not fork: the web process
runs gevent; not multiprocessing: it would re-import the web's `__main__`) that runs
`_serve.serve`, with an address-space limit. It speaks JSON frames (`_ipc.py`) and says
"ready" once started. The caller's thread waits on the worker's pipe with two clocks: a
total deadline and a stall limit (no message for too long). On timeout, crash or a bad
reply the worker is killed and replaced, and the caller gets `unreadable`.

The pools keep their own scheduling (which caller gets which idle worker); this module
owns the processes.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

from . import errors as E
from ._ipc import FrameReader, Progress, write_frame

START_TIMEOUT = 120.0  # seconds for a worker to start (Python + PyMuPDF import)

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the dir holding `meetings/`


class WorkerStartTimeout(Exception):
    """A worker process did not say "ready" within its start-up time."""


class Worker:
    """One worker process and its pipes; used by one thread at a time."""

    def __init__(self, python: str, module: str, memory_limit: int, start_timeout: float) -> None:
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
        if self.proc.stdin is None or self.proc.stdout is None:
            raise RuntimeError("worker started without pipes")
        self._stdin: IO[bytes] = self.proc.stdin
        self.reader = FrameReader(self.proc.stdout.fileno())
        self.jobs = 0
        self.start_deadline = time.monotonic() + start_timeout
        self.ready = False

    def running(self) -> bool:
        return self.proc.poll() is None

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
        """Send `job`, relay its progress, return its "result" or "error" frame.

        TimeoutError, WorkerStartTimeout, or EOFError/OSError/ValueError if the worker died
        or spoke nonsense; whatever `progress` raises cancels the job.
        """
        self.wait_ready()
        self.jobs += 1
        write_frame(self._stdin, job)
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

    def exit_status(self) -> int | None:
        """The exit status of a worker that is dying (None if it is not dead within 1 s)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=1.0)
        return self.proc.returncode

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f is not None:
                with contextlib.suppress(OSError):
                    f.close()


class WorkerProcesses:
    """The running workers of one pool: spawning, replacement and the count of both."""

    def __init__(
        self,
        python: str,
        module: str,
        *,
        memory_limit: int,
        max_jobs_per_worker: int,
        start_timeout: float = START_TIMEOUT,
        name: str = "worker",
        timed_out: str = "processing timed out",
    ) -> None:
        self.python = python
        self.module = module
        self.memory_limit = memory_limit
        self.max_jobs_per_worker = max_jobs_per_worker
        self.start_timeout = start_timeout
        self.name = name  # how error messages call a worker
        self.timed_out = timed_out  # the message of a job that ran out of time
        self.replaced = 0  # workers killed after a timeout, crash or cancel
        self.closed = False
        self._all: set[Worker] = set()
        self._lock = threading.Lock()

    def spawn(self) -> Worker:
        """A new worker; after `close`, one already killed (nothing outlives the pool)."""
        w = Worker(self.python, self.module, self.memory_limit, self.start_timeout)
        with self._lock:
            if not self.closed:
                self._all.add(w)
                return w
        w.kill()
        return w

    def retire(self, w: Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    def revived(self, w: Worker) -> Worker:
        """`w`, or a new worker in its place if it died while idle."""
        if w.running():
            return w
        self.retire(w)
        try:
            return self.spawn()
        except OSError:
            raise self._died(w) from None

    def release(self, w: Worker, ok: bool) -> Worker:
        """The worker to put back after a job: `w`, or its replacement if the job failed
        (`ok` false) or `w` reached its job limit."""
        if ok and w.jobs < self.max_jobs_per_worker:
            return w
        self.retire(w)
        with self._lock:
            self.replaced += not ok
        return w if self.closed else self.spawn()

    def ask(
        self,
        w: Worker,
        job: dict[str, Any],
        *,
        timeout: float,
        stall: float,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """`w.run(...)`, with a failure of the worker (not of the document) turned into
        DocumentError(unreadable)."""
        try:
            return w.run(job, timeout, stall, progress)
        except TimeoutError:
            raise E.DocumentError(E.UNREADABLE, self.timed_out) from None
        except WorkerStartTimeout:
            raise E.DocumentError(E.UNREADABLE, f"{self.name} did not start") from None
        except (EOFError, OSError, ValueError):
            raise self._died(w) from None

    def _died(self, w: Worker) -> E.DocumentError:
        status = w.exit_status()  # negative: killed by that signal
        return E.DocumentError(E.UNREADABLE, f"{self.name} died (status {status})")

    def alive(self) -> int:
        """How many worker processes are running."""
        with self._lock:
            return sum(1 for w in self._all if w.running())

    def pids(self) -> list[int]:
        with self._lock:
            return [w.proc.pid for w in self._all]

    def close(self) -> None:
        """Kill every worker; no replacement starts after this."""
        with self._lock:
            self.closed = True
            workers = list(self._all)
        for w in workers:
            self.retire(w)


def refusal(reply: dict[str, Any]) -> E.DocumentError | None:
    """The DocumentError a worker's "error" reply stands for; None for a result."""
    if reply["type"] != "error":
        return None
    code = str(reply.get("code"))
    return E.DocumentError(code if code in E.CODES else E.UNREADABLE, str(reply["message"]))


class _Closable(Protocol):
    def close(self) -> None: ...


P = TypeVar("P", bound=_Closable)


def process_wide(make: Callable[[], P]) -> Callable[[], P]:
    """A getter of one `make()` for the whole process: made on first use by any thread
    (never twice), closed at exit."""
    made: list[P] = []
    lock = threading.Lock()

    def get() -> P:
        with lock:
            if not made:
                made.append(make())
                atexit.register(made[0].close)
            return made[0]

    return get
