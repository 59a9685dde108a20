"""Who sees which poll, and how much of it: shared by the poll commands, the "poll"
snapshot part and the REST poll routes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetings.db import db
from meetings.models import Meeting, Poll, User
from meetings.models.polls import PollStatus
from meetings.permissions import Perm, meeting_perms
from meetings.services.voting import ballots, polls, tally


def can_manage(user: User, meeting: Meeting) -> bool:
    return Perm.POLL_MANAGE in meeting_perms(user, meeting)


def full_view(poll: Poll, user: User, meeting: Meeting) -> dict[str, Any]:
    """The poll for this user: managers see the result as soon as it is closed and the
    named list of a named poll; everyone sees both once published."""
    manager = can_manage(user, meeting)
    closed = poll.status in (PollStatus.CLOSED, PollStatus.PUBLISHED)
    view = polls.tally_view(poll, with_result=manager and closed)
    if not poll.secret and closed and (manager or poll.status is PollStatus.PUBLISHED):
        view["named_list"] = tally.named_list(poll)
    view["me"] = ballots.my_vote(poll, user)
    return view


def visible_polls(meeting: Meeting, user: User) -> list[Poll]:
    query = select(Poll).where(Poll.meeting_id == meeting.id).order_by(Poll.id)
    if not can_manage(user, meeting):
        query = query.where(Poll.status != PollStatus.DRAFT)
    return list(db.scalars(query))


def current_poll(meeting: Meeting) -> Poll | None:
    """The open poll, else the latest closed one (drafts are not shown in the room)."""
    return db.scalar(
        select(Poll)
        .where(Poll.meeting_id == meeting.id, Poll.status != PollStatus.DRAFT)
        .order_by((Poll.status == PollStatus.OPEN).desc(), Poll.opened_at.desc(), Poll.id.desc())
        .limit(1)
    )


def poll_part(meeting: Meeting, user: User, current: Poll | None) -> dict[str, Any]:
    """The "poll" snapshot part: the current poll as this user sees it, and the drafts
    for those who manage polls."""
    drafts = []
    if can_manage(user, meeting):
        drafts = [
            polls.tally_view(p)
            for p in db.scalars(
                select(Poll)
                .where(Poll.meeting_id == meeting.id, Poll.status == PollStatus.DRAFT)
                .order_by(Poll.id)
            )
        ]
    return {
        "current": full_view(current, user, meeting) if current is not None else None,
        "drafts": drafts,
    }
