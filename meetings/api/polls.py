"""Poll results over REST: list, detail, CSV and PDF export, published receipts.

Live voting goes over Socket.IO (poll.* commands). Results of a poll that is closed but
not yet published are for those who run the poll (Perm.POLL_MANAGE) only.
"""

from __future__ import annotations

from flask import Response
from flask_openapi3 import Tag
from pydantic import BaseModel
from sqlalchemy import select

from meetings.api.registry import ApiBlueprint, Ctx
from meetings.api.responses import attachment
from meetings.api.schemas import MeetingPath
from meetings.db import db
from meetings.errors import AppError
from meetings.models import Poll, SecretBallot
from meetings.models.polls import PollStatus
from meetings.permissions import Perm, authorize
from meetings.services.voting import export as poll_export
from meetings.services.voting import polls
from meetings.services.voting.visibility import can_manage, full_view, visible_polls

bp = ApiBlueprint("polls", __name__, url_prefix="/api/meetings", abp_tags=[Tag(name="polls")])


class PollPath(MeetingPath):
    poll_id: int


class PollList(BaseModel):
    polls: list[dict[str, object]]


class PollOut(BaseModel):
    poll: dict[str, object]


class Receipts(BaseModel):
    poll_id: int
    receipt_hashes: list[str]


POLL = "/<int:meeting_id>/polls/<int:poll_id>"


def _name(poll: Poll, extension: str) -> str:
    return f"bieu-quyet-{poll.id}.{extension}"


def _with_result(ctx: Ctx, path: PollPath) -> Poll:
    """A poll whose result this person may read: published, or closed for managers."""
    poll = polls.get_poll(path.meeting_id, path.poll_id)
    if poll.status is PollStatus.CLOSED:
        authorize(ctx.me, Perm.POLL_MANAGE, path.meeting_id)
    elif poll.status is not PollStatus.PUBLISHED:
        raise AppError("conflict", "Cuộc biểu quyết chưa có kết quả.")
    return poll


@bp.declare("get", "/<int:meeting_id>/polls", Perm.MEETING_VIEW, responses={200: PollList})
def list_polls(ctx: Ctx, path: MeetingPath) -> dict[str, object]:
    """Polls of the meeting; drafts only for chair and secretary."""
    return {"polls": [polls.tally_view(p) for p in visible_polls(ctx.meeting, ctx.me)]}


@bp.declare("get", POLL, Perm.MEETING_VIEW, responses={200: PollOut})
def get_poll(ctx: Ctx, path: PollPath) -> dict[str, object]:
    """One poll as the caller may see it (same shape as the poll.get command)."""
    poll = polls.get_poll(path.meeting_id, path.poll_id)
    if poll.status is PollStatus.DRAFT and not can_manage(ctx.me, ctx.meeting):
        raise AppError("not_found", "Không tìm thấy cuộc biểu quyết.")
    return {"poll": full_view(poll, ctx.me, ctx.meeting)}


@bp.declare("get", f"{POLL}/result.csv", Perm.MEETING_VIEW, responses={200: None})
def result_csv(ctx: Ctx, path: PollPath) -> Response:
    """Result as CSV (UTF-8 with BOM); named polls list who chose what."""
    poll = _with_result(ctx, path)
    return attachment(poll_export.to_csv(ctx.meeting, poll), "text/csv", _name(poll, "csv"))


@bp.declare("get", f"{POLL}/result.pdf", Perm.MEETING_VIEW, responses={200: None})
def result_pdf(ctx: Ctx, path: PollPath) -> Response:
    """Vietnamese result record (biên bản) with signature lines for secretary and chair."""
    poll = _with_result(ctx, path)
    return attachment(poll_export.to_pdf(ctx.meeting, poll), "application/pdf", _name(poll, "pdf"))


@bp.declare("get", f"{POLL}/receipts", Perm.MEETING_VIEW, responses={200: Receipts})
def receipts(ctx: Ctx, path: PollPath) -> dict[str, object]:
    """sha256 of every counted secret ballot's receipt code, sorted. The tablet hashes its
    own receipt and looks for it here, so the code itself never travels back."""
    poll = _with_result(ctx, path)
    if not poll.secret:
        raise AppError("conflict", "Biểu quyết công khai không có mã biên nhận.")
    hashes = sorted(
        db.scalars(select(SecretBallot.receipt_hash).where(SecretBallot.poll_id == poll.id))
    )
    return {"poll_id": poll.id, "receipt_hashes": hashes}
