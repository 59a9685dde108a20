"""Uploading a document: CSRF checked by hand, the body streamed to disk, then ingest.

The global CSRF check reads the form, which would parse a 100 MB body before anyone is
authorized; this route is exempt from it and checks the token itself, after the route
registry has authorized the caller and before the body is read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import request
from flask_wtf.csrf import validate_csrf
from pydantic import ValidationError
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from meetings.api.documents.blueprints import meeting_bp
from meetings.api.documents.forms import UploadForm, parse_upload_form
from meetings.api.documents.library import announce
from meetings.api.documents.progress import progress_emitter
from meetings.api.documents.schemas import UPLOAD_ERRORS, DocOut, UploadQuery
from meetings.api.registry import Ctx
from meetings.api.responses import app_config, document_files
from meetings.api.schemas import MeetingPath
from meetings.errors import AppError, invalid_payload
from meetings.extensions import csrf
from meetings.permissions import Perm
from meetings.services.documents import library as svc
from meetings.services.documents.files import DocError, DocFiles
from meetings.services.documents.ingest import ingest_upload

FORM_ROOM = 1024 * 1024  # bytes allowed beyond the file for the other form fields


def check_csrf() -> None:
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError:
        raise
    except Exception:
        raise AppError("csrf_failed", "Phiên làm việc đã hết hạn, hãy tải lại trang.") from None


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


def receive_upload(files: DocFiles, max_bytes: int) -> tuple[UploadForm, Path]:
    """Parse the multipart body (here a cut-off or oversized upload raises) to disk."""
    request.max_content_length = max_bytes + FORM_ROOM
    try:
        form = parse_upload_form(request)
        return form, _receive_file(form, files)
    except RequestEntityTooLarge:
        raise DocError("too_large", "Tệp quá lớn.") from None
    except ClientDisconnected:
        raise DocError("upload_incomplete", "Tải lên bị gián đoạn, hãy thử lại.") from None
    except ValidationError as exc:
        raise invalid_payload(exc) from None


@meeting_bp.declare(
    "post",
    "/<int:meeting_id>/documents",
    Perm.DOCUMENT_MANAGE,
    responses={201: DocOut, **UPLOAD_ERRORS},
)
def upload_document(ctx: Ctx, path: MeetingPath, query: UploadQuery) -> tuple[dict[str, Any], int]:
    """Upload a PDF or office file (multipart/form-data, field `file`).

    Other form fields: title, agenda_item_id, sensitivity (confidential|internal|public),
    replaces_id (upload a new version), restricted (true/false), user_ids and roles
    (comma-separated). Processing progress is sent as `document.progress` Socket.IO events
    with the `upload_id` given in the query string. Codes: not_pdf, encrypted, empty,
    unreadable, too_large (413), unsupported_type, convert_failed, converter_missing (503),
    upload_incomplete, missing_file; storage_full (507) and storage_unavailable (503) when
    the documents folder is full or cannot be written (nothing is kept).
    """
    check_csrf()
    config, files = app_config(), document_files()
    max_bytes = config.document_max_mb * 1024 * 1024
    form, upload = receive_upload(files, max_bytes)
    doc = ingest_upload(
        files,
        path.meeting_id,
        ctx.me,
        upload,
        form.spec,
        max_bytes=max_bytes,
        max_pages=config.document_max_pages,
        progress=progress_emitter(path.meeting_id, query.upload_id, form.spec.filename),
    )
    announce(doc, "replaced" if doc.replaces_id else "added", ctx.outbox)
    return {"document": svc.document_out(doc, manager=True)}, 201


csrf.exempt(upload_document)
