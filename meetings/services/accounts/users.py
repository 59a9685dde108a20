"""Accounts as admins see them: the users of the units they manage, and new accounts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meetings.db import db
from meetings.errors import AppError, not_found
from meetings.models import Unit, UnitAdmin, User
from meetings.permissions import manages_unit
from meetings.services.accounts.login import hash_password
from meetings.services.accounts.passwords import check_password_strength

# Letters without accents, digits and . _ -: typed on any keyboard, safe in URLs and logs.
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{2,64}$"


@dataclass(frozen=True)
class NewUser:
    username: str
    full_name: str
    password: str
    unit_id: int
    unit_admin: bool = False


def managed_users(admin: User) -> list[User]:
    """Users of the units `admin` manages, by username."""
    users = db.scalars(select(User).join(Unit, User.unit_id == Unit.id).order_by(User.username))
    return [u for u in users if u.unit and manages_unit(admin, u.unit)]


def free_username(username: str) -> str:
    """`username` in lower case; `conflict` if an account has it already, in any case."""
    if re.fullmatch(USERNAME_PATTERN, username) is None:
        raise AppError(
            "invalid_payload",
            "Tên đăng nhập gồm 2–64 chữ cái không dấu, chữ số, '.', '_' hoặc '-'.",
        )
    username = username.lower()
    if db.scalar(select(User.id).where(func.lower(User.username) == username)) is not None:
        raise AppError("conflict", "Tên đăng nhập đã tồn tại.")
    return username


def create_user(admin: User, new: NewUser) -> User:
    """Create an account in a unit `admin` manages; usernames are unique without case.

    Runs inside the caller's transaction; a concurrent create of the same name fails at
    the flush on the unique index and answers `conflict` like the check before it.
    """
    unit = db.get(Unit, new.unit_id)
    if unit is None or not manages_unit(admin, unit):
        raise not_found("Không tìm thấy đơn vị.")
    username = free_username(new.username)
    check_password_strength(new.password)
    user = User(
        username=username,
        full_name=new.full_name.strip(),
        password_hash=hash_password(new.password),
        unit_id=unit.id,
    )
    try:
        db.add(user)
        db.flush()
        if new.unit_admin:
            db.add(UnitAdmin(user_id=user.id, unit_id=unit.id))
            db.flush()
    except IntegrityError as exc:  # the caller's transaction rolls back
        raise AppError("conflict", "Tên đăng nhập đã tồn tại.") from exc
    db.refresh(user)
    return user
