"""Page worker process: `python -m meetings.documents._page_worker MEMORY_LIMIT_BYTES`.

Renders and marks page images for the web process, one job at a time (see pages.py).
A job names files, never carries images: the shared render and the person's copy are
written here (atomically) and the web process serves the file. Same isolation as the
ingest worker (the loop of `_serve`): JSON frames, private stdout, no core files, an
address-space limit; a hostile page that crashes or hangs MuPDF costs only this process.

Job: {"pdf", "index", "width", "render", "out", "mark": [name, unit, when] | null,
"level"}. `render` is the shared (unmarked) render's path; `out` the person's copy, or
null when only the shared render is wanted (public documents, pre-rendering).

Kept in memory: a few open documents and the decoded shared renders of the last pages
(a byte budget), so a hundred people following page N cost one decode (or one render),
then per person only draw + encode. A page rendered here for a person is marked and
answered first (`"later": true`); its unmarked PNG for the shared cache is encoded after
the answer, then `{"type": "stored"}` says this worker is free again.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from . import errors as E
from ._serve import Job, Program, Send, serve

PIXMAP_BUDGET = 160 * 1024 * 1024  # bytes of decoded renders kept (≈ 14 pages at 1600 px)
OPEN_DOCS = 8


class PageWorker(Program):
    hidden = ("pdf",)

    def __init__(self, pixmap_budget: int = PIXMAP_BUDGET) -> None:
        from .watermark import Watermarker

        self.budget = pixmap_budget
        self.docs: OrderedDict[str, Any] = OrderedDict()
        self.pixmaps: OrderedDict[str, Any] = OrderedDict()
        self.marker = Watermarker()
        self.pending: list[tuple[Any, Path]] = []  # shared renders to write after answering

    def _doc(self, path: str) -> Any:
        from ._mupdf import pymupdf

        doc = self.docs.pop(path, None)
        if doc is None:
            doc = pymupdf.open(path, filetype="pdf")
        self.docs[path] = doc
        while len(self.docs) > OPEN_DOCS:
            self.docs.popitem(last=False)[1].close()
        return doc

    def _keep(self, key: str, pix: Any) -> None:
        self.pixmaps[key] = pix
        self.pixmaps.move_to_end(key)
        used = sum(p.stride * p.height for p in self.pixmaps.values())
        while used > self.budget and len(self.pixmaps) > 1:
            _, old = self.pixmaps.popitem(last=False)
            used -= old.stride * old.height

    def shared(self, job: dict[str, Any]) -> tuple[Any, bool]:
        """The unmarked page as an RGB pixmap, and whether it was rendered just now."""
        from ._mupdf import pymupdf
        from .render import pixmap
        from .watermark import rgb

        key = str(job["render"])
        pix = self.pixmaps.get(key)
        if pix is not None:
            self.pixmaps.move_to_end(key)
            return pix, False
        fresh = False
        try:
            pix = rgb(pymupdf.Pixmap(key))
        except Exception:  # not rendered yet (or unreadable: render again)
            doc = self._doc(str(job["pdf"]))
            index = int(job["index"])
            if not 0 <= index < doc.page_count:
                raise E.DocumentError(E.UNREADABLE, "page index out of range") from None
            pix = pixmap(doc.load_page(index), int(job["width"]))
            fresh = True
        self._keep(key, pix)
        return pix, fresh

    def run(self, job: Job, send: Send) -> Job:
        from ._mupdf import pymupdf
        from .render import encode
        from .storage import atomic_write
        from .watermark import Mark

        pix, fresh = self.shared(job)
        render = Path(job["render"])
        if fresh:
            render.parent.mkdir(parents=True, exist_ok=True)
        out = job.get("out")
        if out is None:
            if fresh:
                atomic_write(render, encode(pix, "png"))
            return {"rendered": fresh}
        name, unit, when = (str(s) for s in job["mark"])
        copy = pymupdf.Pixmap(pix, 0)  # the shared pixmap stays clean for the next person
        marked = self.marker.draw(copy, Mark(name, unit, when))
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, encode(marked, "png", png_level=int(job.get("level", 1))))
        if fresh:
            self.pending.append((pix, render))
        return {"rendered": fresh}

    def later(self) -> bool:
        return bool(self.pending)

    def forget(self) -> None:
        self.pixmaps.clear()

    def after_reply(self) -> None:
        """Encode and store shared renders made for a marked answer (once per page)."""
        from .render import encode
        from .storage import atomic_write

        pending, self.pending = self.pending, []
        for pix, path in pending:
            if not path.exists():
                atomic_write(path, encode(pix, "png"))


def main() -> None:
    serve(PageWorker)


if __name__ == "__main__":
    main()
