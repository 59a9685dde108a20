"""Poll results over REST: list, detail, CSV and PDF export, published receipts.

Live voting goes over Socket.IO (poll.* commands). Results of a poll that is closed but
not yet published are for those who run the poll (Perm.POLL_MANAGE) only.
"""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel
from sqlalchemy import select

from meetings.api.guard import requires
from meetings.api.schemas import ERRORS
from meetings.auth import current_user
from meetings.db import db
from meetings.errors import AppError
from meetings.models import Meeting, Poll, SecretBallot
from meetings.models.polls import PollStatus
from meetings.permissions import Perm, authorize
from meetings.services.voting import export as poll_export
from meetings.services.voting import polls
from meetings.services.voting.visibility import can_manage, full_view, visible_polls

bp = APIBlueprint("polls", __name__, url_prefix="/api/meetings", abp_tags=[Tag(name="polls")])


class MeetingPath(BaseModel):
    meeting_id: int


class PollPath(BaseModel):
    meeting_id: int
    poll_id: int


class PollList(BaseModel):
    polls: list[dict[str, object]]


class PollOut(BaseModel):
    poll: dict[str, object]


class Receipts(BaseModel):
    poll_id: int
    receipt_hashes: list[str]


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.get(Meeting, meeting_id)
    assert meeting is not None  # the route guard has authorized it
    return meeting


def _with_result(path: PollPath) -> tuple[Meeting, Poll]:
    """A poll whose result this person may read: published, or closed for managers."""
    poll = polls.get_poll(path.meeting_id, path.poll_id)
    if poll.status is PollStatus.CLOSED:
        authorize(current_user(), Perm.POLL_MANAGE, path.meeting_id)
    elif poll.status is not PollStatus.PUBLISHED:
        raise AppError("conflict", "Cuộc biểu quyết chưa có kết quả.")
    return _meeting(path.meeting_id), poll


@bp.get("/<int:meeting_id>/polls", responses={200: PollList, **ERRORS})
@requires(Perm.MEETING_VIEW)
def list_polls(path: MeetingPath) -> dict[str, object]:
    """Polls of the meeting; drafts only for chair and secretary."""
    user = current_user()
    assert user is not None
    meeting = _meeting(path.meeting_id)
    return {"polls": [polls.tally_view(p) for p in visible_polls(meeting, user)]}


@bp.get("/<int:meeting_id>/polls/<int:poll_id>", responses={200: PollOut, **ERRORS})
@requires(Perm.MEETING_VIEW)
def get_poll(path: PollPath) -> dict[str, object]:
    """One poll as the caller may see it (same shape as the poll.get command)."""
    user = current_user()
    assert user is not None
    meeting = _meeting(path.meeting_id)
    poll = polls.get_poll(path.meeting_id, path.poll_id)
    if poll.status is PollStatus.DRAFT and not can_manage(user, meeting):
        raise AppError("not_found", "Không tìm thấy cuộc biểu quyết.")
    return {"poll": full_view(poll, user, meeting)}


@bp.get("/<int:meeting_id>/polls/<int:poll_id>/result.csv", responses={200: None, **ERRORS})
@requires(Perm.MEETING_VIEW)
def result_csv(path: PollPath) -> Response:
    """Result as CSV (UTF-8 with BOM); named polls list who chose what."""
    meeting, poll = _with_result(path)
    return Response(
        poll_export.to_csv(meeting, poll),
        mimetype="text/csv",  # Flask adds "; charset=utf-8" to text types itself
        headers={"Content-Disposition": f'attachment; filename="bieu-quyet-{poll.id}.csv"'},
    )


@bp.get("/<int:meeting_id>/polls/<int:poll_id>/result.pdf", responses={200: None, **ERRORS})
@requires(Perm.MEETING_VIEW)
def result_pdf(path: PollPath) -> Response:
    """Vietnamese result record (biên bản) with signature lines for secretary and chair."""
    meeting, poll = _with_result(path)
    return Response(
        poll_export.to_pdf(meeting, poll),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="bieu-quyet-{poll.id}.pdf"'},
    )


@bp.get("/<int:meeting_id>/polls/<int:poll_id>/receipts", responses={200: Receipts, **ERRORS})
@requires(Perm.MEETING_VIEW)
def receipts(path: PollPath) -> dict[str, object]:
    """sha256 of every counted secret ballot's receipt code, sorted. The tablet hashes its
    own receipt and looks for it here, so the code itself never travels back."""
    _unused, poll = _with_result(path)
    if not poll.secret:
        raise AppError("conflict", "Biểu quyết công khai không có mã biên nhận.")
    hashes = sorted(
        db.scalars(select(SecretBallot.receipt_hash).where(SecretBallot.poll_id == poll.id))
    )
    return {"poll_id": poll.id, "receipt_hashes": hashes}
