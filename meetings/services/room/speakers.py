"""The floor: requests to speak, the queue, the current speaker and the history.

Each request is one row that moves waiting → speaking → done (or withdrawn / removed),
so the history of who spoke, when and for how long is the rows that reached `done`.
`current_speaker()` is what the video bridge asks to put the speaker's site on air.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from meetings.clock import iso, now
from meetings.db import db
from meetings.errors import AppError, conflict, not_found
from meetings.events.outbox import Outbox
from meetings.models import Meeting, MeetingRole, SpeakerRequest, SpeakerStatus, User
from meetings.services.room.guards import ensure_open, lock_meeting, participant_of
from meetings.services.room.ordering import apply_order

OPEN = (SpeakerStatus.WAITING, SpeakerStatus.SPEAKING)
# A turn ends by itself this long after its limit: the speaker may finish the sentence
# and the chair sees the overrun first (and may end it, or give the floor again).
OVERTIME_GRACE_SECONDS = 30


def _request_state(req: SpeakerRequest) -> dict[str, Any]:
    duration = None
    if req.started_at is not None and req.ended_at is not None:
        duration = int((req.ended_at - req.started_at).total_seconds())
    return {
        "id": req.id,
        "user_id": req.user_id,
        "full_name": req.user.full_name,
        "bridge_unit": (
            {"id": req.bridge_unit.id, "name": req.bridge_unit.name} if req.bridge_unit else None
        ),
        "topic": req.topic,
        "status": req.status.value,
        "agenda_item_id": req.agenda_item_id,
        "requested_at": iso(req.requested_at),
        "started_at": iso(req.started_at),
        "ended_at": iso(req.ended_at),
        "limit_seconds": req.limit_seconds,
        "duration_seconds": duration,
    }


def _rows(meeting_id: int, *statuses: SpeakerStatus) -> list[SpeakerRequest]:
    return list(
        db.scalars(
            select(SpeakerRequest)
            .where(SpeakerRequest.meeting_id == meeting_id, SpeakerRequest.status.in_(statuses))
            .order_by(SpeakerRequest.position, SpeakerRequest.id)
        )
    )


def _speaking(meeting_id: int) -> SpeakerRequest | None:
    rows = _rows(meeting_id, SpeakerStatus.SPEAKING)
    return rows[0] if rows else None


def speaking_request(meeting_id: int) -> SpeakerRequest | None:
    """The turn holding the floor now, if any."""
    return _speaking(meeting_id)


def current_speaker(meeting_id: int) -> dict[str, Any] | None:
    """The granted speaker now, or None. `bridge_unit` is set when a bridge site speaks."""
    req = _speaking(meeting_id)
    return _request_state(req) if req is not None else None


def _limit(meeting: Meeting, req: SpeakerRequest) -> int:
    return req.limit_seconds or meeting.speaker_limit_seconds


def _started_at(req: SpeakerRequest) -> datetime:
    if req.started_at is None:
        raise RuntimeError(f"speaker request {req.id} is not a started turn")
    return req.started_at


def turn_ends_at(meeting: Meeting, req: SpeakerRequest) -> datetime:
    """When a granted turn ends by itself: its limit plus the grace period."""
    grace = timedelta(seconds=_limit(meeting, req) + OVERTIME_GRACE_SECONDS)
    return _started_at(req) + grace


def _current_state(meeting: Meeting, req: SpeakerRequest, at: datetime) -> dict[str, Any]:
    state = _request_state(req)
    spoken = (at - _started_at(req)).total_seconds()
    limit = _limit(meeting, req)
    # A short custom turn must not warn from its first second: at most half the turn.
    warn_before = min(meeting.speaker_warning_seconds, limit // 2)
    state["overrun"] = spoken > limit
    state["warning"] = spoken > limit - warn_before
    state["warning_seconds"] = warn_before
    state["ends_at"] = turn_ends_at(meeting, req).isoformat()
    return state


def speakers_state(meeting: Meeting) -> dict[str, Any]:
    at = now()
    current = _speaking(meeting.id)
    current_state = _current_state(meeting, current, at) if current is not None else None
    history = sorted(
        _rows(meeting.id, SpeakerStatus.DONE), key=lambda r: r.started_at or r.requested_at
    )
    return {
        "queue": [_request_state(r) for r in _rows(meeting.id, SpeakerStatus.WAITING)],
        "current": current_state,
        "history": [_request_state(r) for r in history],
        "limit_seconds": meeting.speaker_limit_seconds,
        "warning_seconds": meeting.speaker_warning_seconds,
        "server_now": at.isoformat(),
    }


def emit_speakers(meeting: Meeting, outbox: Outbox) -> None:
    db.flush()
    outbox.meeting_event(meeting.id, "speaker.updated", speakers_state(meeting))


def _request(meeting: Meeting, request_id: int) -> SpeakerRequest:
    req = db.get(SpeakerRequest, request_id)
    if req is None or req.meeting_id != meeting.id:
        raise not_found("Không tìm thấy yêu cầu phát biểu.")
    return req


def request_floor(meeting: Meeting, user: User, topic: str, outbox: Outbox) -> dict[str, Any]:
    lock_meeting(meeting.id)
    ensure_open(meeting)
    mine = [r for r in _rows(meeting.id, *OPEN) if r.user_id == user.id]
    if mine:
        raise conflict("Bạn đã đăng ký phát biểu rồi.", "already_requested")
    participant = participant_of(meeting.id, user.id)
    bridge_unit_id = (
        participant.bridge_unit_id
        if participant is not None and participant.role is MeetingRole.BRIDGE_OPERATOR
        else None
    )
    waiting = _rows(meeting.id, SpeakerStatus.WAITING)
    req = SpeakerRequest(
        meeting_id=meeting.id,
        user_id=user.id,
        bridge_unit_id=bridge_unit_id,
        agenda_item_id=meeting.current_item_id,
        topic=topic.strip(),
        status=SpeakerStatus.WAITING,
        position=(waiting[-1].position + 1) if waiting else 0,
        requested_at=now(),
    )
    db.add(req)
    db.flush()
    emit_speakers(meeting, outbox)
    return _request_state(req)


def withdraw(meeting: Meeting, user: User, request_id: int, outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    req = _request(meeting, request_id)
    if req.user_id != user.id:
        raise not_found("Không tìm thấy yêu cầu phát biểu.")
    if req.status is not SpeakerStatus.WAITING:
        raise conflict("Yêu cầu không còn trong hàng chờ.", "not_in_queue")
    req.status = SpeakerStatus.WITHDRAWN
    req.ended_at = now()
    emit_speakers(meeting, outbox)


def _finish(req: SpeakerRequest) -> None:
    req.status = SpeakerStatus.DONE
    req.ended_at = now()


def grant(meeting: Meeting, request_id: int, limit_seconds: int | None, outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    ensure_open(meeting)
    req = _request(meeting, request_id)
    if req.status is not SpeakerStatus.WAITING:
        raise conflict("Yêu cầu đã được rút, đã bị xóa hoặc đã phát biểu.", "request_closed")
    current = _speaking(meeting.id)
    if current is not None:  # giving the floor to someone ends the current turn
        _finish(current)
    req.status = SpeakerStatus.SPEAKING
    req.started_at = now()
    req.limit_seconds = limit_seconds or meeting.speaker_limit_seconds
    emit_speakers(meeting, outbox)


def end_turn(meeting: Meeting, outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    current = _speaking(meeting.id)
    if current is None:
        raise conflict("Không có ai đang phát biểu.", "nobody_speaking")
    _finish(current)
    emit_speakers(meeting, outbox)


def end_if_due(meeting: Meeting, request_id: int, outbox: Outbox) -> bool:
    """End turn `request_id` if it is still the floor and past its end; True if this call
    ended it. A conditional UPDATE (speaking → done), so of several workers' timers and a
    chair's click exactly one ends it, on PostgreSQL and SQLite alike."""
    lock_meeting(meeting.id)
    req = db.get(SpeakerRequest, request_id)
    if req is None or req.meeting_id != meeting.id or req.status is not SpeakerStatus.SPEAKING:
        return False
    if turn_ends_at(meeting, req) > now():
        return False
    ended = db.execute(
        update(SpeakerRequest)
        .where(SpeakerRequest.id == req.id, SpeakerRequest.status == SpeakerStatus.SPEAKING)
        .values(status=SpeakerStatus.DONE, ended_at=now())
    )
    if getattr(ended, "rowcount", 0) != 1:
        return False
    db.refresh(req)
    emit_speakers(meeting, outbox)
    return True


def remove(meeting: Meeting, request_id: int, outbox: Outbox) -> None:
    lock_meeting(meeting.id)
    req = _request(meeting, request_id)
    if req.status is not SpeakerStatus.WAITING:
        raise conflict("Yêu cầu không còn trong hàng chờ.", "not_in_queue")
    req.status = SpeakerStatus.REMOVED
    req.ended_at = now()
    emit_speakers(meeting, outbox)


def reorder(meeting: Meeting, request_ids: list[int], outbox: Outbox) -> None:
    """`request_ids` is the full new order of the waiting queue."""
    lock_meeting(meeting.id)
    apply_order(
        {r.id: r for r in _rows(meeting.id, SpeakerStatus.WAITING)},
        request_ids,
        repeated=AppError("invalid_payload", "Mỗi yêu cầu chỉ được xuất hiện một lần."),
        stale=conflict(
            "Hàng chờ đã thay đổi; hãy tải lại và sắp xếp lại toàn bộ danh sách.", "stale_order"
        ),
    )
    emit_speakers(meeting, outbox)


def close_floor(meeting: Meeting, outbox: Outbox) -> int:
    """When the meeting ends: the current turn ends and the queue is cleared; returns
    how many requests (speaking or waiting) were closed."""
    open_rows = _rows(meeting.id, *OPEN)
    for req in open_rows:
        if req.status is SpeakerStatus.SPEAKING:
            _finish(req)
        else:
            req.status = SpeakerStatus.REMOVED
            req.ended_at = now()
    if open_rows:
        emit_speakers(meeting, outbox)
    return len(open_rows)
