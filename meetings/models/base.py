from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, Enum, ForeignKey, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column, relationship

from meetings.clock import now

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, always aware UTC in Python. PostgreSQL keeps the zone; SQLite
    keeps none and hands back naive datetimes, which were written in UTC. Naive input
    is refused: its zone would be a guess."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: give it a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=now)


def str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    """Enums are stored as plain strings with a CHECK: portable and readable in SQL."""
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e])


def belongs_to(table: str, **options: Any) -> MappedColumn[Any]:
    """A reference to the row of `table` this row belongs to: deleted with it."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), **options)


def children(back_populates: str, **options: Any) -> Any:
    """The rows that belong to this one (see belongs_to): saved and deleted with it."""
    return relationship(back_populates=back_populates, cascade="all, delete-orphan", **options)
