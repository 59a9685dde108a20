"""Who may do what, written by hand from the role descriptions, not derived from
permissions.py: the command matrix and the REST matrix both check the server against it, so
a change to ROLE_PERMS that lets someone new do something fails there.

Roles are those of tests/realtime/room.py; "unit_admin" manages the test meeting's host unit.
"""

from __future__ import annotations

from meetings.permissions import Perm
from tests.realtime.room import ROLE_USERS

EVERYONE = {"chair", "secretary", "delegate", "observer", "guest", "bridge_operator"}
ORGANISERS = {"chair", "secretary", "unit_admin"}

ALLOWED: dict[Perm, set[str]] = {
    Perm.SIGNED_IN: set(ROLE_USERS),
    Perm.MEETING_VIEW: EVERYONE | {"unit_admin"},
    Perm.DOCUMENT_VIEW: EVERYONE | {"unit_admin"},
    Perm.ANNOTATE: EVERYONE,
    Perm.MEETING_EDIT: ORGANISERS,
    Perm.DOCUMENT_MANAGE: ORGANISERS,
    Perm.AGENDA_DRIVE: {"chair"},
    Perm.PRESENT: {"chair"},
    Perm.SHARED_MARKS_CLEAR: {"chair"},
    Perm.CONFERENCE_CONTROL: {"chair"},
    Perm.ATTENDANCE_CHECKIN: {"chair", "delegate", "observer"},
    Perm.ATTENDANCE_MARK: {"chair", "secretary"},
    Perm.SPEAKER_REQUEST: {"chair", "delegate", "observer", "bridge_operator"},
    Perm.SPEAKER_MANAGE: {"chair", "secretary"},
    Perm.POLL_MANAGE: {"chair", "secretary"},
    Perm.POLL_VOTE: {"delegate"},
    Perm.CONFERENCE_JOIN: {"chair", "bridge_operator"},
    Perm.RECORDING_DOWNLOAD: {"chair", "secretary"},
}


def holds(role: str) -> frozenset[Perm]:
    """The permissions `role` holds in a meeting, by the table above."""
    return frozenset(p for p, roles in ALLOWED.items() if role in roles)
