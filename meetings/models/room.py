"""Live meeting-room state: attendance, bridge presence, the floor, personal calendar tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.clock import now
from meetings.models.base import Base, belongs_to, str_enum
from meetings.models.units import Unit
from meetings.models.users import User


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"  # vắng có lý do


class Attendance(Base):
    """One row per participant once someone has checked in or been marked."""

    __tablename__ = "attendance"

    meeting_id: Mapped[int] = belongs_to("meetings", primary_key=True)
    user_id: Mapped[int] = belongs_to("users", primary_key=True)
    status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "attendance_status")
    )
    # "checkin" (from the person's tablet), "mark" (by the secretary) or "join" (the chair
    # opening the meeting).
    source: Mapped[str] = mapped_column(String(16))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=now)


class BridgePresence(Base):
    """A bridge operator's live Socket.IO connection joined to a meeting.

    Kept in the database, not in process memory, because with several web workers the
    connect and the disconnect of one site may be seen by different processes, and every
    worker must count the same bridges. One row per (sid, meeting): a reconnect adds a new
    sid before the old one times out, and the unit is counted once however many rows it has.
    """

    __tablename__ = "bridge_presence"
    __table_args__ = (Index("ix_bridge_presence_meeting_unit", "meeting_id", "unit_id"),)

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[int] = belongs_to("meetings", primary_key=True)
    user_id: Mapped[int] = belongs_to("users")
    unit_id: Mapped[int] = belongs_to("units")
    connected_at: Mapped[datetime] = mapped_column(default=now)


class SpeakerStatus(enum.StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"


class SpeakerRequest(Base):
    """A request for the floor; once granted and ended it is the speaking history."""

    __tablename__ = "speaker_requests"
    __table_args__ = (Index("ix_speaker_requests_meeting_status", "meeting_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = belongs_to("meetings")
    user_id: Mapped[int] = belongs_to("users")
    bridge_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    topic: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[SpeakerStatus] = mapped_column(
        str_enum(SpeakerStatus, "speaker_status"), default=SpeakerStatus.WAITING
    )
    position: Mapped[int] = mapped_column(default=0)
    requested_at: Mapped[datetime] = mapped_column(default=now)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    limit_seconds: Mapped[int | None]

    user: Mapped[User] = relationship()
    bridge_unit: Mapped[Unit | None] = relationship()


class CalendarToken(Base):
    """Secret for a person's iCal feed. Only a hash is stored; a new token replaces the old."""

    __tablename__ = "calendar_tokens"

    user_id: Mapped[int] = belongs_to("users", primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
