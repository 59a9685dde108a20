"""Annotations over REST: the same operations and rules as the Socket.IO commands, plus
the annotated PDF copy.

Writes are for clients without a socket (a page being closed flushes its queue with
`fetch(..., {keepalive: true})`, scripts); the tablet normally uses `annotation.*`.
Everything goes through services/documents/annotations.py, so someone else's private annotation is
`not_found` here exactly as over the protocol.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Response
from flask_openapi3 import Tag
from pydantic import BaseModel, Field, StringConstraints

from meetings.api.documents.caching import NO_STORE
from meetings.api.registry import ApiBlueprint, Ctx
from meetings.api.responses import attachment, document_files
from meetings.api.schemas import CONFLICT, ErrorBody, MeetingPath, Responses, Strict
from meetings.db import db
from meetings.models import Annotation, AnnotationScope
from meetings.permissions import Perm
from meetings.schemas.annotations import (
    UUID_PATTERN,
    AnnotationIn,
    AnnotationPatch,
    SyncCmd,
)
from meetings.services.documents import annotated_copy as copies
from meetings.services.documents import annotation_reads as reads
from meetings.services.documents import annotations as svc
from meetings.services.documents.annotated_copy import Marks

bp = ApiBlueprint(
    "annotations", __name__, url_prefix="/api/meetings", abp_tags=[Tag(name="annotations")]
)

WRITE_ERRORS: Responses = {**CONFLICT, 413: ErrorBody}


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
    marks: Marks = "mine"


class AnnotationBody(BaseModel):
    annotation: dict[str, Any]


class ListOut(BaseModel):
    mine: list[dict[str, Any]]
    shared: list[dict[str, Any]]
    rotations: list[int]


class SyncOut(BaseModel):
    results: list[dict[str, Any]]


@bp.declare(
    "get",
    "/<int:meeting_id>/documents/<int:document_id>/annotations",
    Perm.ANNOTATE,
    responses={200: ListOut},
)
def list_annotations(ctx: Ctx, path: DocumentPath) -> dict[str, Any]:
    """My private annotations and the meeting's shared marks on one document."""
    me, meeting = ctx.me, ctx.meeting
    return {
        "mine": reads.mine(me, meeting, path.document_id),
        "shared": reads.shared_marks(meeting, me, path.document_id),
        "rotations": reads.rotations(path.document_id),
    }


@bp.declare(
    "post",
    "/<int:meeting_id>/annotations",
    Perm.ANNOTATE,
    responses={201: AnnotationBody, **WRITE_ERRORS},
)
def create_annotation(ctx: Ctx, path: MeetingPath, body: CreateBody) -> tuple[dict[str, Any], int]:
    """Create a private annotation; the same id again returns the existing one (200)."""
    existed = db.get(Annotation, body.annotation.id) is not None
    out = svc.create(ctx.me, ctx.meeting, body.annotation, AnnotationScope.PRIVATE, ctx.outbox)
    return {"annotation": out}, 200 if existed else 201


ANNOTATION = "/<int:meeting_id>/annotations/<annotation_id>"


@bp.declare("patch", ANNOTATION, Perm.ANNOTATE, responses={200: AnnotationBody, **WRITE_ERRORS})
def update_annotation(ctx: Ctx, path: AnnotationPath, body: UpdateBody) -> dict[str, Any]:
    """Edit my annotation; an outdated base_version is 409 version_conflict."""
    annotation_id, op_id = path.annotation_id.lower(), body.op_id.lower()
    out = svc.update(
        ctx.me, ctx.meeting, annotation_id, body.base_version, op_id, body.changes, ctx.outbox
    )
    return {"annotation": out}


@bp.declare("delete", ANNOTATION, Perm.ANNOTATE, responses={200: AnnotationBody})
def delete_annotation(ctx: Ctx, path: AnnotationPath) -> dict[str, Any]:
    out = svc.delete(ctx.me, ctx.meeting, path.annotation_id.lower(), ctx.outbox)
    return {"annotation": out}


@bp.declare("post", "/<int:meeting_id>/annotations/sync", Perm.ANNOTATE, responses={200: SyncOut})
def sync_annotations(ctx: Ctx, path: MeetingPath, body: SyncBody) -> dict[str, Any]:
    """Apply queued ops in order (see the `annotation.sync` command)."""
    SyncCmd.model_validate({"meeting_id": path.meeting_id, "ops": body.ops})
    return {"results": svc.apply_ops(ctx.me, ctx.meeting, body.ops, ctx.outbox)}


@bp.declare(
    "get",
    "/<int:meeting_id>/documents/<int:document_id>/annotated.pdf",
    Perm.ANNOTATE,
    responses={200: None},
)
def annotated_copy(ctx: Ctx, path: DocumentPath, query: ExportQuery) -> Response:
    """The PDF with marks as real PDF annotations, under the document's download rules
    (watermarked with my name unless public; confidential: 403 download_forbidden)."""
    me, meeting = ctx.me, ctx.meeting
    doc = reads.document_for(me, meeting, path.document_id)
    data = copies.annotated_copy(document_files(), me, doc, query.marks)
    suffix = {"mine": "ghi-chu", "shared": "dau-chung", "all": "day-du"}[query.marks]
    name = f"tai-lieu-{doc.id}-v{doc.version}-{suffix}.pdf"
    return attachment(data, "application/pdf", name, NO_STORE)
