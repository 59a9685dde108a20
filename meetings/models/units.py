"""The organisation tree. Depth is data: province → district → commune today, any depth later."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.models.base import Base, Timestamped, belongs_to


class Unit(Timestamped, Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Materialised path "/35/347/13285/" makes subtree checks one indexed LIKE.
    path: Mapped[str] = mapped_column(String(512), index=True)
    depth: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    bridge: Mapped[Bridge] = relationship(back_populates="unit", uselist=False)

    def is_within(self, ancestor: Unit) -> bool:
        return self.path.startswith(ancestor.path)


class Bridge(Timestamped, Base):
    """The unit's video bridge point (điểm cầu): one per unit."""

    __tablename__ = "bridges"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = belongs_to("units", unique=True)
    name: Mapped[str] = mapped_column(String(220))

    unit: Mapped[Unit] = relationship(back_populates="bridge")
