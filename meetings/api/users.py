"""Accounts, managed by system admins and by unit admins within their subtree."""

from __future__ import annotations

from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from meetings.api.registry import ApiBlueprint, Ctx
from meetings.api.schemas import CONFLICT, Strict, UserOut
from meetings.permissions import Perm
from meetings.services.accounts import users as svc

bp = ApiBlueprint("users", __name__, url_prefix="/api/users", abp_tags=[Tag(name="users")])


class UserList(BaseModel):
    users: list[UserOut]


class UserIn(Strict):
    username: str = Field(pattern=svc.USERNAME_PATTERN)
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=256)  # strength: services/accounts/passwords.py
    unit_id: int
    unit_admin: bool = False


@bp.declare("get", "", Perm.USERS_MANAGE, responses={200: UserList})
def list_users(ctx: Ctx) -> dict[str, object]:
    """Users of the units the caller manages."""
    users = [UserOut.of(u) for u in svc.managed_users(ctx.me)]
    return UserList(users=users).model_dump(mode="json")


@bp.declare("post", "", Perm.USERS_MANAGE, responses={201: UserOut, **CONFLICT})
def create_user(ctx: Ctx, body: UserIn) -> tuple[dict[str, object], int]:
    user = svc.create_user(ctx.me, svc.NewUser(**body.model_dump()))
    return UserOut.of(user).model_dump(mode="json"), 201
