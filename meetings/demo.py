"""Demo data for ./scripts/run: accounts of every role, and always one demo meeting to come.

Every run is idempotent for accounts, and adds a new demo meeting when none is still to
come (the earlier ones were ended, cancelled or left in the past), so a new user always has
a meeting to open. Three bridge operators (a district and two communes) make a multi-site
conference possible at once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetings.clock import now
from meetings.db import transaction
from meetings.models import AgendaItem, Meeting, MeetingRole, Unit, UnitAdmin, User
from meetings.models.meetings import MeetingStatus
from meetings.services.accounts.login import hash_password
from meetings.services.room.meetings import MeetingFields, ParticipantSpec, create_meeting

DEMO_PASSWORD = "Demo@2026"
DEMO_TITLE = "Phiên họp UBND tỉnh thường kỳ"
COMMUNE_TYPE = "Xã"

DEMO_PEOPLE: list[tuple[str, str, MeetingRole | None]] = [
    ("admin", "Quản trị hệ thống", None),
    ("chair", "Nguyễn Văn Chủ Trì", MeetingRole.CHAIR),
    ("secretary", "Trần Thị Thư Ký", MeetingRole.SECRETARY),
    *[
        (f"delegate{i:02d}", name, MeetingRole.DELEGATE)
        for i, name in enumerate(
            [
                "Lê Văn An",
                "Phạm Thị Bình",
                "Hoàng Văn Cường",
                "Vũ Thị Dung",
                "Đặng Văn Đức",
                "Bùi Thị Giang",
                "Đỗ Văn Hải",
                "Ngô Thị Hương",
                "Dương Văn Khánh",
                "Lý Thị Lan",
            ],
            start=1,
        )
    ],
]
# Bridge operators, in site order: the first district, then the first two communes.
BRIDGE_OPERATORS = ("bridge", "bridge02", "bridge03")

AGENDA = [
    ("Khai mạc, giới thiệu đại biểu", "Nguyễn Văn Chủ Trì", 10),
    ("Báo cáo tình hình kinh tế - xã hội", "Sở Kế hoạch và Đầu tư", 30),
    ("Tờ trình về kế hoạch đầu tư công năm tới", "Sở Tài chính", 25),
    ("Thảo luận và biểu quyết", "Các đại biểu", 40),
    ("Bế mạc", "Nguyễn Văn Chủ Trì", 5),
]


def _bridge_sites(s: Session, province: Unit) -> list[Unit]:
    """One site per operator: the first district and the first two communes (the province
    itself stands in when the units file has fewer levels)."""
    district = s.scalar(select(Unit).where(Unit.parent_id == province.id).order_by(Unit.id))
    communes = s.scalars(
        select(Unit)
        .where(Unit.path.startswith(province.path), Unit.type == COMMUNE_TYPE)
        .order_by(Unit.id)
        .limit(2)
    ).all()
    sites = [district or province, *communes]
    return (sites + [province] * len(BRIDGE_OPERATORS))[: len(BRIDGE_OPERATORS)]


def _account(s: Session, username: str, full_name: str, unit: Unit) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            username=username,
            full_name=full_name,
            password_hash=hash_password(DEMO_PASSWORD),
            unit_id=unit.id,
            is_system_admin=username == "admin",
        )
        s.add(user)
        s.flush()
        if username == "secretary":
            s.add(UnitAdmin(user_id=user.id, unit_id=unit.id))
    return user


def _has_demo_to_come(s: Session) -> bool:
    return (
        s.scalar(
            select(Meeting.id).where(
                Meeting.title.startswith(DEMO_TITLE),
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.ends_at > now(),
            )
        )
        is not None
    )


def _add_demo_meeting(
    s: Session, province: Unit, people: list[ParticipantSpec], secretary: User
) -> None:
    start = now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    sites = {p.bridge_unit_id for p in people if p.bridge_unit_id is not None}
    districts = s.scalars(select(Unit.id).where(Unit.parent_id == province.id))
    meeting = create_meeting(
        secretary,
        MeetingFields(
            title=f"{DEMO_TITLE} tháng {start.month}/{start.year}",
            kind="committee",
            room="Phòng họp số 1, trụ sở UBND tỉnh",
            host_unit_id=province.id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            participants=people,
            bridge_unit_ids=[*districts, *sorted(sites)],
        ),
        join_as=None,
    )
    for position, (title, presenter, minutes) in enumerate(AGENDA):
        meeting.agenda.append(
            AgendaItem(title=title, presenter=presenter, planned_minutes=minutes, position=position)
        )


def seed_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts if missing, and a demo meeting if none is to come;
    return (username, password, role) of every demo account."""
    with transaction() as s:
        province = s.scalar(select(Unit).where(Unit.depth == 0).order_by(Unit.id))
        if province is None:
            raise RuntimeError("Chưa có đơn vị: chạy 'python -m meetings units import' trước.")
        users = {u: _account(s, u, name, province) for u, name, _r in DEMO_PEOPLE}
        people = [ParticipantSpec(users[u].id, r) for u, _n, r in DEMO_PEOPLE if r is not None]
        for username, site in zip(BRIDGE_OPERATORS, _bridge_sites(s, province), strict=True):
            operator = _account(s, username, f"Cán bộ điểm cầu {site.name}", site)
            people.append(ParticipantSpec(operator.id, MeetingRole.BRIDGE_OPERATOR, site.id))
        if not _has_demo_to_come(s):
            _add_demo_meeting(s, province, people, users["secretary"])
    roles = [(u, r.value if r else "system_admin") for u, _n, r in DEMO_PEOPLE]
    roles += [(u, MeetingRole.BRIDGE_OPERATOR.value) for u in BRIDGE_OPERATORS]
    return [(username, DEMO_PASSWORD, role) for username, role in roles]
