"""Event payload schemas for the meeting room (agenda, attendance, speakers, meeting).

They document what clients receive; the catalogue checks each example parses.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

NOW = "2026-11-30T08:00:00+00:00"


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitRef(Out):
    id: int
    name: str


class MeetingOut(Out):
    id: int
    title: str
    kind: str
    room: str
    status: str
    starts_at: str | None
    ends_at: str | None
    started_at: str | None
    closed_at: str | None
    host_unit: UnitRef
    quorum_rule: str
    speaker_limit_seconds: int
    speaker_warning_seconds: int


class MeetingSnapshot(MeetingOut):
    """The snapshot's `meeting` part: `meeting.updated`'s body plus what this person is."""

    my_role: str | None  # null: no role in the meeting (e.g. a unit admin)
    my_permissions: list[str]


class MeetingEndedOut(Out):
    """What "Bế mạc" closed: speaker requests ended or dropped, polls closed (not
    published), and whether a document was being presented."""

    speaker_requests_closed: int
    polls_closed: list[int]
    presenter_stopped: bool


class CreatedId(Out):
    """The id of what was created."""

    id: int


class Changed(Out):
    """`changed` is false when nothing changed (e.g. a retry)."""

    changed: bool


class ItemOut(Out):
    id: int
    parent_id: int | None
    position: int
    title: str
    presenter: str  # the name shown: the person's full name, or free text
    presenter_user_id: int | None  # the person presenting (a participant), if one is named
    notes: str
    planned_minutes: int
    extra_minutes: int
    elapsed_seconds: int
    started_at: str | None
    overrun: bool


class AgendaOut(Out):
    status: str
    started_at: str | None
    closed_at: str | None
    current_item_id: int | None
    paused_item_id: int | None  # during a break: the item agenda.resume returns to
    items: list[ItemOut]
    # Sum of every item's planned minutes (sub-items included); compare with the meeting's
    # planned start and end: past the end is a warning for the secretary, never a refusal.
    planned_minutes_total: int
    server_now: str


class AgendaEvent(AgendaOut):
    op: str


class QuorumOut(Out):
    """Túc số, the same shape for the meeting and for a poll (services/room/quorum.py):
    `counted` of `total` voting delegates on the `basis` ("present": in the room;
    "took_part": cast a ballot in the poll), `required` by the meeting's `rule`."""

    rule: Literal["majority", "two_thirds", "three_quarters"]
    basis: Literal["present", "took_part"]
    counted: int
    total: int
    required: int
    reached: bool


class MeetingQuorumOut(QuorumOut):
    voting_total: int  # = total, kept for older clients
    voting_present: int  # = counted, kept for older clients


class PersonOut(Out):
    user_id: int
    full_name: str
    role: str
    status: str | None
    source: str | None
    updated_at: str | None


class BridgeNode(Out):
    unit_id: int
    name: str
    parent_id: int | None
    depth: int
    invited: bool
    connected: bool
    sites_total: int
    sites_connected: int


class BridgesOut(Out):
    total: int
    connected: int
    tree: list[BridgeNode]


class CountsOut(Out):
    present: int
    absent: int
    excused: int
    unknown: int
    total: int


class AttendanceOut(Out):
    people: list[PersonOut]
    counts: CountsOut
    quorum: MeetingQuorumOut
    bridges: BridgesOut


class RequestOut(Out):
    id: int
    user_id: int
    full_name: str
    bridge_unit: UnitRef | None
    topic: str
    status: str
    agenda_item_id: int | None
    requested_at: str | None
    started_at: str | None
    ended_at: str | None
    limit_seconds: int | None
    duration_seconds: int | None


class CurrentOut(RequestOut):
    """The turn that holds the floor and its clock. `limit_seconds` is this turn's limit;
    the client warns from `warning_seconds` before it (`warning` turns true then; for a
    short turn at most half of it), `overrun` is true past the limit, and the server ends
    the turn by itself at `ends_at` (the limit plus a grace period)."""

    overrun: bool
    warning: bool
    warning_seconds: int
    ends_at: str


class SpeakersOut(Out):
    queue: list[RequestOut]
    current: CurrentOut | None
    history: list[RequestOut]
    limit_seconds: int
    warning_seconds: int
    server_now: str


ITEM_EXAMPLE = {
    "id": 11,
    "parent_id": None,
    "position": 0,
    "title": "Khai mạc",
    "presenter": "Chủ tọa",
    "presenter_user_id": None,
    "notes": "",
    "planned_minutes": 10,
    "extra_minutes": 0,
    "elapsed_seconds": 0,
    "started_at": NOW,
    "overrun": False,
}
AGENDA_EXAMPLE = {
    "op": "current",
    "status": "in_progress",
    "started_at": NOW,
    "closed_at": None,
    "current_item_id": 11,
    "paused_item_id": None,
    "items": [ITEM_EXAMPLE],
    "planned_minutes_total": 10,
    "server_now": NOW,
}
MEETING_EXAMPLE = {
    "id": 1,
    "title": "Phiên họp UBND tỉnh thường kỳ",
    "kind": "committee",
    "room": "Phòng họp số 1",
    "status": "in_progress",
    "starts_at": NOW,
    "ends_at": "2026-11-30T10:00:00+00:00",
    "started_at": NOW,
    "closed_at": None,
    "host_unit": {"id": 1, "name": "Tỉnh Hà Nam"},
    "quorum_rule": "majority",
    "speaker_limit_seconds": 300,
    "speaker_warning_seconds": 60,
}
ATTENDANCE_EXAMPLE = {
    "people": [
        {
            "user_id": 4,
            "full_name": "Lê Văn An",
            "role": "delegate",
            "status": "present",
            "source": "checkin",
            "updated_at": NOW,
        }
    ],
    "counts": {"present": 1, "absent": 0, "excused": 0, "unknown": 0, "total": 1},
    "quorum": {
        "rule": "majority",
        "basis": "present",
        "counted": 1,
        "total": 1,
        "voting_total": 1,
        "voting_present": 1,
        "required": 1,
        "reached": True,
    },
    "bridges": {
        "total": 1,
        "connected": 1,
        "tree": [
            {
                "unit_id": 2,
                "name": "Thành phố Phủ Lý",
                "parent_id": 1,
                "depth": 1,
                "invited": True,
                "connected": True,
                "sites_total": 1,
                "sites_connected": 1,
            }
        ],
    },
}
REQUEST_EXAMPLE = {
    "id": 5,
    "user_id": 4,
    "full_name": "Lê Văn An",
    "bridge_unit": None,
    "topic": "Ý kiến về đầu tư công",
    "status": "waiting",
    "agenda_item_id": 11,
    "requested_at": NOW,
    "started_at": None,
    "ended_at": None,
    "limit_seconds": None,
    "duration_seconds": None,
}
CURRENT_EXAMPLE = {
    **REQUEST_EXAMPLE,
    "id": 4,
    "user_id": 7,
    "full_name": "Phạm Thị Bình",
    "status": "speaking",
    "started_at": NOW,
    "limit_seconds": 300,
    "overrun": False,
    "warning": False,
    "warning_seconds": 60,
    "ends_at": "2026-11-30T08:05:30+00:00",
}
SPEAKERS_EXAMPLE = {
    "queue": [REQUEST_EXAMPLE],
    "current": CURRENT_EXAMPLE,
    "history": [],
    "limit_seconds": 300,
    "warning_seconds": 60,
    "server_now": NOW,
}
