"""What a person receives: page images, thumbnails, word boxes and downloads, marked.

The render of a page is shared by everyone (RenderCache, on disk); the person's mark —
name, unit, date-time in Vietnam — is drawn into each image given to a person, so no one
can hand on an anonymous copy. Public documents carry no mark. ETags are per person (the
mark differs) and stable for the same person and render, so a tablet revalidating gets 304.

Page images are made by the page worker pool (documents/pages.py), never in this
process: render (once, shared) and mark + encode (once per person, page, width and day,
kept in MarkedStore), so this gevent process only checks rights and serves files. When
the presenter turns to page N, `prewarm` queues the copies of pages N and N+1 for the
people who recently viewed pages of the meeting, at the width each last asked for, on
workers no request is waiting for.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from meetings.db import transaction
from meetings.documents import render
from meetings.documents.errors import DocumentError
from meetings.documents.pages import PageJob, default_page_pool
from meetings.documents.search import find_word_hits
from meetings.documents.storage import atomic_write
from meetings.documents.watermark import Mark, default_watermarker
from meetings.errors import not_found
from meetings.models import Document, DocumentAccessLog, Meeting, User
from meetings.models.documents import Sensitivity
from meetings.permissions import Perm, authorize
from meetings.services.documents.files import DocError, DocFiles, from_document_error

log = logging.getLogger(__name__)

# Vietnam has kept UTC+7 without daylight saving since 1975: no tz database needed.
VN = timezone(timedelta(hours=7), "ICT")
MARK_VERSION = "1"  # part of personal ETags; bump when the mark's look changes


@dataclass(frozen=True)
class Image:
    data: bytes
    etag: str
    content_type: str


def mark_for(user: User, at: datetime | None = None) -> Mark:
    when = (at or datetime.now(UTC)).astimezone(VN).strftime("%d/%m/%Y %H:%M")
    return Mark(user.full_name, user.unit.name if user.unit else "", when)


def marked(doc: Document) -> bool:
    return doc.sensitivity is not Sensitivity.PUBLIC


def personal_etag(base: str, user: User, doc: Document) -> str:
    if not marked(doc):
        return base
    return _personal_etag(base, user.id, user.full_name, user.unit.name if user.unit else "")


def _personal_etag(base: str, user_id: int, full_name: str, unit: str) -> str:
    key = f"{base}|{MARK_VERSION}|{user_id}|{full_name}|{unit}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _check_index(doc: Document, index: int) -> None:
    if not 0 <= index < doc.page_count:
        raise not_found("Không có trang này.")


def page_etag(doc: Document, user: User, index: int, width: int, screen: str | None = None) -> str:
    """The ETag a page response will carry, without rendering (for If-None-Match)."""
    w = render.snap_width(width)
    base = render.etag_for(doc.sha256, index, w, "png")
    if screen is None or not marked(doc):
        return personal_etag(base, user, doc)
    viewer = _viewer(doc, user, w, screen)
    return _personal_etag(base, viewer.user_id, viewer.full_name, viewer.unit)


@dataclass(frozen=True)
class _Viewer:
    user_id: int
    full_name: str
    unit: str
    width: int  # snapped width of the last page image asked for
    seen: float  # time.monotonic() of that request
    doc_id: int = 0  # the document of that request


def _page_job(
    files: DocFiles, doc: Document, viewer: _Viewer, index: int, at: datetime
) -> tuple[PageJob, str]:
    """The job that makes `viewer`'s page image, and its ETag."""
    w = viewer.width
    base = render.etag_for(doc.sha256, index, w, "png")
    shared = files.renders.path_for(doc.sha256, index, w, "png")
    if not marked(doc):
        return PageJob(files.pdf(doc.sha256), index, w, shared), base
    etag = _personal_etag(base, viewer.user_id, viewer.full_name, viewer.unit)
    # The copy is kept per person and day: a page fetched again the same day is the same
    # file (as its ETag promises); the next day it is marked again with that day's date.
    day = at.astimezone(VN).date().isoformat()
    key = hashlib.sha256(f"{etag}|{day}".encode()).hexdigest()[:32]
    out = files.marked.path_for(doc.sha256, index, w, key)
    when = at.astimezone(VN).strftime("%d/%m/%Y %H:%M")
    mark = Mark(viewer.full_name, viewer.unit, when)
    return PageJob(files.pdf(doc.sha256), index, w, shared, out, mark), etag


def _make(files: DocFiles, job: PageJob, *, low: bool = False) -> bytes:
    """The job's file, made by the page pool if needed (a 422 `unreadable` if it fails)."""
    for _ in range(2):  # a copy can be swept between being found and being read
        existed = job.target.is_file()
        try:
            path = default_page_pool().page(job, low=low)
        except DocumentError as e:
            log.warning("page image failed: %s", e.message)
            raise from_document_error(e) from None
        if job.out is not None and not existed:
            files.marked.added()
        try:
            return path.read_bytes()
        except FileNotFoundError:
            continue
    raise from_document_error(DocumentError("unreadable", "page image vanished"))


_warm = False


def warm_up() -> None:
    """Start the page workers and pre-rendering (once): the first page image then pays
    no start-up. Pre-rendering uses at most all workers but one, so a core stays for
    this process and for requests."""
    global _warm
    if not _warm:
        _warm = True
        _prewarmer.start(max(1, default_page_pool().workers - 1))


PROJECTOR = "projector"
_PROJECTOR_ID = 0  # no user has id 0: the room's screen, one per meeting


def _viewer(doc: Document, user: User, width: int, screen: str | None) -> _Viewer:
    """Whose mark the image carries: the person's own, or, for the projector, the room's.

    The wall screen is opened by whoever runs the meeting, in their own session; marked
    with their personal name it would tell the room the wrong thing. Only those who run
    the meeting (meeting.edit) may ask for the room's mark.
    """
    if screen == PROJECTOR:
        meeting = authorize(user, Perm.MEETING_EDIT, doc.meeting_id)
        if meeting is None:  # a meeting permission: authorize returns the meeting
            raise not_found("Không tìm thấy cuộc họp.")
        name, unit = projector_mark(meeting)
        return _Viewer(_PROJECTOR_ID, name, unit, width, time.monotonic(), doc.id)
    unit = user.unit.name if user.unit else ""
    return _Viewer(user.id, user.full_name, unit, width, time.monotonic(), doc.id)


def projector_mark(meeting: Meeting) -> tuple[str, str]:
    """(name, unit) of the projector's mark: the room, and the meeting's title."""
    return " ".join(filter(None, ["Màn chiếu", meeting.room.strip()])), meeting.title


def page_image(
    files: DocFiles, doc: Document, user: User, index: int, width: int, screen: str | None = None
) -> Image:
    _check_index(doc, index)
    w = render.snap_width(width)
    viewer = _viewer(doc, user, w, screen)
    _prewarmer.seen(files, doc.meeting_id, viewer)
    job, etag = _page_job(files, doc, viewer, index, datetime.now(UTC))
    return Image(_make(files, job), etag, render.CONTENT_TYPES["png"])


class _Prewarmer:
    """Who viewed pages lately (per meeting), and the queue of copies to make ahead."""

    RECENT = 15 * 60.0  # seconds: a viewer quiet for longer is not pre-rendered for
    MAX_VIEWERS = 2000  # per meeting; the least recent are forgotten

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[int, DocFiles] = {}  # per meeting: where its viewers' files are
        self._viewers: dict[int, dict[int, _Viewer]] = {}
        self._queue: deque[tuple[int, DocFiles, PageJob]] = deque()  # (meeting, ...)
        self._ready = threading.Condition(self._lock)
        self._started = False

    def start(self, threads: int) -> None:
        """Start the drain threads (from a request, once). `prewarm` itself never starts a
        thread: under gevent that yields, and a presenter command must not yield before it
        commits (two quick page turns would then commit in either order)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(threads):
            threading.Thread(target=self._drain, name="page-prewarm", daemon=True).start()

    def seen(self, files: DocFiles, meeting_id: int, viewer: _Viewer) -> None:
        with self._lock:
            self._files[meeting_id] = files
            room = self._viewers.setdefault(meeting_id, {})
            room.pop(viewer.user_id, None)
            room[viewer.user_id] = viewer  # dicts keep order: least recent first
            while len(room) > self.MAX_VIEWERS:
                room.pop(next(iter(room)))

    def recent(self, meeting_id: int) -> list[_Viewer]:
        now = time.monotonic()
        with self._lock:
            room = self._viewers.get(meeting_id, {})
            for uid in [u for u, v in room.items() if now - v.seen > self.RECENT]:
                del room[uid]
            return list(room.values())

    def prewarm(self, doc: Document, page: int) -> int:
        """Queue copies of `page` and the next one for recent viewers; returns how many."""
        files = self._files.get(doc.meeting_id)
        if files is None or not self._started:
            return 0
        at = datetime.now(UTC)
        jobs = []
        for index in (page, page + 1):
            if not 0 <= index < doc.page_count:
                continue
            for viewer in self.recent(doc.meeting_id):
                if doc.restricted and viewer.doc_id != doc.id:
                    continue  # may not see it: only those who viewed it lately
                job, _ = _page_job(files, doc, viewer, index, at)
                if not job.target.is_file():
                    jobs.append(job)
        with self._lock:
            # A new page turn in the same meeting replaces what was not started yet.
            kept = [item for item in self._queue if item[0] != doc.meeting_id]
            self._queue = deque(kept + [(doc.meeting_id, files, j) for j in jobs])
            self._ready.notify_all()
        return len(jobs)

    def _drain(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._ready.wait()
                _, files, job = self._queue.popleft()
            with contextlib.suppress(Exception):  # a bad page: its request will say so
                _make(files, job, low=True)


_prewarmer = _Prewarmer()


def prewarm(doc: Document, page: int) -> int:
    """Have page images of `page` and `page + 1` made ahead for the meeting's recent
    viewers (the presenter turned to `page`). Returns at once; errors are ignored."""
    try:
        return _prewarmer.prewarm(doc, page)
    except Exception:
        log.exception("prewarm failed")
        return 0


def thumbnail(files: DocFiles, doc: Document, user: User, index: int) -> Image:
    _check_index(doc, index)
    try:
        data = files.thumb(doc.sha256, index).read_bytes()
    except FileNotFoundError:
        raise not_found("Không có ảnh thu nhỏ.") from None
    base = '"t' + hashlib.sha256(f"{doc.sha256}|{index}".encode()).hexdigest()[:31] + '"'
    if marked(doc):  # every page image carries the mark, small ones too
        data = default_watermarker().mark_image(data, mark_for(user), "png")
    return Image(data, personal_etag(base, user, doc), "image/png")


def words(files: DocFiles, doc: Document, index: int, query: str | None = None) -> dict[str, Any]:
    """Word boxes (0..1 of the displayed page) for selection, and which words a query hits."""
    _check_index(doc, index)
    boxes = files.renders.words(doc.sha256, files.pdf(doc.sha256), index)
    out: dict[str, Any] = {
        "page": index,
        "words": [
            [round(w.x0, 5), round(w.y0, 5), round(w.x1, 5), round(w.y1, 5), w.text] for w in boxes
        ],
        "hits": [],
    }
    if query:
        position = {id(w): i for i, w in enumerate(boxes)}
        out["hits"] = [[position[id(w)] for w in hit] for hit in find_word_hits(boxes, query)]
    return out


def download(files: DocFiles, doc: Document, user: User) -> bytes:
    """The PDF as `user` may take it away: marked with their name unless public.

    Marking 300 pages takes seconds, so the marked copy is kept per person, document
    content and day (MarkedStore, like page images): a second download that day, or the
    annotated export, reuses it. The key holds the content's digest (a new version is a
    new file) and the mark's text (a new name or unit is a new copy).
    """
    if doc.sensitivity is Sensitivity.CONFIDENTIAL:
        raise DocError("download_forbidden", "Tài liệu mật: chỉ được xem, không được tải về.")
    path = files.pdf(doc.sha256)
    if not marked(doc):
        return path.read_bytes()
    now = datetime.now(UTC)
    mark = mark_for(user, now)
    copy = files.marked.pdf_path_for(doc.sha256, _copy_key(doc.sha256, user.id, mark, now))
    with contextlib.suppress(FileNotFoundError):
        return copy.read_bytes()
    data = default_watermarker().mark_pdf(path, mark)
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(copy, data)
        files.marked.added()
    except OSError as e:  # a full disk costs the next download time, not this one
        log.warning("marked copy not kept: %s", e)
    return data


def _copy_key(sha256: str, user_id: int, mark: Mark, at: datetime) -> str:
    day = at.astimezone(VN).date().isoformat()
    key = f"{MARK_VERSION}|{sha256}|{user_id}|{mark.name}|{mark.unit}|{day}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def log_access(doc_id: int, user_id: int, page: int, action: str) -> None:
    """Count one view/download in the per-day aggregate row (insert or bump)."""
    at = datetime.now(UTC)
    day = at.astimezone(VN).date()
    values = dict(
        document_id=doc_id,
        user_id=user_id,
        page=page,
        day=day,
        action=action,
        count=1,
        first_at=at,
        last_at=at,
    )
    with transaction() as session:
        dialect = session.get_bind().dialect.name
        if dialect in ("sqlite", "postgresql"):
            ins: Any = (sqlite if dialect == "sqlite" else postgresql).insert(DocumentAccessLog)
            stmt = ins.values(**values).on_conflict_do_update(
                index_elements=["document_id", "user_id", "page", "day", "action"],
                set_={"count": DocumentAccessLog.count + 1, "last_at": at},
            )
            session.execute(stmt)
            return
        bumped = session.execute(  # other databases: bump, else insert
            update(DocumentAccessLog)
            .where(
                DocumentAccessLog.document_id == doc_id,
                DocumentAccessLog.user_id == user_id,
                DocumentAccessLog.page == page,
                DocumentAccessLog.day == day,
                DocumentAccessLog.action == action,
            )
            .values(count=DocumentAccessLog.count + 1, last_at=at)
        )
        if not getattr(bumped, "rowcount", 0):
            session.add(DocumentAccessLog(**values))
