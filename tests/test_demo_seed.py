"""The demo seed: idempotent accounts, always a demo meeting to come, three bridge sites."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from meetings.app import create_app
from meetings.clock import now
from meetings.db import db, transaction
from meetings.demo import BRIDGE_OPERATORS, DEMO_TITLE, seed_demo
from meetings.migrate import upgrade
from meetings.models import Meeting, MeetingRole, Participant, Unit, User
from meetings.models.meetings import MeetingStatus
from meetings.services.accounts.units import import_units
from tests.conftest import UNITS_JSON, make_config


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Any]:
    """A database of its own: these tests end demo meetings the session's tests still use."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    app = create_app(make_config(tmp_path, url))
    with app.app_context():
        import_units(UNITS_JSON)
        seed_demo()
        yield app


def _to_come() -> list[Meeting]:
    return list(
        db.scalars(
            select(Meeting).where(
                Meeting.title.startswith(DEMO_TITLE),
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.ends_at > now(),
            )
        )
    )


def test_three_operators_each_run_their_own_site_of_the_demo_meeting(fresh: Any) -> None:
    (meeting,) = _to_come()
    operators = db.execute(
        select(User.username, Unit)
        .join(Participant, Participant.user_id == User.id)
        .join(Unit, Unit.id == Participant.bridge_unit_id)
        .where(Participant.meeting_id == meeting.id)
        .where(Participant.role == MeetingRole.BRIDGE_OPERATOR)
    ).all()
    sites = {username: unit for username, unit in operators}
    assert set(sites) == set(BRIDGE_OPERATORS)
    assert sites["bridge"].depth == 1  # a district
    assert [sites[u].type for u in ("bridge02", "bridge03")] == ["Xã", "Xã"]
    assert len({unit.id for unit in sites.values()}) == 3
    assert {unit.id for unit in sites.values()} <= {b.unit_id for b in meeting.bridges}
    for username, unit in sites.items():
        user = db.scalar(select(User).where(User.username == username))
        assert user is not None and user.unit_id == unit.id and unit.name in user.full_name


def test_a_second_run_adds_nothing_while_a_demo_meeting_is_to_come(fresh: Any) -> None:
    users_before = db.scalars(select(User.id).order_by(User.id)).all()
    seed_demo()
    assert len(_to_come()) == 1
    assert db.scalars(select(User.id).order_by(User.id)).all() == users_before


@pytest.mark.parametrize("how", ["ended", "cancelled", "in_the_past"])
def test_a_new_demo_meeting_replaces_one_that_is_over(fresh: Any, how: str) -> None:
    with transaction():
        (old,) = _to_come()
        if how == "in_the_past":  # scheduled, never opened, and its day has gone
            old.starts_at, old.ends_at = (
                now() - timedelta(days=2),
                now() - timedelta(days=2, hours=-2),
            )
        else:
            old.status = MeetingStatus(how)
        old_id = old.id
    seed_demo()
    (new,) = _to_come()
    assert new.id != old_id and new.starts_at > now()
    assert len(new.agenda) == 5 and len(new.participants) == len(BRIDGE_OPERATORS) + 12
