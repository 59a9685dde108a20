"""The main loop of a worker process (`workers.py` starts them), shared by both programs.

Runs one job at a time from stdin and answers on the original stdout, which is moved to a
private fd first so that anything MuPDF or a library prints cannot corrupt the protocol.
No core files, an address-space limit (argv[1], bytes; 0: none). A crash here costs only
this process; the pool replaces it.

Frames out: "ready" once, then per job any "progress", one "result" or "error"; a program
with work after its answer (`Program.later`) marks the answer `"later": true` and sends
"stored" when that work is done, so that the pool knows when the worker is free again.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from . import errors as E
from ._ipc import read_frame, write_frame

Job = dict[str, Any]
Send = Callable[[Job], None]


class Program(ABC):
    """What a worker does with a job; `run` is all a program must define."""

    hidden: tuple[str, ...] = ()  # job fields (server paths) kept out of error messages

    @abstractmethod
    def run(self, job: Job, send: Send) -> Job:
        """The result's fields (`send` takes progress frames); DocumentError refuses."""

    def later(self) -> bool:
        """Whether `after_reply` has work the pool must wait for."""
        return False

    # Optional hooks: a program overrides those it needs.
    def after_reply(self) -> None:  # noqa: B027
        """Work done once the answer is sent."""

    def forget(self) -> None:  # noqa: B027
        """Drop what is kept in memory (after a MemoryError)."""


def limit_memory(memory_limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core files from crashes
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))


def _reply(program: Program, job: Job, send: Send) -> Job:
    try:
        return {"type": "result", **program.run(job, send)}
    except E.DocumentError as e:
        return {"type": "error", "code": e.code, "message": e.message}
    except MemoryError:
        program.forget()
        return {"type": "error", "code": E.UNREADABLE, "message": "memory limit exceeded"}
    except Exception as e:
        reason = str(e)
        for key in program.hidden:
            reason = reason.replace(str(job.get(key)), "<file>")  # no server paths
        return {"type": "error", "code": E.UNREADABLE, "message": f"{type(e).__name__}: {reason}"}


def serve(make: Callable[[], Program]) -> None:
    """Set the process up, then answer jobs with the program `make()` returns until EOF."""
    limit_memory(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints now go to stderr
    sys.stdout = sys.stderr
    inp = sys.stdin.buffer
    from ._mupdf import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    program = make()

    def send(msg: Job) -> None:
        write_frame(out, msg)

    send({"type": "ready"})
    while (job := read_frame(inp)) is not None:
        reply = _reply(program, job, send)
        if not program.later():
            send(reply)
            program.after_reply()
            continue
        send({**reply, "later": True})  # the answer is ready: the pool need not wait
        with contextlib.suppress(Exception):  # the next job for it redoes the work
            program.after_reply()
        send({"type": "stored"})
