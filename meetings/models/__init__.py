"""All models, imported here so metadata is complete for Alembic and tests."""

from meetings.models.base import Base
from meetings.models.meetings import AgendaItem, Meeting, MeetingBridge, MeetingRole, Participant
from meetings.models.units import Bridge, Unit
from meetings.models.users import UnitAdmin, User

__all__ = [
    "AgendaItem",
    "Base",
    "Bridge",
    "Meeting",
    "MeetingBridge",
    "MeetingRole",
    "Participant",
    "Unit",
    "UnitAdmin",
    "User",
]
