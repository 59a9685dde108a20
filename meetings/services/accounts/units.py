"""Load the organisation tree from the province's JSON file (idempotent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from meetings.db import transaction
from meetings.models import Bridge, Unit


class UnitNode(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=64)
    children: list[UnitNode] = []


def bridge_name(unit_name: str) -> str:
    return f"Điểm cầu {unit_name}"


def import_units(source: Path | dict[str, Any]) -> dict[str, int]:
    """Insert or update every unit by code; returns counts of created and updated units."""
    raw = json.loads(Path(source).read_text("utf-8")) if isinstance(source, Path) else source
    root = UnitNode.model_validate(raw)
    created = updated = 0
    with transaction() as s:
        existing = {u.code: u for u in s.scalars(select(Unit))}

        def visit(node: UnitNode, parent: Unit | None) -> None:
            nonlocal created, updated
            unit = existing.get(node.code)
            path = f"{parent.path if parent else '/'}{node.code}/"
            depth = parent.depth + 1 if parent else 0
            if unit is None:
                unit = Unit(code=node.code, name=node.name, type=node.type, path=path, depth=depth)
                unit.parent = parent
                unit.bridge = Bridge(name=bridge_name(node.name))
                s.add(unit)
                existing[node.code] = unit
                created += 1
            elif (unit.name, unit.type, unit.path, unit.parent) != (
                node.name,
                node.type,
                path,
                parent,
            ):
                unit.name, unit.type, unit.path, unit.depth = node.name, node.type, path, depth
                unit.parent = parent
                updated += 1
            s.flush()
            for child in node.children:
                visit(child, unit)

        visit(root, None)
        total = len(existing)
    return {"created": created, "updated": updated, "total": total}
