"""iCalendar export: one meeting, or a person's feed behind a secret, revocable token.

The feed URL carries the token because calendar apps cannot log in; only its SHA-256 is
stored, so a database leak does not reveal feed URLs. A new token replaces the old one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from icalendar import Calendar, Event
from sqlalchemy import select

from meetings.clock import now
from meetings.db import db
from meetings.models import CalendarToken, Meeting, Participant, User
from meetings.models.meetings import MeetingStatus

PRODID = "-//Phong hop so//Lich hop//VI"
KIND_LABELS = {
    "committee": "Phiên họp UBND",
    "council": "Kỳ họp HĐND",
    "briefing": "Giao ban",
    "other": "Cuộc họp",
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(user: User) -> str:
    """Issue a token (revoking any previous one); the caller commits."""
    token = secrets.token_urlsafe(32)
    row = db.get(CalendarToken, user.id)
    if row is None:
        db.add(CalendarToken(user_id=user.id, token_hash=_hash(token), created_at=now()))
    else:
        row.token_hash, row.created_at = _hash(token), now()
    return token


def revoke_token(user: User) -> bool:
    row = db.get(CalendarToken, user.id)
    if row is None:
        return False
    db.delete(row)
    return True


def user_for_token(token: str) -> User | None:
    if not 20 <= len(token) <= 100:
        return None
    row = db.scalar(select(CalendarToken).where(CalendarToken.token_hash == _hash(token)))
    if row is None:
        return None
    user = db.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def _event(meeting: Meeting) -> Event:
    ev = Event()
    ev.add("uid", f"meeting-{meeting.id}@phong-hop-so")
    ev.add("dtstamp", now())
    ev.add("dtstart", meeting.starts_at)
    ev.add("dtend", meeting.ends_at)
    ev.add("summary", meeting.title)
    ev.add("location", meeting.room)
    ev.add("categories", [KIND_LABELS.get(meeting.kind, "Cuộc họp")])
    lines = [f"Đơn vị chủ trì: {meeting.host_unit.name}"]
    lines += [
        f"{i + 1}. {item.title}" for i, item in enumerate(meeting.agenda) if not item.parent_id
    ]
    ev.add("description", "\n".join(lines))
    # Clients update an event they already have when SEQUENCE grows.
    ev.add("sequence", meeting.state_version)
    ev.add("status", "CANCELLED" if meeting.status is MeetingStatus.CANCELLED else "CONFIRMED")
    return ev


def calendar_bytes(meetings: Iterable[Meeting], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(_event(meeting))
    data: bytes = cal.to_ical()
    return data


def feed_meetings(user: User) -> list[Meeting]:
    """Every meeting the person takes part in (cancelled ones too, marked CANCELLED)."""
    return list(
        db.scalars(
            select(Meeting)
            .join(Participant, Participant.meeting_id == Meeting.id)
            .where(Participant.user_id == user.id)
            .order_by(Meeting.starts_at.desc())
            .limit(500)
        )
    )
