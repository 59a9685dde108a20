"""Ingest worker process: `python -m meetings.documents._worker MEMORY_LIMIT_BYTES`.

Runs one job at a time from stdin and answers on the original stdout, which is moved to a
private fd first so that anything MuPDF or a library prints cannot corrupt the protocol.
A crash here costs only this process; the pool replaces it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from . import errors as E
from ._ipc import read_frame, write_frame

TEXT_LIMIT = 200_000  # characters kept per page for search; a hostile page can have megabytes

Progress = Callable[[str, float], None]


def _limit(memory_limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core files from crashes
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))


def analyse(job: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from ._mupdf import pymupdf
    from .render import encode, pixmap

    path = job["path"]
    h = hashlib.sha256()
    size = os.path.getsize(path)
    done = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            done += len(chunk)
            progress("hashing", done / size if size else 1.0)
    progress("opening", 0.0)
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as e:
        reason = str(e).replace(path, "<file>")  # no server paths in messages
        raise E.DocumentError(E.UNREADABLE, f"cannot open: {reason}") from None
    try:
        if doc.needs_pass:
            raise E.DocumentError(E.ENCRYPTED, "needs a password")
        n = doc.page_count  # known before any page is processed
        if n == 0:
            raise E.DocumentError(E.EMPTY, "no pages")
        if n > job["max_pages"]:
            raise E.DocumentError(E.TOO_LARGE, f"{n} pages, limit {job['max_pages']}")
        title = (doc.metadata or {}).get("title") or ""
        thumb_w = int(job["thumb_width"])
        pages = []
        for i in range(n):
            try:
                page = doc.load_page(i)
                r = page.rect
                if not (r.width > 0 and r.height > 0):
                    raise ValueError("page has no area")
                text = page.get_text("text")[:TEXT_LIMIT]
                thumb = encode(pixmap(page, thumb_w, 3 * thumb_w), "png") if thumb_w else b""
            except Exception as e:
                raise E.DocumentError(E.UNREADABLE, f"page {i + 1}: {e}") from None
            pages.append(
                {
                    "width": round(r.width, 3),
                    "height": round(r.height, 3),
                    "rotation": page.rotation,
                    "text": text,
                    "thumb": base64.b64encode(thumb).decode(),
                }
            )
            progress("pages", (i + 1) / n)
    finally:
        doc.close()
    return {
        "sha256": h.hexdigest(),
        "size": size,
        "page_count": n,
        "title": title.strip()[:500] or None,
        "pages": pages,
    }


def main() -> None:
    _limit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints now go to stderr
    sys.stdout = sys.stderr
    inp = sys.stdin.buffer
    from ._mupdf import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    write_frame(out, {"type": "ready"})
    while (job := read_frame(inp)) is not None:
        last = 0.0

        def progress(stage: str, fraction: float) -> None:
            # Throttled, but frequent enough for the pool's stall detection.
            nonlocal last
            now = time.monotonic()
            if now - last >= 0.05 or fraction >= 1.0:
                last = now
                write_frame(out, {"type": "progress", "stage": stage, "fraction": fraction})

        try:
            reply = {"type": "result", **analyse(job, progress)}
        except E.DocumentError as e:
            reply = {"type": "error", "code": e.code, "message": e.message}
        except MemoryError:
            reply = {"type": "error", "code": E.UNREADABLE, "message": "memory limit exceeded"}
        except Exception as e:
            reply = {"type": "error", "code": E.UNREADABLE, "message": f"{type(e).__name__}: {e}"}
        write_frame(out, reply)
        pymupdf.TOOLS.store_shrink(100)  # drop MuPDF's caches between documents


if __name__ == "__main__":
    main()
