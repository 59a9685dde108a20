"""The outbox: events queued during a transaction, handed to the emitter after it commits.

The emitter is the transport (Socket.IO), installed at start-up with `set_emitter`; this
module never imports it, so services that queue events stay below transport."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import update

from meetings.db import db
from meetings.events.catalogue import EVENTS, audience_room, meeting_room
from meetings.models import Meeting

log = logging.getLogger(__name__)


class Emitter(Protocol):
    def __call__(self, name: str, payload: Any, *, to: str) -> None: ...


_emitter: Emitter | None = None


def set_emitter(fn: Emitter | None) -> None:
    """Install the transport that delivers sent events (None uninstalls it)."""
    global _emitter
    _emitter = fn


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
        # Without a transport the events would vanish after commit: fail where it shows.
        if _emitter is None:
            raise RuntimeError("no event emitter installed: create the app before sending")
        items, self._items = self._items, []
        for room, name, envelope in items:
            _emitter(name, envelope, to=room)
        for _room, name, envelope in items:
            for listener in SENT_LISTENERS.get(name, ()):
                try:
                    listener(name, envelope)
                except Exception:
                    log.exception("listener for %s failed", name)
