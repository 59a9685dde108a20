"""The full meeting state a client gets on join or after a version gap.

Each domain registers its part (agenda, attendance, speakers, poll, presenter...) here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from meetings.models import Meeting, User

SnapshotPart = Callable[[Meeting, User], Any]
PARTS: dict[str, SnapshotPart] = {}


def snapshot_part(name: str) -> Callable[[SnapshotPart], SnapshotPart]:
    def register(fn: SnapshotPart) -> SnapshotPart:
        if name in PARTS:
            raise RuntimeError(f"snapshot part {name} registered twice")
        PARTS[name] = fn
        return fn

    return register


def build_snapshot(meeting: Meeting, user: User) -> dict[str, Any]:
    return {
        "meeting_id": meeting.id,
        "version": meeting.state_version,
        **{name: part(meeting, user) for name, part in PARTS.items()},
    }
