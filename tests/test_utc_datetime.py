"""Every DateTime column holds aware UTC on both databases: SQLite, which keeps no zone,
hands values back in UTC; a naive value is refused instead of being guessed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import DateTime, select
from sqlalchemy.exc import StatementError

from meetings.db import db, transaction
from meetings.models import Meeting, User
from meetings.models.base import Base, UtcDateTime


def test_every_datetime_column_uses_the_utc_type() -> None:
    columns = [c for table in Base.metadata.tables.values() for c in table.columns]
    plain = [f"{c.table.name}.{c.name}" for c in columns if isinstance(c.type, DateTime)]
    assert plain == []
    assert sum(isinstance(c.type, UtcDateTime) for c in columns) > 10


def test_values_come_back_aware_utc_and_other_zones_are_converted(app: Any) -> None:
    hanoi = timezone(timedelta(hours=7))
    with app.app_context():
        with transaction():
            meeting = db.scalars(select(Meeting).limit(1)).one()
            meeting_id, starts_at = meeting.id, meeting.starts_at
            meeting.starts_at = datetime(2026, 12, 1, 9, 0, tzinfo=hanoi)
        db.remove()
        try:
            stored = db.get(Meeting, meeting_id)
            assert stored is not None
            assert stored.starts_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
            assert stored.starts_at.utcoffset() == timedelta(0)
            created = db.scalars(select(User.created_at).limit(1)).one()
            assert created.tzinfo is not None and created.utcoffset() == timedelta(0)
        finally:
            with transaction():
                restored = db.get(Meeting, meeting_id)
                assert restored is not None
                restored.starts_at = starts_at
            db.remove()


def test_a_naive_datetime_is_refused(app: Any) -> None:
    with app.app_context():
        with pytest.raises(StatementError, match="naive datetime"), transaction():
            meeting = db.scalars(select(Meeting).limit(1)).one()
            meeting.starts_at = datetime(2026, 12, 1, 9, 0)
            db.flush()
        db.remove()
