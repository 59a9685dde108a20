"""Time as the server states it: aware UTC, written in ISO 8601 on the wire."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
