"""What browsers see of a conference: the `conference` snapshot part and
`conference.updated` for everyone, `conference.stats` for the control room."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from meetings.db import db, transaction
from meetings.events.outbox import Outbox
from meetings.extensions import socketio
from meetings.media_bridge import nodes
from meetings.media_bridge.conference_state import CONFERENCES, Conference, control_room
from meetings.models import Meeting, MeetingBridge, Participant, Unit
from meetings.realtime.events import emit_event

STATS_MIN_INTERVAL_S = 2.0  # conference.stats at most this often per meeting


def _invited_units(meeting: Meeting) -> list[Unit]:
    ids = set(
        db.scalars(select(MeetingBridge.unit_id).where(MeetingBridge.meeting_id == meeting.id))
    )
    ids |= {
        uid
        for uid in db.scalars(
            select(Participant.bridge_unit_id).where(
                Participant.meeting_id == meeting.id, Participant.bridge_unit_id.is_not(None)
            )
        )
        if uid is not None
    }
    ids.add(meeting.host_unit_id)
    return list(db.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.path)))


def view(meeting: Meeting) -> dict[str, Any]:
    """The `conference` snapshot part and the `conference.updated` payload."""
    conf = CONFERENCES.get(meeting.id)
    on_air, why = conf.on_air() if conf else (None, "none")
    if conf is not None and conf.node_id is not None:
        node = nodes.registry.get(conf.node_id)
    else:
        node = next(iter(nodes.registry.all()), None)
    units = {u.id: u for u in _invited_units(meeting)}
    if conf:  # a site may belong to a unit invited after it joined; list it anyway
        for joined in conf.sites.values():
            if joined.unit_id not in units:
                extra = db.get(Unit, joined.unit_id)
                if extra is not None:
                    units[extra.id] = extra
    sites = []
    for unit in sorted(units.values(), key=lambda u: (u.id != meeting.host_unit_id, u.path)):
        site = conf.sites.get(unit.id) if conf else None
        sites.append(
            {
                "unit_id": unit.id,
                "name": unit.name,
                "depth": unit.depth,
                "chair_room": unit.id == meeting.host_unit_id,
                "state": site.state if site else "offline",
                "peer_id": site.peer_id if site else None,
                "muted": bool(conf and unit.id in conf.muted),
                "on_air": on_air is not None and on_air.unit_id == unit.id,
            }
        )
    return {
        "node": {"available": node is not None, "node_id": node.node_id if node else None},
        "on_air": (
            {
                "unit_id": on_air.unit_id,
                "name": on_air.name,
                "peer_id": on_air.peer_id,
                "why": why,
                "pending": bool(conf and conf.switched_main != on_air.peer_id),
            }
            if on_air is not None
            else None
        ),
        "chair_unit_id": meeting.host_unit_id,
        "recording": dict(conf.recording) if conf and conf.recording else None,
        "ended": meeting.status.value in ("ended", "cancelled"),
        "sites": sites,
    }


def publish(meeting_id: int, outbox: Outbox | None = None) -> None:
    """Queue conference.updated: in a command's outbox, or in a transaction of our own."""
    if outbox is not None:
        meeting = db.get(Meeting, meeting_id)
        if meeting is not None:
            outbox.meeting_event(meeting_id, "conference.updated", view(meeting))
        return
    own = Outbox()
    with transaction():
        meeting = db.get(Meeting, meeting_id)
        if meeting is None:
            return
        own.meeting_event(meeting_id, "conference.updated", view(meeting))
    own.send()


def stats_view(conf: Conference) -> dict[str, Any]:
    return {
        "sites": [
            {"unit_id": s.unit_id, "peer_id": s.peer_id, "state": s.state, **s.stats}
            for s in conf.sites.values()
        ]
    }


def schedule_stats(conf: Conference) -> None:
    """conference.stats to the control room, at most every STATS_MIN_INTERVAL_S."""
    if conf.stats_pending:
        return
    conf.stats_pending = True
    socketio.start_background_task(_send_stats_later, conf)


def _send_stats_later(conf: Conference) -> None:
    wait = STATS_MIN_INTERVAL_S - (time.monotonic() - conf.stats_sent_at)
    if wait > 0:
        socketio.sleep(wait)
    conf.stats_pending = False
    conf.stats_sent_at = time.monotonic()
    envelope = {"meeting_id": conf.meeting_id, "version": None, "data": stats_view(conf)}
    emit_event("conference.stats", envelope, to=control_room(conf.meeting_id))
