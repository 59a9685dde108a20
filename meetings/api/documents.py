"""Meeting documents over REST: upload, list, search, pages, text layer, download.

Document routes authorize through `visible_document` (participants of the meeting,
narrowed by the document's restrictions; anyone else gets 404 as for a missing id).
Page images and thumbnails are marked per person; their URLs name an immutable document
version (a new version is a new id), so they are cached privately for a year.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from flask import Response, current_app, jsonify, request
from flask_openapi3 import APIBlueprint, Tag
from flask_wtf.csrf import validate_csrf
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from meetings.api.doc_forms import UploadForm, parse_upload_form
from meetings.api.guard import requires
from meetings.api.schemas import ERRORS, ErrorBody, Strict
from meetings.auth import current_user
from meetings.config import Config
from meetings.db import db, transaction
from meetings.errors import AppError, invalid_payload
from meetings.events.outbox import Outbox
from meetings.extensions import csrf
from meetings.models import Document, Meeting, MeetingRole, User
from meetings.models.documents import Sensitivity
from meetings.permissions import Perm, authorize
from meetings.realtime.events import emit_event
from meetings.realtime.presenter import uploads_room
from meetings.services.documents import library as svc
from meetings.services.documents import pages as doc_pages
from meetings.services.documents import presenter as doc_presenter
from meetings.services.documents import search as doc_search
from meetings.services.documents.files import DocError, DocFiles, files_for
from meetings.services.documents.ingest import ingest_upload

bp = APIBlueprint(
    "meeting_documents", __name__, url_prefix="/api/meetings", abp_tags=[Tag(name="documents")]
)
doc_bp = APIBlueprint(
    "documents", __name__, url_prefix="/api/documents", abp_tags=[Tag(name="documents")]
)

IMMUTABLE = "private, max-age=31536000, immutable"
F = TypeVar("F", bound=Callable[..., Any])
DOC_ERRORS: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    **ERRORS,
    409: ErrorBody,
    413: ErrorBody,
    422: ErrorBody,
    503: ErrorBody,
    507: ErrorBody,  # storage_full
}


class MeetingPath(BaseModel):
    meeting_id: int


class DocPath(BaseModel):
    document_id: int


class PagePath(DocPath):
    index: Annotated[int, Field(ge=0)]


class ListQuery(Strict):
    history: bool = False


class SearchQuery(Strict):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ImageQuery(Strict):
    # Client asks element width x devicePixelRatio; the server snaps to its 100 px step.
    w: Annotated[int, Field(ge=1, le=10000)] = 1200
    # The room's projector: marked with the room and meeting, not the person (meeting.edit).
    screen: Literal["projector"] | None = None


class WordsQuery(Strict):
    q: Annotated[str, Field(max_length=200)] = ""


class UploadQuery(Strict):
    upload_id: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = ""


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class DocPatch(Strict):
    title: Title | None = None
    sensitivity: Sensitivity | None = None
    agenda_item_id: int | None | Literal["keep"] = "keep"
    restricted: bool | None = None
    user_ids: Annotated[list[int], Field(max_length=500)] | None = None
    roles: Annotated[list[MeetingRole], Field(max_length=10)] | None = None


class DocOut(BaseModel):
    document: dict[str, Any]


class DocList(BaseModel):
    documents: list[dict[str, Any]]
    can_manage: bool
    can_present: bool
    max_mb: int
    max_pages: int


def _me() -> User:
    user = current_user()
    assert user is not None  # the guard ran
    return user


def _config() -> Config:
    config: Config = current_app.config["APP_CONFIG"]
    return config


def _files() -> DocFiles:
    return files_for(_config().documents_dir)


def document_route(perm: Perm) -> Callable[[F], F]:
    """Guard for /api/documents/<id>: visible_document, plus `perm` in its meeting."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                raise AppError("not_authenticated", "Bạn cần đăng nhập.")
            doc = svc.visible_document(user, kwargs["path"].document_id)
            if perm is not Perm.DOCUMENT_VIEW:
                authorize(user, perm, doc.meeting_id)
            return view(*args, doc=doc, **kwargs)

        guarded.__permission__ = perm  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return wrap


def _changed(doc: Document, op: str) -> None:
    outbox = Outbox()
    with transaction():
        outbox.meeting_event(
            doc.meeting_id,
            "document.changed",
            {"op": op, "document_id": doc.id, "replaces_id": doc.replaces_id},
        )
    outbox.send()


# ------------------------------------------------------------------ meeting-scoped


@bp.get("/<int:meeting_id>/documents", responses={200: DocList, **ERRORS})
@requires(Perm.DOCUMENT_VIEW)
def list_documents(path: MeetingPath, query: ListQuery) -> dict[str, Any]:
    """The meeting's documents I may see (with superseded versions if `history`)."""
    me = _me()
    meeting = db.get(Meeting, path.meeting_id)
    assert meeting is not None
    manager = svc.can_manage(me, meeting)
    docs = svc.visible_documents(me, meeting, include_history=query.history)
    return {
        "documents": [svc.document_out(d, manager=manager) for d in docs],
        "can_manage": manager,
        "can_present": doc_presenter.may_present(me, meeting),
        "max_mb": _config().document_max_mb,
        "max_pages": _config().document_max_pages,
    }


@bp.get("/<int:meeting_id>/documents/search", responses={200: None, **ERRORS})
@requires(Perm.DOCUMENT_VIEW)
def search_documents(path: MeetingPath, query: SearchQuery) -> dict[str, Any]:
    """Full-text search, without diacritics: "quyet dinh" finds "Quyết định"."""
    meeting = db.get(Meeting, path.meeting_id)
    assert meeting is not None
    return doc_search.search_meeting(_me(), meeting, query.q)


def _progress(meeting_id: int, upload_id: str, filename: str) -> Callable[[str, float], None]:
    """Socket.IO progress for the managers' screens, at most ~8 per second per upload."""
    last_stage, last_t = [""], [0.0]

    def emit(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage == last_stage[0] and now - last_t[0] < 0.12 and fraction < 1.0:
            return
        last_stage[0], last_t[0] = stage, now
        progress = {
            "upload_id": upload_id,
            "filename": filename,
            "stage": stage,
            "fraction": round(fraction, 3),
        }
        # The documented envelope, unversioned: progress is not meeting state.
        envelope = {"meeting_id": meeting_id, "version": None, "data": progress}
        emit_event("document.progress", envelope, to=uploads_room(meeting_id))

    return emit


def _receive_file(form: UploadForm, files: DocFiles) -> Path:
    """Save the uploaded part to our temp dir; a cut-off or oversized body raises."""
    fd, name = tempfile.mkstemp(dir=files.tmp, prefix="upload-")
    path = Path(name)
    try:
        with open(fd, "wb") as out:
            form.file.save(out)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


@bp.post(
    "/<int:meeting_id>/documents",
    responses={201: DocOut, **DOC_ERRORS},
)
@requires(Perm.DOCUMENT_MANAGE)
def upload_document(path: MeetingPath, query: UploadQuery) -> tuple[dict[str, Any], int]:
    """Upload a PDF or office file (multipart/form-data, field `file`).

    Other form fields: title, agenda_item_id, sensitivity (confidential|internal|public),
    replaces_id (upload a new version), restricted (true/false), user_ids and roles
    (comma-separated). Processing progress is sent as `document.progress` Socket.IO events
    with the `upload_id` given in the query string. Codes: not_pdf, encrypted, empty,
    unreadable, too_large (413), unsupported_type, convert_failed, converter_missing (503),
    upload_incomplete, missing_file; storage_full (507) and storage_unavailable (503) when
    the documents folder is full or cannot be written (nothing is kept).
    """
    # CSRF is checked here (the view is exempt from the global check) because that check
    # reads the form, which would parse a 100 MB body before anyone is authorized.
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError:
        raise
    except Exception:
        raise AppError("csrf_failed", "Phiên làm việc đã hết hạn, hãy tải lại trang.") from None
    config, files, me = _config(), _files(), _me()
    max_bytes = config.document_max_mb * 1024 * 1024
    request.max_content_length = max_bytes + 1024 * 1024  # room for the other form fields
    try:
        form = parse_upload_form(request)
        upload = _receive_file(form, files)
    except RequestEntityTooLarge:
        raise DocError("too_large", "Tệp quá lớn.") from None
    except ClientDisconnected:
        raise DocError("upload_incomplete", "Tải lên bị gián đoạn, hãy thử lại.") from None
    except ValidationError as exc:
        raise invalid_payload(exc) from None
    doc = ingest_upload(
        files,
        path.meeting_id,
        me,
        upload,
        form.spec,
        max_bytes=max_bytes,
        max_pages=config.document_max_pages,
        progress=_progress(path.meeting_id, query.upload_id, form.spec.filename),
    )
    _changed(doc, "replaced" if doc.replaces_id else "added")
    return {"document": svc.document_out(doc, manager=True)}, 201


csrf.exempt(upload_document)


# ------------------------------------------------------------------ document-scoped


@doc_bp.get("/<int:document_id>", responses={200: DocOut, **ERRORS})
@document_route(Perm.DOCUMENT_VIEW)
def get_document(path: DocPath, doc: Document) -> dict[str, Any]:
    """One document with its page sizes and its version history."""
    me = _me()
    meeting = db.get(Meeting, doc.meeting_id)
    assert meeting is not None
    manager = svc.can_manage(me, meeting)
    out = svc.document_out(doc, manager=manager)
    out["pages"] = svc.pages_out(doc)
    out["history"] = [
        {
            "id": d.id,
            "version": d.version,
            "status": d.status.value,
            "created_at": d.created_at.isoformat(),
        }
        for d in svc.history(doc)
        if svc.document_visible_to(me, d, meeting)
    ]
    return {"document": out}


@doc_bp.patch("/<int:document_id>", responses={200: DocOut, **ERRORS})
@document_route(Perm.DOCUMENT_MANAGE)
def update_document(path: DocPath, body: DocPatch, doc: Document) -> dict[str, Any]:
    """Rename, change sensitivity, attach to an agenda item, restrict to people or roles."""
    with transaction():
        svc.update_document(
            doc,
            title=body.title,
            sensitivity=body.sensitivity,
            agenda_item_id=body.agenda_item_id,
            restricted=body.restricted,
            user_ids=body.user_ids,
            roles=body.roles,
        )
    _changed(doc, "updated")
    return {"document": svc.document_out(doc, manager=True)}


@doc_bp.delete("/<int:document_id>", responses={200: DocOut, **ERRORS, 409: ErrorBody})
@document_route(Perm.DOCUMENT_MANAGE)
def withdraw_document(path: DocPath, doc: Document) -> dict[str, Any]:
    """Withdraw from the meeting (kept, with its log, for the record)."""
    with transaction():
        svc.withdraw(doc)
    _changed(doc, "withdrawn")
    return {"document": svc.document_out(doc, manager=True)}


def _image_response(image: doc_pages.Image) -> Response:
    response = Response(image.data, mimetype=image.content_type)
    response.headers["ETag"] = image.etag
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def _not_modified(etag: str) -> Response | None:
    if etag.strip('"') in request.if_none_match:
        response = Response(status=304)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = IMMUTABLE
        return response
    return None


@doc_bp.get("/<int:document_id>/pages/<int:index>.png", responses={200: None, **ERRORS})
@document_route(Perm.DOCUMENT_VIEW)
def page_image(path: PagePath, query: ImageQuery, doc: Document) -> Response:
    """Page `index` (0-based) as PNG, `w` px wide (snapped to 100 px, 200..3000), marked."""
    me = _me()
    cached = _not_modified(doc_pages.page_etag(doc, me, path.index, query.w, query.screen))
    if cached is not None:
        return cached
    image = doc_pages.page_image(_files(), doc, me, path.index, query.w, query.screen)
    doc_pages.log_access(doc.id, me.id, path.index, "view")
    return _image_response(image)


@doc_bp.get("/<int:document_id>/pages/<int:index>/thumb.png", responses={200: None, **ERRORS})
@document_route(Perm.DOCUMENT_VIEW)
def page_thumbnail(path: PagePath, doc: Document) -> Response:
    """160 px thumbnail of a page (marked like every page image)."""
    image = doc_pages.thumbnail(_files(), doc, _me(), path.index)
    return _not_modified(image.etag) or _image_response(image)


@doc_bp.get("/<int:document_id>/pages/<int:index>/words", responses={200: None, **ERRORS})
@document_route(Perm.DOCUMENT_VIEW)
def page_words(path: PagePath, query: WordsQuery, doc: Document) -> Response:
    """Word boxes [x0, y0, x1, y1, text] as fractions of the page; `hits` of query `q`
    as lists of word indices (for highlighting search results)."""
    data = doc_pages.words(_files(), doc, path.index, query.q or None)
    response: Response = jsonify(data)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@doc_bp.get("/<int:document_id>/download", responses={200: None, **ERRORS})
@document_route(Perm.DOCUMENT_VIEW)
def download_document(path: DocPath, doc: Document) -> Response:
    """The PDF, marked with my name on every page; confidential: 403 download_forbidden."""
    me = _me()
    data = doc_pages.download(_files(), doc, me)
    doc_pages.log_access(doc.id, me.id, -1, "download")
    response = Response(data, mimetype="application/pdf")
    ascii_name = f"tai-lieu-{doc.id}-v{doc.version}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _start_page_workers() -> None:
    # On the first request the server serves, not at import (CLI commands build the app
    # too): page workers take ~0.5 s to start, which no page request should wait for.
    doc_pages.warm_up()


def register(app: Any) -> None:
    """Called from api/__init__.py: both blueprints of this module."""
    app.register_api(bp)
    app.register_api(doc_bp)
    app.before_request(_start_page_workers)
