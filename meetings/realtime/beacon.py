"""The version beacon: every few seconds each worker tells its own clients in each meeting
room the meeting's current state version (read from the shared database).

Why: an event lost on the way (Redis down, a worker's listener reconnecting) was noticed
only when a later event revealed the gap; a quiet meeting stayed stale for as long as it
stayed quiet. With the beacon a client behind the database resyncs within one period.
Each worker sends only to the clients it holds (`ignore_queue`): it needs no Redis, so
it works during an outage of the queue, and N workers don't send N copies.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from meetings.db import db
from meetings.events.catalogue import event, meeting_room
from meetings.extensions import socketio
from meetings.models import Meeting
from meetings.realtime.events import emit_event

log = logging.getLogger(__name__)

BEACON = "meeting.beacon"
INTERVAL_S = 3.0
_ROOM = re.compile(r"meeting:(\d+)")  # the room of everyone in a meeting, not sub-rooms


class Beacon(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    version: int


event(
    BEACON,
    schema=Beacon,
    summary=f"Nhịp phiên bản: khoảng {INTERVAL_S:g} giây một lần, phiên bản trạng thái hiện "
    "tại của cuộc họp (`data.version`). Phong bì không có version (`version: null`), "
    "không thay đổi trạng thái. Máy trạm có phiên bản nhỏ hơn đã lỡ một sự kiện: "
    "gửi `meeting.snapshot` (nên chờ khoảng 1 giây trước, vì sự kiện có thể đang trên đường).",
    example={"version": 42},
)


def local_meeting_ids(server: Any) -> list[int]:
    """Meetings with at least one client connected to this worker."""
    rooms = server.manager.rooms.get("/", {})
    ids = []
    for name, members in rooms.items():
        found = _ROOM.fullmatch(name) if isinstance(name, str) else None
        if found and members:
            ids.append(int(found.group(1)))
    return ids


def beacon_once(server: Any) -> int:
    """Send one beacon to each meeting room of this worker; returns how many were sent."""
    ids = local_meeting_ids(server)
    if not ids:
        return 0
    try:
        rows = db.execute(select(Meeting.id, Meeting.state_version).where(Meeting.id.in_(ids)))
        versions = [(int(mid), int(version)) for mid, version in rows]
    finally:
        db.remove()
    for meeting_id, version in versions:
        envelope = {"meeting_id": meeting_id, "version": None, "data": {"version": version}}
        emit_event(BEACON, envelope, to=meeting_room(meeting_id), ignore_queue=True)
    return len(versions)


def _run(interval: float) -> None:
    while True:
        socketio.sleep(interval)
        try:
            beacon_once(socketio.server)
        except Exception as exc:  # database down: clients keep what they have; next time
            log.warning("version beacon skipped: %s", type(exc).__name__)


def start_beacon(interval: float = INTERVAL_S) -> None:
    """Start the beacon task of this serving process (not in tests that build apps)."""
    socketio.start_background_task(_run, interval)
