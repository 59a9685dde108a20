"""Annotations over REST: the same operations and rules as the Socket.IO commands, plus
the annotated PDF copy.

Writes are for clients without a socket (a page being closed flushes its queue with
`fetch(..., {keepalive: true})`, scripts); the tablet normally uses `annotation.*`.
Everything goes through services/documents/annotations.py, so someone else's private annotation is
`not_found` here exactly as over the protocol.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Response, current_app
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, StringConstraints

from meetings.api.guard import requires
from meetings.api.schemas import ERRORS, ErrorBody, Strict
from meetings.auth import current_user
from meetings.config import Config
from meetings.db import db, transaction
from meetings.documents.annotate_export import ExportMark, annotate_pdf
from meetings.events.outbox import Outbox
from meetings.models import Annotation, AnnotationScope, Meeting, User
from meetings.permissions import Perm
from meetings.schemas.annotations import (
    UUID_PATTERN,
    AnnotationIn,
    AnnotationPatch,
    SyncCmd,
)
from meetings.services.documents import annotations as svc
from meetings.services.documents import pages as doc_pages
from meetings.services.documents.files import files_for

bp = APIBlueprint(
    "annotations", __name__, url_prefix="/api/meetings", abp_tags=[Tag(name="annotations")]
)

WRITE_ERRORS: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    **ERRORS,
    409: ErrorBody,
    413: ErrorBody,
}


class MeetingPath(BaseModel):
    meeting_id: int


class DocumentPath(MeetingPath):
    document_id: int


class AnnotationPath(MeetingPath):
    annotation_id: Annotated[str, StringConstraints(pattern=UUID_PATTERN)]


class CreateBody(Strict):
    annotation: AnnotationIn


class UpdateBody(Strict):
    base_version: Annotated[int, Field(ge=1)]
    op_id: Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
    changes: AnnotationPatch


class SyncBody(Strict):
    ops: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=200)]


class ExportQuery(Strict):
    # mine: my private annotations; shared: the meeting's shared marks (the record);
    # all: both.
    marks: Literal["mine", "shared", "all"] = "mine"


class AnnotationBody(BaseModel):
    annotation: dict[str, Any]


class ListOut(BaseModel):
    mine: list[dict[str, Any]]
    shared: list[dict[str, Any]]
    rotations: list[int]


class SyncOut(BaseModel):
    results: list[dict[str, Any]]


def _me() -> User:
    user = current_user()
    assert user is not None  # the guard ran
    return user


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.get(Meeting, meeting_id)
    assert meeting is not None  # the guard found it
    return meeting


@bp.get(
    "/<int:meeting_id>/documents/<int:document_id>/annotations",
    responses={200: ListOut, **ERRORS},
)
@requires(Perm.ANNOTATE)
def list_annotations(path: DocumentPath) -> dict[str, Any]:
    """My private annotations and the meeting's shared marks on one document."""
    me, meeting = _me(), _meeting(path.meeting_id)
    return {
        "mine": svc.mine(me, meeting, path.document_id),
        "shared": svc.shared_marks(meeting, me, path.document_id),
        "rotations": svc.rotations(path.document_id),
    }


@bp.post("/<int:meeting_id>/annotations", responses={201: AnnotationBody, **WRITE_ERRORS})
@requires(Perm.ANNOTATE)
def create_annotation(path: MeetingPath, body: CreateBody) -> tuple[dict[str, Any], int]:
    """Create a private annotation; the same id again returns the existing one (200)."""
    me, outbox = _me(), Outbox()
    with transaction():
        meeting = _meeting(path.meeting_id)
        existed = db.get(Annotation, body.annotation.id) is not None
        out = svc.create(me, meeting, body.annotation, AnnotationScope.PRIVATE, outbox)
    outbox.send()
    return {"annotation": out}, 200 if existed else 201


@bp.patch(
    "/<int:meeting_id>/annotations/<annotation_id>",
    responses={200: AnnotationBody, **WRITE_ERRORS},
)
@requires(Perm.ANNOTATE)
def update_annotation(path: AnnotationPath, body: UpdateBody) -> dict[str, Any]:
    """Edit my annotation; an outdated base_version is 409 version_conflict."""
    me, outbox = _me(), Outbox()
    with transaction():
        out = svc.update(
            me,
            _meeting(path.meeting_id),
            path.annotation_id.lower(),
            body.base_version,
            body.op_id.lower(),
            body.changes,
            outbox,
        )
    outbox.send()
    return {"annotation": out}


@bp.delete(
    "/<int:meeting_id>/annotations/<annotation_id>",
    responses={200: AnnotationBody, **ERRORS},
)
@requires(Perm.ANNOTATE)
def delete_annotation(path: AnnotationPath) -> dict[str, Any]:
    me, outbox = _me(), Outbox()
    with transaction():
        out = svc.delete(me, _meeting(path.meeting_id), path.annotation_id.lower(), outbox)
    outbox.send()
    return {"annotation": out}


@bp.post("/<int:meeting_id>/annotations/sync", responses={200: SyncOut, **ERRORS})
@requires(Perm.ANNOTATE)
def sync_annotations(path: MeetingPath, body: SyncBody) -> dict[str, Any]:
    """Apply queued ops in order (see the `annotation.sync` command)."""
    SyncCmd.model_validate({"meeting_id": path.meeting_id, "ops": body.ops})
    me, outbox = _me(), Outbox()
    with transaction():
        results = svc.apply_ops(me, _meeting(path.meeting_id), body.ops, outbox)
    outbox.send()
    return {"results": results}


@bp.get(
    "/<int:meeting_id>/documents/<int:document_id>/annotated.pdf",
    responses={200: None, **ERRORS},
)
@requires(Perm.ANNOTATE)
def annotated_copy(path: DocumentPath, query: ExportQuery) -> Response:
    """The PDF with marks as real PDF annotations, under the document's download rules
    (watermarked with my name unless public; confidential: 403 download_forbidden)."""
    me, meeting = _me(), _meeting(path.meeting_id)
    doc = svc.document_for(me, meeting, path.document_id)
    config: Config = current_app.config["APP_CONFIG"]
    files = files_for(config.documents_dir)
    # Watermark first: its fallback path rebuilds pages, which would drop annotations.
    base = doc_pages.download(files, doc, me)
    rows = svc.export_rows(
        me, doc, mine_too=query.marks != "shared", shared_too=query.marks != "mine"
    )
    names = svc.owner_names({r.owner_id for r in rows})
    marks = [
        ExportMark(
            kind=r.kind.value,
            page=r.page,
            color=r.color,
            width=r.width,
            points=r.geometry.get("points") or (),
            pressures=r.geometry.get("pressures"),
            rects=r.geometry.get("rects") or (),
            at=r.geometry.get("at"),
            text=r.text,
            author=names.get(r.owner_id, ""),
        )
        for r in rows
    ]
    data = annotate_pdf(base, marks)
    doc_pages.log_access(doc.id, me.id, -1, "download")
    response = Response(data, mimetype="application/pdf")
    suffix = {"mine": "ghi-chu", "shared": "dau-chung", "all": "day-du"}[query.marks]
    name = f"tai-lieu-{doc.id}-v{doc.version}-{suffix}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
