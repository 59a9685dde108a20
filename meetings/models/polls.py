"""Polls (biểu quyết), ballots and the append-only audit chain.

Secrecy lives in the schema. For a secret poll the server keeps two things apart:
`poll_voters` says THAT a person voted (and guards one ballot per person with its primary
key), `secret_ballots` says WHAT was chosen. Nothing joins them: no foreign key to a user,
no timestamp, no sequential id. A secret ballot's id is a random UUID, and both tables
are SQLite WITHOUT ROWID tables, so their storage order is their primary-key order
(random UUID, resp. user id), not insertion order. On close the ballots of a secret poll
are rewritten in shuffled order with fresh UUIDs (PostgreSQL heap order otherwise follows
insertion) and the voters' idempotency-key hashes are dropped. See services/voting/ballots.py.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.models.base import Base, Timestamped, belongs_to, children, str_enum


class PollKind(enum.StrEnum):
    YES_NO = "yes_no"  # Tán thành / Không tán thành / Không biểu quyết
    SINGLE = "single"  # one option among several
    MULTIPLE = "multiple"  # between min_choices and max_choices options (elections)


class PollStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Eligibility(enum.StrEnum):
    DELEGATES = "delegates"  # every participant with role delegate
    PRESENT = "present"  # only delegates present when the poll opens


class MajorityRule(enum.StrEnum):
    ABSOLUTE = "absolute"  # more than half of all entitled delegates (default)
    TWO_THIRDS = "two_thirds"  # at least two thirds of all entitled delegates
    CAST = "cast"  # more than half of the ballots cast; needs quorum
    SIMPLE = "simple"  # more for than against / plurality; needs quorum


class PercentBase(enum.StrEnum):
    CAST = "cast"
    PRESENT = "present"
    ENTITLED = "entitled"


class Poll(Timestamped, Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = belongs_to("meetings", index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[PollKind] = mapped_column(str_enum(PollKind, "poll_kind"))
    secret: Mapped[bool] = mapped_column(default=False)
    min_choices: Mapped[int] = mapped_column(default=1)
    max_choices: Mapped[int] = mapped_column(default=1)
    eligibility: Mapped[Eligibility] = mapped_column(
        str_enum(Eligibility, "poll_eligibility"), default=Eligibility.DELEGATES
    )
    rule: Mapped[MajorityRule] = mapped_column(
        str_enum(MajorityRule, "poll_rule"), default=MajorityRule.ABSOLUTE
    )
    percent_base: Mapped[PercentBase] = mapped_column(
        str_enum(PercentBase, "poll_percent_base"), default=PercentBase.ENTITLED
    )
    duration_seconds: Mapped[int | None]
    allow_change: Mapped[bool] = mapped_column(default=False)
    show_running_tally: Mapped[bool] = mapped_column(default=False)
    status: Mapped[PollStatus] = mapped_column(
        str_enum(PollStatus, "poll_status"), default=PollStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Taken off the screens (projector, tablets) by the chair; the record stays as it is.
    hidden_at: Mapped[datetime | None]
    # Frozen when the poll opens: the bases for majorities and percentages.
    entitled_count: Mapped[int] = mapped_column(default=0)
    present_count: Mapped[int] = mapped_column(default=0)
    eligible_count: Mapped[int] = mapped_column(default=0)
    # The meeting's quorum rule when the poll opened (services/room/quorum.py).
    quorum_rule: Mapped[str] = mapped_column(String(32), default="majority")
    # Canonical JSON of the tally and outcome, written once on close.
    result_json: Mapped[str | None] = mapped_column(Text)

    options: Mapped[list[PollOption]] = children("poll", order_by="PollOption.position")


class PollOption(Base):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = belongs_to("polls")
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(300))
    # yes / no / abstain for yes_no polls, so rules know which option is which.
    code: Mapped[str | None] = mapped_column(String(16))

    poll: Mapped[Poll] = relationship(back_populates="options")


class PollEligible(Base):
    """Who may vote, frozen when the poll opens."""

    __tablename__ = "poll_eligible"

    poll_id: Mapped[int] = belongs_to("polls", primary_key=True)
    user_id: Mapped[int] = belongs_to("users", primary_key=True)


class PollVoter(Base):
    """THAT someone voted: the primary key is the one-ballot-per-person guarantee.

    `key_hash` is sha256 of the client's ballot_id (idempotency key); the ballot row holds
    a receipt derived from the same ballot_id by another hash, so only the holder of the
    ballot_id can connect the two. No timestamp, no surrogate id.
    """

    __tablename__ = "poll_voters"
    __table_args__ = ({"sqlite_with_rowid": False},)

    poll_id: Mapped[int] = belongs_to("polls", primary_key=True)
    user_id: Mapped[int] = belongs_to("users", primary_key=True)
    key_hash: Mapped[str | None] = mapped_column(String(64))


class NamedBallot(Timestamped, Base):
    """Who chose what, for named polls only."""

    __tablename__ = "named_ballots"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = belongs_to("polls")
    user_id: Mapped[int] = belongs_to("users")
    ballot_key: Mapped[str] = mapped_column(String(36))
    choices: Mapped[str] = mapped_column(String(2000))  # canonical JSON list of option ids
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime | None]


class SecretBallot(Base):
    """WHAT was chosen in a secret poll: no user, no time, random id (see module doc)."""

    __tablename__ = "secret_ballots"
    __table_args__ = (
        Index("ix_secret_ballots_poll_id", "poll_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # random UUID4
    poll_id: Mapped[int] = belongs_to("polls")
    choices: Mapped[str] = mapped_column(String(2000))
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """Append-only, hash-chained: hash = sha256(prev_hash + canonical JSON of the entry)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO text: hashed exactly as stored
    action: Mapped[str] = mapped_column(String(40))
    meeting_id: Mapped[int | None] = mapped_column(index=True)
    poll_id: Mapped[int | None] = mapped_column(index=True)
    actor_id: Mapped[int | None]
    data: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """One row: the chain's tip. Appenders update it first, which serialises appends and
    lets `audit verify` notice entries cut off the end of the log."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
