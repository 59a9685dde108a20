from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetings.models.base import Base, Timestamped, belongs_to, children
from meetings.models.units import Unit


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    is_system_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # Bumped on password change so existing session cookies stop working.
    session_epoch: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit | None] = relationship()
    admin_of: Mapped[list[UnitAdmin]] = children("user")


class UnitAdmin(Base):
    """A unit admin manages users and meetings of the unit's whole subtree."""

    __tablename__ = "unit_admins"

    user_id: Mapped[int] = belongs_to("users", primary_key=True)
    unit_id: Mapped[int] = belongs_to("units", primary_key=True)

    user: Mapped[User] = relationship(back_populates="admin_of")
    unit: Mapped[Unit] = relationship()
