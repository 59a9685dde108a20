"""Server events: a catalogue (for docs and checks) and an outbox emptied after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import update

from meetings.db import db
from meetings.extensions import socketio
from meetings.models import Meeting
from meetings.permissions import Perm
from meetings.realtime import contract


@dataclass(frozen=True)
class EventSpec:
    name: str
    schema: type[BaseModel]
    summary: str
    example: dict[str, Any]
    # None: versioned, to everyone in the meeting. A permission: unversioned, only to the
    # people holding it (drafts and other things the room must not see).
    audience: Perm | None = None
    # False: about the connection's login, not a meeting (the envelope's meeting_id is null).
    meeting_scoped: bool = True


EVENTS: dict[str, EventSpec] = {}

log = logging.getLogger(__name__)

# Server-side reactions to a committed event (e.g. the video bridge follows the floor);
# called after the event was emitted, outside the transaction, one failure never spreads.
SentListener = Callable[[str, dict[str, Any]], None]
SENT_LISTENERS: dict[str, list[SentListener]] = {}


def on_sent(name: str) -> Callable[[SentListener], SentListener]:
    def register(fn: SentListener) -> SentListener:
        listeners = SENT_LISTENERS.setdefault(name, [])
        if fn not in listeners:
            listeners.append(fn)
        return fn

    return register


def event(
    name: str,
    *,
    schema: type[BaseModel],
    summary: str,
    example: dict[str, Any],
    audience: Perm | None = None,
    meeting_scoped: bool = True,
) -> None:
    if name in EVENTS:
        raise RuntimeError(f"event {name} registered twice")
    if audience is not None and audience not in AUDIENCES:
        raise RuntimeError(f"event {name}: no audience room for {audience}")
    if schema.model_config.get("extra") != "forbid":
        raise RuntimeError(f"event {name}: its schema must forbid extra fields")
    schema.model_validate(example)
    EVENTS[name] = EventSpec(name, schema, summary, example, audience, meeting_scoped)


def check_event(name: str, payload: Any) -> None:
    """The payload as it goes on the wire: the envelope, and `data` against the event's
    schema (only when payload checks are on; see contract.py)."""
    if not contract.ENABLED:
        return
    spec = EVENTS.get(name)
    if spec is None:
        contract.violation(f"event {name}", "not in the event catalogue")
    elif not isinstance(payload, dict) or set(payload) != {"meeting_id", "version", "data"}:
        contract.violation(f"event {name}", "not a {meeting_id, version, data} envelope")
    else:
        envelope = Envelope if spec.meeting_scoped else SessionEnvelope
        contract.check(envelope, payload, f"event {name} envelope")
        contract.check(spec.schema, payload["data"], f"event {name}")


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    meeting_id: int
    version: int | None
    data: Any


class SessionEnvelope(BaseModel):
    """The envelope of an event about the login, not a meeting."""

    model_config = ConfigDict(extra="forbid", strict=True)
    meeting_id: None
    version: None
    data: Any


def emit_event(
    name: str,
    payload: Any,
    *,
    to: str,
    skip_sid: str | None = None,
    ignore_queue: bool = False,
) -> None:
    """The one way an event leaves the server: checked, then emitted to a room
    (`ignore_queue`: to this worker's clients only, not through the message queue)."""
    check_event(name, payload)
    socketio.emit(name, payload, to=to, skip_sid=skip_sid, ignore_queue=ignore_queue)


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


# Permissions that have a room of their own in each meeting; `meeting.join` puts a
# connection in the rooms of the permissions its person holds.
AUDIENCES = frozenset({Perm.POLL_MANAGE, Perm.CONFERENCE_JOIN})


def audience_room(meeting_id: int, perm: Perm) -> str:
    return f"meeting:{meeting_id}:{perm.value}"


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

    def meeting_event(self, meeting_id: int, name: str, data: Any) -> int | None:
        """Queue an event; a room-wide one bumps the meeting version, an audience one not
        (people outside the audience would see a gap and fetch a snapshot for nothing)."""
        spec = EVENTS.get(name)
        if spec is None:
            raise RuntimeError(f"event {name} is not in the catalogue")
        body = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
        if spec.audience is not None:
            envelope = {"meeting_id": meeting_id, "version": None, "data": body}
            self._items.append((audience_room(meeting_id, spec.audience), name, envelope))
            return None
        version = bump_version(meeting_id)
        envelope = {"meeting_id": meeting_id, "version": version, "data": body}
        self._items.append((meeting_room(meeting_id), name, envelope))
        return version

    def send(self) -> None:
        items, self._items = self._items, []
        for room, name, envelope in items:
            emit_event(name, envelope, to=room)
        for _room, name, envelope in items:
            for listener in SENT_LISTENERS.get(name, ()):
                try:
                    listener(name, envelope)
                except Exception:
                    log.exception("listener for %s failed", name)
