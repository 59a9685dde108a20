"""Demo data for ./scripts/run: accounts of every role and one meeting for today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from meetings.db import transaction
from meetings.models import AgendaItem, Meeting, MeetingRole, Unit, UnitAdmin, User
from meetings.services.accounts.login import hash_password
from meetings.services.room.meetings import MeetingFields, ParticipantSpec, create_meeting

DEMO_PASSWORD = "Demo@2026"

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
    ("bridge", "Cán bộ điểm cầu Phủ Lý", MeetingRole.BRIDGE_OPERATOR),
]

AGENDA = [
    ("Khai mạc, giới thiệu đại biểu", "Nguyễn Văn Chủ Trì", 10),
    ("Báo cáo tình hình kinh tế - xã hội tháng 11", "Sở Kế hoạch và Đầu tư", 30),
    ("Tờ trình về kế hoạch đầu tư công năm 2027", "Sở Tài chính", 25),
    ("Thảo luận và biểu quyết", "Các đại biểu", 40),
    ("Bế mạc", "Nguyễn Văn Chủ Trì", 5),
]


def seed_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts and meeting if missing; return (username, password, role)."""
    with transaction() as s:
        province = s.scalar(select(Unit).where(Unit.depth == 0).order_by(Unit.id))
        if province is None:
            raise RuntimeError("Chưa có đơn vị: chạy 'python -m meetings units import' trước.")
        first_district = s.scalar(
            select(Unit).where(Unit.parent_id == province.id).order_by(Unit.id)
        )
        users: dict[str, User] = {}
        for username, full_name, _role in DEMO_PEOPLE:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                unit = first_district if username == "bridge" else province
                user = User(
                    username=username,
                    full_name=full_name,
                    password_hash=hash_password(DEMO_PASSWORD),
                    unit_id=unit.id if unit else province.id,
                    is_system_admin=username == "admin",
                )
                s.add(user)
                s.flush()
                if username == "secretary":
                    s.add(UnitAdmin(user_id=user.id, unit_id=province.id))
            users[username] = user

        if s.scalar(select(Meeting).where(Meeting.title.like("Phiên họp UBND tỉnh%"))) is None:
            start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
                hours=1
            )
            bridge_unit = first_district.id if first_district else None
            meeting = create_meeting(
                users["secretary"],
                MeetingFields(
                    title="Phiên họp UBND tỉnh thường kỳ tháng 11/2026",
                    kind="committee",
                    room="Phòng họp số 1, trụ sở UBND tỉnh",
                    host_unit_id=province.id,
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    participants=[
                        ParticipantSpec(
                            users[username].id,
                            role,
                            bridge_unit if role is MeetingRole.BRIDGE_OPERATOR else None,
                        )
                        for username, _name, role in DEMO_PEOPLE
                        if role is not None
                    ],
                    bridge_unit_ids=list(
                        s.scalars(select(Unit.id).where(Unit.parent_id == province.id))
                    ),
                ),
                join_as=None,
            )
            for position, (title, presenter, minutes) in enumerate(AGENDA):
                meeting.agenda.append(
                    AgendaItem(
                        title=title, presenter=presenter, planned_minutes=minutes, position=position
                    )
                )
    return [
        (username, DEMO_PASSWORD, role.value if role else "system_admin")
        for username, _n, role in DEMO_PEOPLE
    ]
