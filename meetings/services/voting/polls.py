"""Poll lifecycle: draft → open → closed → published (or cancelled).

check/do split as elsewhere: every function here runs in the caller's transaction and
queues its events in the given Outbox, which the caller sends after commit.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from meetings.clock import iso, now
from meetings.db import db
from meetings.errors import conflict, not_found
from meetings.events.outbox import Outbox
from meetings.models import (
    AgendaItem,
    Meeting,
    MeetingRole,
    Participant,
    Poll,
    PollEligible,
    PollOption,
    User,
)
from meetings.models.polls import Eligibility, PollKind, PollStatus
from meetings.services.room.attendance import present_user_ids
from meetings.services.room.guards import ensure_live
from meetings.services.voting import audit, ballots, tally
from meetings.services.voting.spec import PollPatch, PollSettings, parse_settings

YES_NO_OPTIONS = (("yes", "Tán thành"), ("no", "Không tán thành"), ("abstain", "Không biểu quyết"))
_SETTINGS = tuple(PollSettings.model_fields)


def get_poll(meeting_id: int, poll_id: int) -> Poll:
    """A poll of this meeting; a poll id of another meeting is simply not found."""
    poll = db.get(Poll, poll_id)
    if poll is None or poll.meeting_id != meeting_id:
        raise not_found("Không tìm thấy cuộc biểu quyết.")
    return poll


def lock_poll(meeting_id: int, poll_id: int) -> Poll:
    """Take the poll's write lock, then read it fresh.

    A no-op UPDATE is the portable lock: PostgreSQL row-locks the poll, SQLite takes its
    database write lock (its deferred transactions start at the first write, so a SELECT
    ... FOR UPDATE would lock nothing). Casts, close and publish of one poll thus run one
    after another and see each other's commits.
    """
    db.execute(
        update(Poll)
        .where(Poll.id == poll_id)
        .values(status=Poll.status)
        .execution_options(synchronize_session=False)
    )
    poll = get_poll(meeting_id, poll_id)
    db.refresh(poll)
    return poll


def share_lock_poll(meeting_id: int, poll_id: int) -> Poll:
    """For casts: many may hold it at once, close (an UPDATE) waits for all of them.

    PostgreSQL: SELECT ... FOR SHARE, so ballots of one poll do not queue behind each
    other, only behind a close. SQLite ignores it; there do_cast re-reads the status after
    its first write, when it holds the database write lock.
    """
    poll = db.scalar(
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if poll is None or poll.meeting_id != meeting_id:
        raise not_found("Không tìm thấy cuộc biểu quyết.")
    return poll


def _apply(poll: Poll, settings: PollSettings) -> None:
    if settings.agenda_item_id is not None:
        item = db.get(AgendaItem, settings.agenda_item_id)
        if item is None or item.meeting_id != poll.meeting_id:
            raise not_found("Không tìm thấy mục chương trình.")
    for name in _SETTINGS:
        if name != "options":
            setattr(poll, name, getattr(settings, name))
    labels = (
        [label for _code, label in YES_NO_OPTIONS]
        if settings.kind is PollKind.YES_NO
        else settings.options
    )
    codes = [code for code, _l in YES_NO_OPTIONS] if settings.kind is PollKind.YES_NO else []
    current = [(o.label, o.code) for o in poll.options]
    wanted = [(label, codes[i] if codes else None) for i, label in enumerate(labels)]
    if current != wanted:  # options are rebuilt only when they really change
        poll.options.clear()
        db.flush()
        poll.options.extend(
            PollOption(position=i, label=label, code=code) for i, (label, code) in enumerate(wanted)
        )


def settings_of(poll: Poll) -> dict[str, Any]:
    values = {name: getattr(poll, name) for name in _SETTINGS if name != "options"}
    values["options"] = [] if poll.kind is PollKind.YES_NO else [o.label for o in poll.options]
    return values


def _ensure_live(meeting_id: int) -> None:
    meeting = db.get(Meeting, meeting_id)
    if meeting is not None:
        ensure_live(meeting)


def do_create(meeting_id: int, user: User, settings: PollSettings, outbox: Outbox) -> Poll:
    _ensure_live(meeting_id)
    poll = Poll(meeting_id=meeting_id, created_by_id=user.id, title=settings.title)
    _apply(poll, settings)
    db.add(poll)
    db.flush()
    outbox.meeting_event(meeting_id, "poll.created", {"poll": tally_view(poll)})
    return poll


def do_update(poll: Poll, patch: PollPatch, outbox: Outbox) -> Poll:
    _ensure_live(poll.meeting_id)
    if poll.status is not PollStatus.DRAFT:
        raise conflict("Chỉ sửa được cuộc biểu quyết chưa mở.", "not_draft")
    settings = parse_settings(settings_of(poll) | patch.model_dump(exclude_unset=True))
    _apply(poll, settings)
    db.flush()
    outbox.meeting_event(poll.meeting_id, "poll.updated", {"poll": tally_view(poll)})
    return poll


def do_delete(poll: Poll, outbox: Outbox) -> None:
    _ensure_live(poll.meeting_id)
    if poll.status is not PollStatus.DRAFT:
        raise conflict("Chỉ xóa được cuộc biểu quyết chưa mở; hãy hủy nếu đang mở.", "not_draft")
    meeting_id, poll_id = poll.meeting_id, poll.id
    db.delete(poll)
    db.flush()
    outbox.meeting_event(meeting_id, "poll.deleted", {"poll_id": poll_id})


def _voting_delegates(meeting_id: int) -> set[int]:
    return set(
        db.scalars(
            select(Participant.user_id).where(
                Participant.meeting_id == meeting_id, Participant.role == MeetingRole.DELEGATE
            )
        )
    )


def do_open(poll: Poll, user: User, outbox: Outbox) -> Poll:
    """Freeze who may vote and the bases; start the deadline if there is one."""
    _ensure_live(poll.meeting_id)
    if poll.status is not PollStatus.DRAFT:
        raise conflict("Cuộc biểu quyết đã được mở trước đó.", "already_opened")
    other = db.scalar(
        select(Poll.id).where(
            Poll.meeting_id == poll.meeting_id, Poll.status == PollStatus.OPEN, Poll.id != poll.id
        )
    )
    if other is not None:
        raise conflict(
            "Đang có một cuộc biểu quyết khác mở; hãy kết thúc nó trước.", "another_poll_open"
        )
    delegates = _voting_delegates(poll.meeting_id)
    present = delegates & present_user_ids(poll.meeting_id)
    eligible = present if poll.eligibility is Eligibility.PRESENT else delegates
    if not eligible:
        raise conflict("Không có đại biểu nào đủ điều kiện biểu quyết.", "no_eligible_voters")
    db.add_all(PollEligible(poll_id=poll.id, user_id=uid) for uid in sorted(eligible))
    opened = now()
    poll.status = PollStatus.OPEN
    poll.opened_at = opened
    if poll.duration_seconds:
        poll.deadline_at = opened + timedelta(seconds=poll.duration_seconds)
    poll.entitled_count = len(delegates)
    poll.present_count = len(present)
    poll.eligible_count = len(eligible)
    meeting = db.get(Meeting, poll.meeting_id)
    poll.quorum_rule = meeting.quorum_rule if meeting is not None else "majority"
    db.flush()
    audit.for_poll(
        "poll.opened",
        poll,
        user.id,
        {
            "settings": settings_of(poll),
            "options": [[o.id, o.label, o.code] for o in poll.options],
            "eligible": sorted(eligible),
            "entitled": poll.entitled_count,
            "present": poll.present_count,
            "quorum_rule": poll.quorum_rule,
            "deadline_at": iso(poll.deadline_at),
        },
    )
    outbox.meeting_event(poll.meeting_id, "poll.opened", {"poll": tally_view(poll)})
    return poll


def do_close(poll: Poll, actor_id: int | None, outbox: Outbox) -> bool:
    """Close an open poll: count, decide, seal. Idempotent: False if it was not open.

    The conditional UPDATE is what makes a timer in one worker and a chair's click in
    another harmless: only the transaction that flips open → closed does the rest.
    """
    flipped = db.execute(
        update(Poll)
        .where(Poll.id == poll.id, Poll.status == PollStatus.OPEN)
        .values(status=PollStatus.CLOSED, closed_at=now())
        .execution_options(synchronize_session=False)
    )
    if flipped.rowcount != 1:  # type: ignore[attr-defined]
        return False
    db.refresh(poll)
    sealed = ballots.seal_secret_ballots(poll) if poll.secret else None
    result = tally.compute_result(poll)
    poll.result_json = audit.canonical(result)
    data: dict[str, Any] = {"result": result, "voters": tally.voted_count(poll.id)}
    if sealed is not None:
        data["ballot_hashes"] = sealed
    audit.for_poll("poll.closed", poll, actor_id, data)
    outbox.meeting_event(poll.meeting_id, "poll.closed", {"poll": tally_view(poll)})
    return True


def do_publish(poll: Poll, user: User, outbox: Outbox) -> Poll:
    _ensure_live(poll.meeting_id)
    if poll.status is PollStatus.PUBLISHED:
        if poll.hidden_at is not None:  # shown again after poll.hide
            poll.hidden_at = None
            db.flush()
            outbox.meeting_event(
                poll.meeting_id, "poll.published", {"poll": tally_view(poll, with_result=True)}
            )
        return poll  # a retried click changes nothing
    if poll.status is not PollStatus.CLOSED:
        raise conflict("Chỉ công bố được kết quả của cuộc biểu quyết đã kết thúc.", "not_closed")
    poll.status = PollStatus.PUBLISHED
    poll.published_at = now()
    db.flush()
    result_hash = audit.sha256_hex(poll.result_json or "")
    audit.for_poll("poll.published", poll, user.id, {"result_hash": result_hash})
    outbox.meeting_event(
        poll.meeting_id, "poll.published", {"poll": tally_view(poll, with_result=True)}
    )
    return poll


def do_hide(poll: Poll, outbox: Outbox) -> Poll:
    """Take a finished poll off the screens (the wall and the tablets). The result and its
    publication stay on record; poll.publish shows a published result again."""
    if poll.status not in (PollStatus.CLOSED, PollStatus.PUBLISHED):
        raise conflict("Chỉ gỡ được cuộc biểu quyết đã kết thúc khỏi màn chiếu.", "not_closed")
    if poll.hidden_at is not None:
        return poll  # a retried click changes nothing
    poll.hidden_at = now()
    db.flush()
    outbox.meeting_event(poll.meeting_id, "poll.hidden", {"poll": tally_view(poll)})
    return poll


def do_cancel(poll: Poll, user: User, outbox: Outbox) -> Poll:
    """Abandon an open poll (a procedural error): nothing is counted or published."""
    _ensure_live(poll.meeting_id)
    if poll.status is not PollStatus.OPEN:
        raise conflict("Chỉ hủy được cuộc biểu quyết đang mở.", "not_open")
    poll.status = PollStatus.CANCELLED
    poll.closed_at = now()
    db.flush()
    audit.for_poll("poll.cancelled", poll, user.id, {})
    outbox.meeting_event(poll.meeting_id, "poll.cancelled", {"poll": tally_view(poll)})
    return poll


def result_of(poll: Poll) -> dict[str, Any] | None:
    return json.loads(poll.result_json) if poll.result_json else None


def tally_view(poll: Poll, *, with_result: bool = False) -> dict[str, Any]:
    """The poll as every participant may see it; the result once published (or on demand
    for managers); a running tally only for named polls whose chair chose to show it."""
    voted = tally.voted_count(poll.id)
    view: dict[str, Any] = {
        "id": poll.id,
        "meeting_id": poll.meeting_id,
        **{k: v for k, v in settings_of(poll).items() if k != "options"},
        "options": [{"id": o.id, "label": o.label, "code": o.code} for o in poll.options],
        "status": poll.status.value,
        "opened_at": iso(poll.opened_at),
        "deadline_at": iso(poll.deadline_at),
        "closed_at": iso(poll.closed_at),
        "published_at": iso(poll.published_at),
        "hidden_at": iso(poll.hidden_at),
        "entitled_count": poll.entitled_count,
        "present_count": poll.present_count,
        "eligible_count": poll.eligible_count,
        "voted_count": voted,
        "quorum": tally.quorum_of(poll, voted),
        "running_tally": None,
        "result": None,
    }
    for key in ("kind", "eligibility", "rule", "percent_base"):
        view[key] = getattr(poll, key).value
    if poll.status is PollStatus.OPEN and poll.show_running_tally and not poll.secret:
        view["running_tally"] = tally.running_tally(poll)
    if with_result or poll.status is PollStatus.PUBLISHED:
        view["result"] = result_of(poll)
    return view
