"""Checks every live command of a meeting starts with: its lock, its status, its people."""

from __future__ import annotations

from sqlalchemy import select

from meetings.db import db
from meetings.errors import AppError, conflict
from meetings.models import Meeting, Participant
from meetings.models.meetings import MeetingStatus

OPEN_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


def lock_meeting(meeting_id: int) -> None:
    """Serialise concurrent live commands on one meeting (PostgreSQL row lock; SQLite
    serialises writers already and SQLAlchemy drops FOR UPDATE there)."""
    db.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())


def lock_scheduled(meeting: Meeting, refusal: AppError) -> None:
    """Lock a meeting that has not started yet; a started, ended or cancelled one is
    refused with the caller's error."""
    lock_meeting(meeting.id)
    if meeting.status is not MeetingStatus.SCHEDULED:
        raise refusal


def ensure_open(meeting: Meeting) -> None:
    if meeting.status not in OPEN_STATUSES:
        raise conflict("Cuộc họp đã kết thúc hoặc đã bị hủy.", "closed_meeting")


def ensure_live(meeting: Meeting) -> None:
    """Conference, poll and presenter commands on an ended (or cancelled) meeting answer
    `closed`: what the end closed (services/room/meeting_end.py) must not start again."""
    if meeting.status is MeetingStatus.ENDED:
        raise AppError("closed", "Cuộc họp đã kết thúc.", {"reason": "meeting_ended"})
    if meeting.status is MeetingStatus.CANCELLED:
        raise AppError("closed", "Cuộc họp đã bị hủy.", {"reason": "meeting_cancelled"})


def participant_of(meeting_id: int, user_id: int) -> Participant | None:
    return db.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting_id, Participant.user_id == user_id
        )
    )
