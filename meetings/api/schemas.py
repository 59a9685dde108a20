"""Shared API schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from meetings.models import Unit, User
from meetings.permissions import admin_units


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, object] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class UnitOut(BaseModel):
    id: int
    code: str
    name: str
    type: str
    parent_id: int | None = None
    depth: int = 0

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        return cls(
            id=unit.id,
            code=unit.code,
            name=unit.name,
            type=unit.type,
            parent_id=unit.parent_id,
            depth=unit.depth,
        )


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    unit: UnitOut | None
    is_system_admin: bool
    admin_unit_ids: list[int]

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            unit=UnitOut.of(user.unit) if user.unit else None,
            is_system_admin=user.is_system_admin,
            admin_unit_ids=[u.id for u in admin_units(user)],
        )


ERRORS: dict[str | int, type[BaseModel] | dict[Any, Any] | None] = {
    400: ErrorBody,
    401: ErrorBody,
    403: ErrorBody,
    404: ErrorBody,
}
