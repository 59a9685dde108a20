"""The one place that says who may do what. Deny by default.

Global permissions depend on the account (system admin, unit admin). Meeting permissions
come from the person's role in that meeting, plus management rights that unit admins hold
over meetings hosted in their subtree. REST routes and Socket.IO commands both call
`authorize()`; nothing else decides.
"""

from __future__ import annotations

import enum

from sqlalchemy import select

from meetings.db import db
from meetings.documents.search import normalize
from meetings.errors import AppError, not_found
from meetings.models import AgendaItem, Meeting, MeetingRole, Participant, Unit, UnitAdmin, User


class Perm(enum.StrEnum):
    # Global
    SIGNED_IN = "signed_in"
    SYSTEM_ADMIN = "system.admin"
    USERS_MANAGE = "users.manage"
    MEETING_CREATE = "meeting.create"
    # Meeting-scoped
    MEETING_VIEW = "meeting.view"
    MEETING_EDIT = "meeting.edit"
    AGENDA_DRIVE = "agenda.drive"
    ATTENDANCE_CHECKIN = "attendance.checkin"
    ATTENDANCE_MARK = "attendance.mark"
    SPEAKER_REQUEST = "speaker.request"
    SPEAKER_MANAGE = "speaker.manage"
    POLL_MANAGE = "poll.manage"
    POLL_VOTE = "poll.vote"
    DOCUMENT_VIEW = "document.view"
    DOCUMENT_MANAGE = "document.manage"
    PRESENT = "present"
    ANNOTATE = "annotate"
    SHARED_MARKS_CLEAR = "shared_marks.clear"
    CONFERENCE_JOIN = "conference.join"
    CONFERENCE_CONTROL = "conference.control"
    RECORDING_DOWNLOAD = "recording.download"


GLOBAL_PERMS = frozenset(
    {Perm.SIGNED_IN, Perm.SYSTEM_ADMIN, Perm.USERS_MANAGE, Perm.MEETING_CREATE}
)

_READER = frozenset({Perm.MEETING_VIEW, Perm.DOCUMENT_VIEW, Perm.ANNOTATE})
_DELEGATE = _READER | {Perm.ATTENDANCE_CHECKIN, Perm.SPEAKER_REQUEST}

# Listed, not "everything but": a new permission reaches the chair only when added here.
# The chair runs the meeting but does not vote (POLL_VOTE is for delegates).
_CHAIR = _DELEGATE | {
    Perm.MEETING_EDIT,
    Perm.AGENDA_DRIVE,
    Perm.ATTENDANCE_MARK,
    Perm.SPEAKER_MANAGE,
    Perm.POLL_MANAGE,
    Perm.DOCUMENT_MANAGE,
    Perm.PRESENT,
    Perm.SHARED_MARKS_CLEAR,
    Perm.CONFERENCE_JOIN,
    Perm.CONFERENCE_CONTROL,
    Perm.RECORDING_DOWNLOAD,
}

ROLE_PERMS: dict[MeetingRole, frozenset[Perm]] = {
    MeetingRole.CHAIR: _CHAIR,
    MeetingRole.SECRETARY: _READER
    | {
        Perm.MEETING_EDIT,
        Perm.ATTENDANCE_MARK,
        Perm.SPEAKER_MANAGE,
        Perm.POLL_MANAGE,
        Perm.DOCUMENT_MANAGE,
        Perm.RECORDING_DOWNLOAD,
    },
    MeetingRole.DELEGATE: _DELEGATE | {Perm.POLL_VOTE},
    MeetingRole.OBSERVER: _DELEGATE,
    MeetingRole.GUEST: _READER,
    MeetingRole.BRIDGE_OPERATOR: _READER | {Perm.SPEAKER_REQUEST, Perm.CONFERENCE_JOIN},
}

# What a unit admin (or system admin) may do to a meeting hosted in their subtree
# without holding a role in it: organise it, not run it or vote in it.
MANAGER_PERMS = frozenset(
    {Perm.MEETING_VIEW, Perm.MEETING_EDIT, Perm.DOCUMENT_VIEW, Perm.DOCUMENT_MANAGE}
)

# Permissions held for a while by someone whose role lacks them (docs/protocol.md lists these).
SITUATIONAL_PERMS: dict[Perm, str] = {
    Perm.PRESENT: "anyone with a part in the meeting who is named presenter of the agenda "
    "item now current (`presenter` of the item; the name is compared without case or "
    "diacritics), for as long as that item is current",
}


def admin_units(user: User) -> list[Unit]:
    return [link.unit for link in user.admin_of]


def manages_unit(user: User, unit: Unit) -> bool:
    """System admins manage every unit; unit admins manage their subtree."""
    return user.is_system_admin or any(unit.is_within(u) for u in admin_units(user))


def has_global(user: User, perm: Perm) -> bool:
    if perm is Perm.SIGNED_IN:
        return True
    if perm is Perm.SYSTEM_ADMIN:
        return user.is_system_admin
    # USERS_MANAGE, MEETING_CREATE: any admin; the target unit is checked with manages_unit.
    return user.is_system_admin or bool(
        db.scalar(select(UnitAdmin.unit_id).where(UnitAdmin.user_id == user.id).limit(1))
    )


def meeting_role(user: User, meeting_id: int) -> Participant | None:
    return db.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting_id, Participant.user_id == user.id
        )
    )


def presents_current_item(user: User, meeting: Meeting) -> bool:
    """The current item's presenter: the person it names (`presenter_user_id`); items
    written before presenters were people match the free-text name to the full name."""
    if meeting.current_item_id is None:
        return False
    item = db.get(AgendaItem, meeting.current_item_id)
    if item is None:
        return False
    if item.presenter_user_id is not None:
        return item.presenter_user_id == user.id
    return bool(item.presenter and normalize(item.presenter) == normalize(user.full_name))


def meeting_perms(user: User, meeting: Meeting) -> frozenset[Perm]:
    perms: frozenset[Perm] = frozenset()
    participant = meeting_role(user, meeting.id)
    if participant is not None:
        perms = ROLE_PERMS[participant.role]
    if manages_unit(user, meeting.host_unit):
        perms = perms | MANAGER_PERMS
    if perms and Perm.PRESENT not in perms and presents_current_item(user, meeting):
        perms = perms | {Perm.PRESENT}
    return perms


def signed_in(user: User | None) -> User:
    """The caller, or `not_authenticated` for nobody or a deactivated account."""
    if user is None or not user.is_active:
        raise AppError("not_authenticated", "Bạn cần đăng nhập.")
    return user


def authorize(user: User | None, perm: Perm, meeting_id: int | None = None) -> Meeting | None:
    """Raise unless `user` holds `perm`; for meeting permissions return the meeting.

    Someone with no standing in a meeting gets `not_found`, so ids reveal nothing.
    """
    user = signed_in(user)
    if perm in GLOBAL_PERMS:
        if not has_global(user, perm):
            raise AppError("permission_denied", "Bạn không có quyền thực hiện thao tác này.")
        return None
    meeting = db.get(Meeting, meeting_id) if meeting_id is not None else None
    perms = meeting_perms(user, meeting) if meeting is not None else frozenset()
    if meeting is None or not perms:
        raise not_found("Không tìm thấy cuộc họp.")
    if perm not in perms:
        raise AppError("permission_denied", "Bạn không có quyền thực hiện thao tác này.")
    return meeting
