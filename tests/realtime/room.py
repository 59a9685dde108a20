"""Test meetings of their own (the demo meeting is shared with other tests), and one
demo account per meeting role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from meetings.db import db, transaction
from meetings.models import (
    AgendaItem,
    Meeting,
    MeetingBridge,
    MeetingRole,
    Participant,
    SpeakerRequest,
    SpeakerStatus,
    Unit,
    UnitAdmin,
    User,
)
from meetings.models.meetings import MeetingStatus
from meetings.services.accounts.login import hash_password
from tests.conftest import DEMO_PASSWORD

UNIT_ADMIN = "roomadmin"  # a unit admin of the host district with no role in the meetings

# role name in the tests -> demo account playing it in every test meeting
ROLE_USERS = {
    "chair": "chair",
    "secretary": "secretary",
    "delegate": "delegate01",
    "observer": "delegate02",
    "guest": "delegate03",
    "bridge_operator": "bridge",
    "outsider": "delegate04",
    "unit_admin": UNIT_ADMIN,
}
ROLE_OF = {
    "chair": MeetingRole.CHAIR,
    "secretary": MeetingRole.SECRETARY,
    "delegate": MeetingRole.DELEGATE,
    "observer": MeetingRole.OBSERVER,
    "guest": MeetingRole.GUEST,
    "bridge_operator": MeetingRole.BRIDGE_OPERATOR,
}
# More voting delegates, so quorum is not decided by the role accounts alone.
EXTRA_DELEGATES = ["delegate05", "delegate06", "delegate07", "delegate08"]


@dataclass
class Room:
    meeting_id: int
    item_ids: list[int]  # top-level items in order
    sub_item_id: int  # a child of the first item
    users: dict[str, int]  # username -> user id
    district_id: int
    commune_ids: list[int]
    request_id: int | None = None  # a waiting speaker request by delegate05
    extra: dict[str, Any] = field(default_factory=dict)


def _district() -> tuple[Unit, list[Unit]]:
    province = db.scalar(select(Unit).where(Unit.depth == 0).order_by(Unit.id))
    assert province is not None
    district = db.scalar(select(Unit).where(Unit.parent_id == province.id).order_by(Unit.id))
    assert district is not None
    communes = list(
        db.scalars(select(Unit).where(Unit.parent_id == district.id).order_by(Unit.id).limit(3))
    )
    return district, communes


def ensure_unit_admin() -> None:
    """The district's unit admin (hashing once per database)."""
    with transaction() as s:
        if s.scalar(select(User.id).where(User.username == UNIT_ADMIN)) is not None:
            return
        district, _ = _district()
        user = User(
            username=UNIT_ADMIN,
            full_name="Quản trị huyện",
            password_hash=hash_password(DEMO_PASSWORD),
            unit_id=district.id,
        )
        s.add(user)
        s.flush()
        s.add(UnitAdmin(user_id=user.id, unit_id=district.id))


def make_room(
    app: Any,
    *,
    status: MeetingStatus = MeetingStatus.IN_PROGRESS,
    waiting_request: bool = True,
    quorum_rule: str = "majority",
) -> Room:
    with app.app_context():
        ensure_unit_admin()
        with transaction() as s:
            district, communes = _district()
            users = {
                u.username: u.id
                for u in s.scalars(
                    select(User).where(User.username.in_([*ROLE_USERS.values(), *EXTRA_DELEGATES]))
                )
            }
            start = datetime.now(UTC).replace(microsecond=0)
            meeting = Meeting(
                title="Họp thử nghiệm",
                kind="committee",
                room="Phòng 2",
                host_unit_id=district.id,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                status=status,
                started_at=start if status is not MeetingStatus.SCHEDULED else None,
                quorum_rule=quorum_rule,
                state_version=0,
            )
            for role, username in ROLE_USERS.items():
                if role in ROLE_OF:
                    meeting.participants.append(
                        Participant(
                            user_id=users[username],
                            role=ROLE_OF[role],
                            bridge_unit_id=communes[0].id if role == "bridge_operator" else None,
                        )
                    )
            for username in EXTRA_DELEGATES:
                meeting.participants.append(
                    Participant(user_id=users[username], role=MeetingRole.DELEGATE)
                )
            for unit in (district, *communes):
                meeting.bridges.append(MeetingBridge(unit_id=unit.id))
            s.add(meeting)
            s.flush()
            items = []
            for position, title in enumerate(["Khai mạc", "Báo cáo", "Thảo luận"]):
                item = AgendaItem(
                    meeting_id=meeting.id,
                    title=title,
                    presenter="",
                    planned_minutes=10,
                    position=position,
                    extra_minutes=0,
                    elapsed_seconds=0,
                )
                s.add(item)
                s.flush()
                items.append(item)
            sub = AgendaItem(
                meeting_id=meeting.id,
                parent_id=items[0].id,
                title="Giới thiệu đại biểu",
                planned_minutes=5,
                position=0,
                extra_minutes=0,
                elapsed_seconds=0,
            )
            s.add(sub)
            s.flush()
            if status is MeetingStatus.IN_PROGRESS:
                meeting.current_item_id = items[0].id
                items[0].started_at = start
            request_id = None
            if waiting_request:
                req = SpeakerRequest(
                    meeting_id=meeting.id,
                    user_id=users["delegate05"],
                    topic="Ý kiến",
                    status=SpeakerStatus.WAITING,
                    position=0,
                )
                s.add(req)
                s.flush()
                request_id = req.id
            room = Room(
                meeting_id=meeting.id,
                item_ids=[i.id for i in items],
                sub_item_id=sub.id,
                users=users,
                district_id=district.id,
                commune_ids=[c.id for c in communes],
                request_id=request_id,
            )
        db.remove()
    return room


def version(app: Any, meeting_id: int) -> int:
    with app.app_context():
        value = db.scalar(select(Meeting.state_version).where(Meeting.id == meeting_id))
        db.remove()
    assert value is not None
    return int(value)


def ack_ok(ack: Any) -> Any:
    assert ack is not None and ack.get("ok") is True, ack
    return ack["data"]


def ack_error(ack: Any) -> str:
    assert ack is not None and ack.get("ok") is False, ack
    return str(ack["error"]["code"])


def events(sc: Any, name: str) -> list[dict[str, Any]]:
    """Envelopes of `name` received since the last clear() (reading keeps them)."""
    stash: list[dict[str, Any]] = sc.__dict__.setdefault("_stash", [])
    stash.extend(sc.get_received())
    return [e["args"][0] for e in stash if e["name"] == name]


def clear(sc: Any) -> None:
    sc.get_received()
    sc.__dict__["_stash"] = []
