"""The full meeting state a client gets on join or after a version gap.

Each domain registers its part (agenda, attendance, speakers, poll, presenter...) with the
schema of what it returns; the snapshot's schema is made of those, so the document and the
payload checks cannot drift from the parts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from meetings.models import Meeting, User

SnapshotPart = Callable[[Meeting, User], Any]
PARTS: dict[str, SnapshotPart] = {}
PART_SCHEMAS: dict[str, Any] = {}
_model: dict[tuple[str, ...], type[BaseModel]] = {}


def snapshot_part(name: str, *, schema: Any) -> Callable[[SnapshotPart], SnapshotPart]:
    """`schema`: a pydantic model or a type such as `Model | None` or `list[Model]`."""

    def register(fn: SnapshotPart) -> SnapshotPart:
        if name in PARTS:
            raise RuntimeError(f"snapshot part {name} registered twice")
        PARTS[name] = fn
        PART_SCHEMAS[name] = schema
        return fn

    return register


def snapshot_schema() -> type[BaseModel]:
    """The model of `build_snapshot`'s output, made of the registered parts' schemas."""
    key = tuple(sorted(PART_SCHEMAS))  # by name: the same model whatever the import order
    if key not in _model:
        fields: dict[str, Any] = {"meeting_id": (int, ...), "version": (int, ...)}
        fields.update({name: (PART_SCHEMAS[name], ...) for name in key})
        _model[key] = create_model("Snapshot", __config__=ConfigDict(extra="forbid"), **fields)
    return _model[key]


def build_snapshot(meeting: Meeting, user: User) -> dict[str, Any]:
    return {
        "meeting_id": meeting.id,
        "version": meeting.state_version,
        **{name: part(meeting, user) for name, part in PARTS.items()},
    }
