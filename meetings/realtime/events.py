"""Server events: a catalogue (for docs and checks) and an outbox emptied after commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import update

from meetings.db import db
from meetings.extensions import socketio
from meetings.models import Meeting


@dataclass(frozen=True)
class EventSpec:
    name: str
    schema: type[BaseModel]
    summary: str
    example: dict[str, Any]


EVENTS: dict[str, EventSpec] = {}


def event(name: str, *, schema: type[BaseModel], summary: str, example: dict[str, Any]) -> None:
    if name in EVENTS:
        raise RuntimeError(f"event {name} registered twice")
    schema.model_validate(example)
    EVENTS[name] = EventSpec(name, schema, summary, example)


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def bump_version(meeting_id: int) -> int:
    """Atomically increment the meeting's state version inside the current transaction."""
    version = db.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id)
        .values(state_version=Meeting.state_version + 1)
        .returning(Meeting.state_version)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(version)


class Outbox:
    """Events queued during a transaction; `send()` is called only after it commits."""

    def __init__(self) -> None:
        self._items: list[tuple[str, str, dict[str, Any]]] = []

    def meeting_event(self, meeting_id: int, name: str, data: Any) -> int:
        spec = EVENTS.get(name)
        if spec is None:
            raise RuntimeError(f"event {name} is not in the catalogue")
        version = bump_version(meeting_id)
        body = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
        envelope = {"meeting_id": meeting_id, "version": version, "data": body}
        self._items.append((meeting_room(meeting_id), name, envelope))
        return version

    def send(self) -> None:
        items, self._items = self._items, []
        for room, name, envelope in items:
            socketio.emit(name, envelope, to=room)
