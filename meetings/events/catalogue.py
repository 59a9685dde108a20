"""The event catalogue (for docs and checks), its rooms and the envelope every event wears."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from meetings.events import contract
from meetings.permissions import Perm


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

# Permissions that have a room of their own in each meeting; `meeting.join` puts a
# connection in the rooms of the permissions its person holds.
AUDIENCES = frozenset({Perm.POLL_MANAGE, Perm.CONFERENCE_JOIN})


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


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def audience_room(meeting_id: int, perm: Perm) -> str:
    return f"meeting:{meeting_id}:{perm.value}"


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
