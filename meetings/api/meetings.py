"""Meetings over REST: schedule, edit, cancel, "my meetings", iCalendar export and feed.

Live state (agenda driving, attendance, the floor) goes over Socket.IO; REST changes that
members in the room must see are emitted through an Outbox after the commit, like commands.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Response, url_for
from flask_openapi3 import Tag
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from meetings.api.registry import PUBLIC, ApiBlueprint, Ctx
from meetings.api.responses import attachment
from meetings.api.schemas import CONFLICT, ErrorBody, MeetingPath, OkOut, Strict
from meetings.db import db
from meetings.errors import AppError
from meetings.models import Meeting, MeetingRole, Participant, User
from meetings.permissions import Perm, meeting_role
from meetings.schemas import room as room_schemas
from meetings.schemas.room import MeetingOut
from meetings.services.room import agenda, ical
from meetings.services.room import meetings as svc
from meetings.services.room.meetings import MeetingFields, ParticipantSpec, meeting_public

bp = ApiBlueprint("meetings", __name__, url_prefix="/api/meetings", abp_tags=[Tag(name="meetings")])
calendar_bp = ApiBlueprint(
    "calendar", __name__, url_prefix="/api/calendar", abp_tags=[Tag(name="calendar")]
)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Kind = Literal["committee", "council", "briefing", "other"]
QuorumRule = Literal["majority", "two_thirds", "three_quarters"]


class ListQuery(Strict):
    scope: Literal["upcoming", "in_progress", "past"] = "upcoming"


class ParticipantIn(Strict):
    user_id: int
    role: MeetingRole
    bridge_unit_id: int | None = None


class SubItemIn(Strict):
    title: Title
    presenter: Annotated[str, Field(max_length=200)] = ""
    planned_minutes: Annotated[int, Field(ge=1, le=600)] = 10
    notes: Annotated[str, Field(max_length=4000)] = ""


class AgendaItemIn(SubItemIn):
    children: Annotated[list[SubItemIn], Field(max_length=50)] = Field(default_factory=list)


class MeetingPatch(Strict):
    title: Title | None = None
    kind: Kind | None = None
    room: Annotated[str, Field(max_length=200)] | None = None
    host_unit_id: int | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    quorum_rule: QuorumRule | None = None
    speaker_limit_seconds: Annotated[int, Field(ge=30, le=3600)] | None = None
    speaker_warning_seconds: Annotated[int, Field(ge=0, le=600)] | None = None
    participants: Annotated[list[ParticipantIn], Field(max_length=2000)] | None = None
    bridge_unit_ids: Annotated[list[int], Field(max_length=2000)] | None = None


class MeetingCreate(MeetingPatch):
    title: Title
    host_unit_id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    kind: Kind = "committee"
    agenda: Annotated[list[AgendaItemIn], Field(max_length=100)] = Field(default_factory=list)
    # The creator (a unit admin) may take part, usually as secretary; None: organise only.
    join_as: Literal["chair", "secretary", "delegate", "observer", "guest"] | None = None


# Responses are described, not policed: no `additionalProperties: false` in OpenAPI.
class UnitRef(room_schemas.UnitRef):
    model_config = ConfigDict(extra="ignore")


# The `meeting.updated` body, plus the caller's role in the meeting.
class MeetingSummary(MeetingOut):
    model_config = ConfigDict(extra="ignore")

    host_unit: UnitRef

    my_role: str | None = None


class MeetingList(BaseModel):
    meetings: list[MeetingSummary]


class ParticipantOut(BaseModel):
    user_id: int
    username: str
    full_name: str
    role: str
    bridge_unit_id: int | None


class AgendaItemOut(BaseModel):
    id: int
    parent_id: int | None
    position: int
    title: str
    presenter: str
    planned_minutes: int


class MeetingDetail(MeetingSummary):
    participants: list[ParticipantOut]
    bridge_unit_ids: list[int]
    agenda: list[AgendaItemOut]
    created_by_id: int | None


class TokenOut(BaseModel):
    token: str
    url: str


def _summary(meeting: Meeting, role: MeetingRole | None) -> dict[str, Any]:
    return {**meeting_public(meeting), "my_role": role.value if role else None}


def _detail(meeting: Meeting, user: User) -> dict[str, Any]:
    db.flush()  # refresh reloads from the database: this request's changes go first
    db.refresh(meeting)
    participant = meeting_role(user, meeting.id)
    rows = db.execute(
        select(Participant, User)
        .join(User, User.id == Participant.user_id)
        .where(Participant.meeting_id == meeting.id)
        .order_by(Participant.id)
    ).all()
    return MeetingDetail(
        **_summary(meeting, participant.role if participant else None),
        participants=[
            ParticipantOut(
                user_id=u.id,
                username=u.username,
                full_name=u.full_name,
                role=p.role.value,
                bridge_unit_id=p.bridge_unit_id,
            )
            for p, u in rows
        ],
        bridge_unit_ids=sorted(b.unit_id for b in meeting.bridges),
        agenda=[
            AgendaItemOut.model_validate(i, from_attributes=True)
            for i in agenda.ordered_items(meeting.id)
        ],
        created_by_id=meeting.created_by_id,
    ).model_dump(mode="json")


def _fields(body: MeetingPatch) -> MeetingFields:
    return MeetingFields(
        title=body.title,
        kind=body.kind,
        room=body.room,
        host_unit_id=body.host_unit_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        quorum_rule=body.quorum_rule,
        speaker_limit_seconds=body.speaker_limit_seconds,
        speaker_warning_seconds=body.speaker_warning_seconds,
        participants=(
            [ParticipantSpec(p.user_id, p.role, p.bridge_unit_id) for p in body.participants]
            if body.participants is not None
            else None
        ),
        bridge_unit_ids=body.bridge_unit_ids,
    )


@bp.declare("get", "", Perm.SIGNED_IN, responses={200: MeetingList})
def list_meetings(ctx: Ctx, query: ListQuery) -> dict[str, object]:
    """My meetings: those I take part in and those hosted in units I manage."""
    rows = svc.my_meetings(ctx.me, query.scope)
    return {"meetings": [_summary(m, role) for m, role in rows]}


@bp.declare("post", "", Perm.MEETING_CREATE, responses={201: MeetingDetail})
def create_meeting(ctx: Ctx, body: MeetingCreate) -> tuple[dict[str, object], int]:
    """Schedule a meeting hosted by a unit the caller manages (unit admins)."""
    join_as = MeetingRole(body.join_as) if body.join_as else None
    meeting = svc.create_meeting(ctx.me, _fields(body), join_as)
    agenda.add_initial_items(meeting, [item.model_dump() for item in body.agenda])
    return _detail(meeting, ctx.me), 201


@bp.declare("get", "/<int:meeting_id>", Perm.MEETING_VIEW, responses={200: MeetingDetail})
def get_meeting(ctx: Ctx, path: MeetingPath) -> dict[str, object]:
    return _detail(ctx.meeting, ctx.me)


@bp.declare(
    "patch", "/<int:meeting_id>", Perm.MEETING_EDIT, responses={200: MeetingDetail, **CONFLICT}
)
def update_meeting(ctx: Ctx, path: MeetingPath, body: MeetingPatch) -> dict[str, object]:
    """Edit details, roster, invited bridges, quorum rule, speaking time limits."""
    svc.update_meeting(ctx.meeting, ctx.me, _fields(body), ctx.outbox)
    return _detail(ctx.meeting, ctx.me)


@bp.declare(
    "post",
    "/<int:meeting_id>/cancel",
    Perm.MEETING_EDIT,
    responses={200: MeetingDetail, **CONFLICT},
)
def cancel_meeting(ctx: Ctx, path: MeetingPath) -> dict[str, object]:
    """Cancel a meeting that has not started."""
    svc.cancel_meeting(ctx.meeting, ctx.outbox)
    return _detail(ctx.meeting, ctx.me)


def _ics(body: bytes, filename: str) -> Response:
    return attachment(body, "text/calendar", filename, "no-store")


@bp.declare("get", "/<int:meeting_id>/calendar.ics", Perm.MEETING_VIEW, responses={200: None})
def meeting_ics(ctx: Ctx, path: MeetingPath) -> Response:
    """iCalendar (text/calendar) for one meeting."""
    meeting = ctx.meeting
    return _ics(ical.calendar_bytes([meeting], meeting.title), f"cuoc-hop-{meeting.id}.ics")


class FeedPath(BaseModel):
    token: Annotated[str, Field(max_length=100)]


@calendar_bp.declare("post", "/token", Perm.SIGNED_IN, responses={200: TokenOut})
def issue_token(ctx: Ctx) -> dict[str, object]:
    """Create my personal feed URL; any earlier URL stops working. Shown once."""
    token = ical.new_token(ctx.me)
    url = url_for("calendar.feed", token=token, _external=True)
    return TokenOut(token=token, url=url).model_dump()


@calendar_bp.declare("delete", "/token", Perm.SIGNED_IN, responses={200: OkOut})
def revoke_token(ctx: Ctx) -> dict[str, object]:
    """Revoke my feed URL."""
    return {"ok": ical.revoke_token(ctx.me)}


@calendar_bp.declare("get", "/<token>.ics", PUBLIC, responses={200: None, 404: ErrorBody})
def feed(ctx: Ctx, path: FeedPath) -> Response:
    """Personal feed for calendar apps; the secret token in the URL is the credential."""
    user = ical.user_for_token(path.token)
    if user is None:
        raise AppError("not_found", "Không tìm thấy lịch.")
    data = ical.calendar_bytes(ical.feed_meetings(user), f"Lịch họp — {user.full_name}")
    return _ics(data, "lich-hop.ics")
