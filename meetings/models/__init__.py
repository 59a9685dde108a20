"""All models, imported here so metadata is complete for Alembic and tests."""

from meetings.models.annotations import Annotation, AnnotationKind, AnnotationScope
from meetings.models.base import Base
from meetings.models.documents import (
    Document,
    DocumentAccess,
    DocumentAccessLog,
    DocumentPage,
    PresenterState,
)
from meetings.models.meetings import AgendaItem, Meeting, MeetingBridge, MeetingRole, Participant
from meetings.models.polls import (
    AuditEntry,
    AuditHead,
    NamedBallot,
    Poll,
    PollEligible,
    PollOption,
    PollVoter,
    SecretBallot,
)
from meetings.models.room import (
    Attendance,
    AttendanceStatus,
    BridgePresence,
    CalendarToken,
    SpeakerRequest,
    SpeakerStatus,
)
from meetings.models.units import Bridge, Unit
from meetings.models.users import UnitAdmin, User

__all__ = [
    "AgendaItem",
    "Annotation",
    "AnnotationKind",
    "AnnotationScope",
    "Attendance",
    "AttendanceStatus",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Bridge",
    "BridgePresence",
    "CalendarToken",
    "Document",
    "DocumentAccess",
    "DocumentAccessLog",
    "DocumentPage",
    "Meeting",
    "MeetingBridge",
    "MeetingRole",
    "NamedBallot",
    "Participant",
    "Poll",
    "PollEligible",
    "PollOption",
    "PollVoter",
    "PresenterState",
    "SecretBallot",
    "SpeakerRequest",
    "SpeakerStatus",
    "Unit",
    "UnitAdmin",
    "User",
]
