"""Ingest worker process: `python -m meetings.documents._worker MEMORY_LIMIT_BYTES`.

Validates and analyses one uploaded PDF a job (see ingest.py), in the loop of `_serve`.
Job: {"path", "max_pages", "thumb_width"}.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from typing import Any

from . import errors as E
from ._ipc import Progress
from ._serve import Job, Program, Send, serve

TEXT_LIMIT = 200_000  # characters kept per page for search; a hostile page can have megabytes


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


class Ingest(Program):
    def run(self, job: Job, send: Send) -> Job:
        last = 0.0

        def progress(stage: str, fraction: float) -> None:
            # Throttled, but frequent enough for the pool's stall detection.
            nonlocal last
            now = time.monotonic()
            if now - last >= 0.05 or fraction >= 1.0:
                last = now
                send({"type": "progress", "stage": stage, "fraction": fraction})

        return analyse(job, progress)

    def after_reply(self) -> None:
        from ._mupdf import pymupdf

        pymupdf.TOOLS.store_shrink(100)  # drop MuPDF's caches between documents


def main() -> None:
    serve(Ingest)


if __name__ == "__main__":
    main()
