"""The second bridge site of the video-bridge tests (tests/conference, tests/e2e):
an operator for the province's second district in the demo meeting, which is in progress."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.db import make_engine
from meetings.models import Meeting, MeetingRole, Participant, Unit, User
from meetings.models.meetings import MeetingStatus
from meetings.services.accounts.login import hash_password
from tests.conftest import DEMO_PASSWORD

BRIDGE_B = "bridgeb"


@dataclass(frozen=True)
class BridgeMeeting:
    meeting_id: int
    unit_a: int  # the first district (the demo "bridge" user's site)
    unit_b: int  # the second district, BRIDGE_B's site


def seed_bridge_b(database_url: str) -> BridgeMeeting:
    """On a database with the units and the demo seed; run before the server starts."""
    engine = make_engine(database_url)
    with Session(engine) as s, s.begin():
        meeting = s.scalar(select(Meeting).where(Meeting.title.like("Phiên họp UBND tỉnh%")))
        province = s.scalar(select(Unit).where(Unit.depth == 0).order_by(Unit.id))
        assert meeting is not None and province is not None
        districts = list(
            s.scalars(select(Unit).where(Unit.parent_id == province.id).order_by(Unit.id).limit(2))
        )
        user = User(
            username=BRIDGE_B,
            full_name="Cán bộ điểm cầu huyện B",
            password_hash=hash_password(DEMO_PASSWORD),
            unit_id=districts[1].id,
        )
        s.add(user)
        s.flush()
        s.add(
            Participant(
                meeting_id=meeting.id,
                user_id=user.id,
                role=MeetingRole.BRIDGE_OPERATOR,
                bridge_unit_id=districts[1].id,
            )
        )
        meeting.status = MeetingStatus.IN_PROGRESS
        seeded = BridgeMeeting(meeting.id, districts[0].id, districts[1].id)
    engine.dispose()
    return seeded
