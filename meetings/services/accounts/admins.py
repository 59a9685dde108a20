"""System admins made from the command line: the first start needs no demo seed."""

from __future__ import annotations

from sqlalchemy import select

from meetings.db import transaction
from meetings.errors import AppError
from meetings.models import Unit, User
from meetings.services.accounts.login import hash_password
from meetings.services.accounts.passwords import check_password_strength
from meetings.services.accounts.users import free_username


def create_system_admin(
    username: str, full_name: str, password: str, unit_code: str | None = None
) -> User:
    """Add a system admin in `unit_code`, or in the root unit (none if no unit is imported
    yet: a system admin's rights do not depend on a unit). Changes nothing when refused."""
    if not username.strip() or not full_name.strip():
        raise AppError("invalid_payload", "Cần tên đăng nhập và họ tên.")
    check_password_strength(password)
    with transaction() as s:
        name = free_username(username.strip())
        if unit_code is None:
            unit = s.scalar(select(Unit).where(Unit.depth == 0).order_by(Unit.id))
        else:
            unit = s.scalar(select(Unit).where(Unit.code == unit_code))
            if unit is None:
                raise AppError("not_found", f"Không có đơn vị mã {unit_code}.")
        user = User(
            username=name,
            full_name=full_name.strip(),
            password_hash=hash_password(password),
            unit_id=unit.id if unit else None,
            is_system_admin=True,
        )
        s.add(user)
    return user
