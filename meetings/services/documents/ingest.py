"""From an uploaded temp file to a Document: convert, ingest, store, record — or nothing.

Ingest runs inside the upload request, in the isolated worker pool: parsing a hostile PDF
can only kill or stall a worker process, which the pool kills and replaces; the request
greenlet waits on the worker's pipe with select(), which gevent makes cooperative, so the
server keeps serving everyone else meanwhile. Doing it in the request (rather than as a
background job) makes the outcome the response itself — 201 with the document or a 4xx
with a code — and makes "nothing half-made" simple: rows are written in one transaction
only after the pool succeeded, and the stored blob and thumbnails are removed again if
that transaction fails and no other document uses them. Progress reaches the uploader's
screen as Socket.IO events while the request is pending.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from meetings.db import db, transaction
from meetings.documents import office
from meetings.documents.errors import DocumentError
from meetings.documents.ingest import IngestResult, default_pool
from meetings.documents.search import normalize
from meetings.documents.storage import atomic_write
from meetings.errors import AppError, not_found
from meetings.models import AgendaItem, Document, DocumentAccess, DocumentPage, Meeting, User
from meetings.models.documents import DocumentStatus, Sensitivity
from meetings.models.meetings import MeetingRole
from meetings.services.documents.files import DocFiles, from_document_error

Progress = Callable[[str, float], None]

# The PageInfo fields a DocumentPage stores as they are.
_PAGE_COLUMNS = ("index", "width", "height", "rotation", "text")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe_filename(raw: str | None, default: str = "tai-lieu.pdf") -> str:
    """Display name from an uploaded name: no directories, control or bidi characters,
    no leading dots, at most 200 characters (keeping the extension). Never used as a path."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]  # a Windows browser may send C:\Users\...\x.pdf
    name = _CONTROL.sub("", name).strip().lstrip(".").strip()
    name = re.sub(r"\.{2,}", ".", name)
    if not name:
        return default
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 8 else name[:200]
    return name


def title_from_filename(filename: str) -> str:
    """A title for a PDF that has none: the file name without its extension, with
    underscores and runs of spaces made single spaces ("Bao_cao__quy 3.pdf" → "Bao cao quy 3")."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    stem = re.sub(r"[\s_]+", " ", stem).strip(" .-")
    return (stem or filename)[:300]


@dataclass
class UploadSpec:
    filename: str
    title: str | None = None
    agenda_item_id: int | None = None
    sensitivity: Sensitivity | None = None
    replaces_id: int | None = None
    restricted: bool | None = None
    user_ids: list[int] = field(default_factory=list)
    roles: list[MeetingRole] = field(default_factory=list)


def _check_target(meeting: Meeting, spec: UploadSpec) -> Document | None:
    """Validate references before the (slow) ingest, so a typo costs nothing."""
    if spec.agenda_item_id is not None:
        item = db.get(AgendaItem, spec.agenda_item_id)
        if item is None or item.meeting_id != meeting.id:
            raise not_found("Không tìm thấy mục chương trình.")
    if spec.replaces_id is None:
        return None
    old = db.get(Document, spec.replaces_id)
    if old is None or old.meeting_id != meeting.id:
        raise not_found("Không tìm thấy tài liệu.")
    if old.status is not DocumentStatus.READY:
        raise AppError("conflict", "Tài liệu này đã có phiên bản mới hơn.")
    return old


def _to_pdf(src: Path, filename: str, work: Path, progress: Progress) -> Path:
    ext = Path(filename).suffix.lower()
    if ext not in office.EXTENSIONS:
        return src  # a PDF, or something ingest will name (not_pdf)
    progress("converting", 0.0)
    # office.convert_to_pdf picks LibreOffice's input filter by the extension.
    named = work / f"upload{ext}"
    shutil.move(src, named)
    out = office.convert_to_pdf(named, work / "converted.pdf")
    progress("converting", 1.0)
    return out


def _write_thumbs(files: DocFiles, result: IngestResult) -> bool:
    """Write thumbnails unless present; True when this call created the folder."""
    folder = files.thumb_dir(result.sha256)
    if folder.is_dir():
        return False
    staging = Path(tempfile.mkdtemp(dir=files.tmp, prefix="thumbs-"))
    try:
        for page in result.pages:
            atomic_write(staging / f"p{page.index:04d}.png", page.thumbnail)
        folder.parent.mkdir(parents=True, exist_ok=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        staging.rename(folder)  # whole folder at once: readers never see half of it
    except OSError:  # another upload of the same file won the race
        shutil.rmtree(staging, ignore_errors=True)
        return False
    return True


def _record(
    meeting: Meeting, user: User, spec: UploadSpec, result: IngestResult, filename: str
) -> Document:
    old = _check_target(meeting, spec)  # again: things may have changed during ingest
    position = db.scalar(
        select(func.coalesce(func.max(Document.position), 0)).where(
            Document.meeting_id == meeting.id
        )
    )
    doc = Document(
        meeting_id=meeting.id,
        agenda_item_id=spec.agenda_item_id if spec.agenda_item_id is not None else None,
        title=(
            spec.title
            or (old.title if old else None)
            or result.title
            or title_from_filename(filename)
        )[:300],
        filename=filename,
        sha256=result.sha256,
        size=result.size,
        page_count=result.page_count,
        sensitivity=spec.sensitivity or (old.sensitivity if old else Sensitivity.INTERNAL),
        restricted=spec.restricted if spec.restricted is not None else bool(old and old.restricted),
        uploaded_by_id=user.id,
        position=(old.position if old else int(position or 0) + 1),
    )
    if old is not None:
        doc.version = old.version + 1
        doc.replaces_id = old.id
        if spec.agenda_item_id is None:
            doc.agenda_item_id = old.agenda_item_id
        old.status = DocumentStatus.SUPERSEDED
    db.add(doc)
    db.flush()
    grants = (
        [(g.user_id, g.role) for g in old.access]
        if old is not None and not spec.user_ids and not spec.roles
        else [(uid, None) for uid in spec.user_ids] + [(None, r) for r in spec.roles]
    )
    for uid, role in dict.fromkeys(grants):
        db.add(DocumentAccess(document_id=doc.id, user_id=uid, role=role))
    db.add_all(
        DocumentPage(
            document_id=doc.id,
            text_folded=normalize(p.text),
            **{name: getattr(p, name) for name in _PAGE_COLUMNS},
        )
        for p in result.pages
    )
    return doc


def ingest_upload(
    files: DocFiles,
    meeting_id: int,
    user: User,
    upload: Path,
    spec: UploadSpec,
    *,
    max_bytes: int,
    max_pages: int,
    progress: Progress,
) -> Document:
    """Turn the uploaded temp file into a committed Document; the temp file is consumed.

    Raises DocError (document codes), AppError (not_found, conflict); on any failure
    nothing is left behind: no row, no blob, no thumbnails, no temp file.
    """
    filename = safe_filename(spec.filename)
    try:
        work = Path(tempfile.mkdtemp(dir=files.tmp, prefix="job-"))
    except BaseException:  # a full disk: the upload's temp file goes too
        upload.unlink(missing_ok=True)
        raise
    try:
        meeting = db.get(Meeting, meeting_id)
        if meeting is None:
            raise not_found()
        _check_target(meeting, spec)
        db.rollback()  # hold no transaction (SQLite lock) during the slow part
        try:
            pdf = _to_pdf(upload, filename, work, progress)
            result = default_pool().ingest(
                pdf, max_bytes=max_bytes, max_pages=max_pages, progress=progress
            )
        except DocumentError as exc:
            raise from_document_error(exc) from None
        progress("storing", 0.0)
        blob_existed = files.store.exists(result.sha256)
        made_thumbs = False
        try:  # a full or read-only disk may fail any write: the blob goes again too
            files.store.put_file(pdf)
            made_thumbs = _write_thumbs(files, result)
            with transaction():
                meeting = db.get(Meeting, meeting_id)
                if meeting is None:
                    raise not_found()
                doc = _record(meeting, user, spec, result, filename)
        except BaseException:
            _forget(files, result.sha256, blob_existed, made_thumbs)
            raise
        progress("ready", 1.0)
        return doc
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            upload.unlink()


def _forget(files: DocFiles, sha256: str, blob_existed: bool, made_thumbs: bool) -> None:
    in_use = db.scalar(select(Document.id).where(Document.sha256 == sha256).limit(1))
    if in_use is not None:
        return
    if not blob_existed:
        files.store.delete(sha256)
    if made_thumbs:
        shutil.rmtree(files.thumb_dir(sha256), ignore_errors=True)
