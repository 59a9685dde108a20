"""Meetings, who takes part in what role, which bridges are invited, and the agenda."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.models.base import Base, Timestamped, belongs_to, children, str_enum
from meetings.models.units import Unit
from meetings.models.users import User


class MeetingRole(enum.StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    DELEGATE = "delegate"  # with a vote
    OBSERVER = "observer"  # delegate without a vote
    GUEST = "guest"
    BRIDGE_OPERATOR = "bridge_operator"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    CANCELLED = "cancelled"


class Meeting(Timestamped, Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(64), default="committee")
    room: Mapped[str] = mapped_column(String(200), default="")
    host_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED
    )
    # Grows with every change; events carry it so clients can detect a gap.
    state_version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Live state (issue 3). Actual start/end, as opposed to the planned starts_at/ends_at.
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # No FK: agenda_items already points here, and a cycle would complicate SQLite batch
    # migrations; the agenda service clears it when the item is deleted.
    current_item_id: Mapped[int | None]
    # During a break (no current item): the item the break interrupted, so "Tiếp tục"
    # resumes it. No FK, like current_item_id.
    paused_item_id: Mapped[int | None]
    # "majority" (quá nửa), "two_thirds", "three_quarters" — see services/room/attendance.py.
    quorum_rule: Mapped[str] = mapped_column(String(32), default="majority")
    speaker_limit_seconds: Mapped[int] = mapped_column(default=300)
    speaker_warning_seconds: Mapped[int] = mapped_column(default=60)

    host_unit: Mapped[Unit] = relationship()
    participants: Mapped[list[Participant]] = children("meeting")
    bridges: Mapped[list[MeetingBridge]] = children("meeting")
    agenda: Mapped[list[AgendaItem]] = children("meeting", order_by="AgendaItem.position")


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = belongs_to("meetings")
    user_id: Mapped[int] = belongs_to("users", index=True)
    role: Mapped[MeetingRole] = mapped_column(str_enum(MeetingRole, "meeting_role"))
    # For a bridge operator: the unit whose bridge they run.
    bridge_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()


class MeetingBridge(Base):
    """A unit whose video bridge is invited to the meeting."""

    __tablename__ = "meeting_bridges"

    meeting_id: Mapped[int] = belongs_to("meetings", primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)

    meeting: Mapped[Meeting] = relationship(back_populates="bridges")
    unit: Mapped[Unit] = relationship()


class AgendaItem(Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = belongs_to("meetings", index=True)
    parent_id: Mapped[int | None] = belongs_to("agenda_items")
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    # The displayed name; for a person of the meeting it is filled from presenter_user_id,
    # for an outside presenter it is free text (and presenter_user_id is null).
    presenter: Mapped[str] = mapped_column(String(200), default="")
    presenter_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    planned_minutes: Mapped[int] = mapped_column(default=10)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Timer: seconds spent on the item in earlier turns, plus the running turn's start.
    # Clients compute elapsed = elapsed_seconds + (server_now - started_at).
    extra_minutes: Mapped[int] = mapped_column(default=0)
    elapsed_seconds: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
