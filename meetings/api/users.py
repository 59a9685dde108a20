"""Accounts, managed by system admins and by unit admins within their subtree."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meetings.api.guard import requires
from meetings.api.schemas import ERRORS, Strict, UserOut
from meetings.auth import current_user
from meetings.db import db, transaction
from meetings.errors import AppError, not_found
from meetings.models import Unit, UnitAdmin, User
from meetings.permissions import Perm, manages_unit
from meetings.services.accounts.login import MIN_PASSWORD_LENGTH, hash_password

bp = APIBlueprint("users", __name__, url_prefix="/api/users", abp_tags=[Tag(name="users")])


class UserList(BaseModel):
    users: list[UserOut]


class UserIn(Strict):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=256)
    unit_id: int
    unit_admin: bool = False


@bp.get("", responses={200: UserList, **ERRORS})
@requires(Perm.USERS_MANAGE)
def list_users() -> dict[str, object]:
    """Users of the units the caller manages."""
    me = current_user()
    assert me is not None
    users = db.scalars(select(User).join(Unit, User.unit_id == Unit.id).order_by(User.username))
    visible = [UserOut.of(u) for u in users if u.unit and manages_unit(me, u.unit)]
    return UserList(users=visible).model_dump(mode="json")


@bp.post("", responses={201: UserOut, 409: ERRORS[400], **ERRORS})
@requires(Perm.USERS_MANAGE)
def create_user(body: UserIn) -> tuple[dict[str, object], int]:
    me = current_user()
    assert me is not None
    unit = db.get(Unit, body.unit_id)
    if unit is None or not manages_unit(me, unit):
        raise not_found("Không tìm thấy đơn vị.")
    username = body.username.lower()
    if db.scalar(select(User.id).where(func.lower(User.username) == username)) is not None:
        raise AppError("conflict", "Tên đăng nhập đã tồn tại.")
    try:
        with transaction() as s:
            user = User(
                username=username,
                full_name=body.full_name.strip(),
                password_hash=hash_password(body.password),
                unit_id=unit.id,
            )
            s.add(user)
            s.flush()
            if body.unit_admin:
                s.add(UnitAdmin(user_id=user.id, unit_id=unit.id))
    except IntegrityError as exc:  # a concurrent create of the same name
        raise AppError("conflict", "Tên đăng nhập đã tồn tại.") from exc
    db.refresh(user)
    return UserOut.of(user).model_dump(mode="json"), 201
