"""Shared API schemas: error bodies, the path models most routes take, accounts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from meetings.models import Unit, User
from meetings.permissions import admin_units

Responses = dict[str | int, type[BaseModel] | dict[Any, Any] | None]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, object] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class MeetingPath(BaseModel):
    meeting_id: int


class OkOut(BaseModel):
    ok: bool


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    type: str
    parent_id: int | None = None
    depth: int = 0

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        return cls.model_validate(unit)


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


# Every guarded route can answer these (ApiBlueprint.declare adds them).
ERRORS: Responses = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}
# Routes add the codes of their own refusals from here.
CONFLICT: Responses = {409: ErrorBody}
