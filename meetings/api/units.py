"""The organisation tree (read-only over HTTP; loaded by `python -m meetings units import`)."""

from __future__ import annotations

from flask_openapi3 import Tag
from pydantic import BaseModel
from sqlalchemy import select

from meetings.api.registry import ApiBlueprint, Ctx
from meetings.api.schemas import UnitOut
from meetings.db import db
from meetings.errors import not_found
from meetings.models import Unit
from meetings.permissions import Perm

bp = ApiBlueprint("units", __name__, url_prefix="/api/units", abp_tags=[Tag(name="units")])


class UnitList(BaseModel):
    units: list[UnitOut]


class UnitPath(BaseModel):
    unit_id: int


class UnitDetail(UnitOut):
    bridge_id: int | None
    bridge_name: str | None


@bp.declare("get", "", Perm.SIGNED_IN, responses={200: UnitList})
def list_units(ctx: Ctx) -> dict[str, object]:
    """Every unit in tree order (by materialised path), with its depth."""
    units = db.scalars(select(Unit).order_by(Unit.path))
    return UnitList(units=[UnitOut.of(u) for u in units]).model_dump(mode="json")


@bp.declare("get", "/<int:unit_id>", Perm.SIGNED_IN, responses={200: UnitDetail})
def get_unit(ctx: Ctx, path: UnitPath) -> dict[str, object]:
    unit = db.get(Unit, path.unit_id)
    if unit is None:
        raise not_found("Không tìm thấy đơn vị.")
    return UnitDetail(
        **UnitOut.of(unit).model_dump(),
        bridge_id=unit.bridge.id if unit.bridge else None,
        bridge_name=unit.bridge.name if unit.bridge else None,
    ).model_dump(mode="json")
