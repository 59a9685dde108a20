"""The video conference of each meeting: sites on peers, the on-air site, mutes, recording.

One site per unit: a bridge operator's browser is their bridge unit's site, the chair's
is the chair room (the meeting's host unit). Each site is one WebRTC peer on the
meeting's media node, which has fixed slots (docs/media-control.md):

    main   ← the on-air site's camera        chair  ← the chair room's camera
    audio1 ← the chair room's microphone     audio2 ← the on-air site's microphone

On air is, in order: the site the chair put on air (`conference.on_air`), else the site
of the granted speaker when that speaker is a bridge, else the chair room. Granting the
floor to a bridge clears the chair's manual choice, so the new speaker is seen.

Everything here is in memory of this web worker; after a web restart the node's
re-registration closes the peers web no longer knows, and browsers rejoin by themselves.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Any

from meetings.db import db
from meetings.errors import AppError
from meetings.events.outbox import on_sent
from meetings.extensions import socketio
from meetings.media_bridge import nodes
from meetings.media_bridge.conference_state import (
    CONFERENCES,
    Conference,
    Site,
    conference_for,
    early_states,
    node_meeting_id,
)
from meetings.media_bridge.conference_view import publish, schedule_stats
from meetings.media_bridge.node_errors import app_error
from meetings.media_bridge.nodes import NodeError
from meetings.models import Meeting, MeetingRole, Unit, User
from meetings.permissions import meeting_role
from meetings.services.room.guards import ensure_live

log = logging.getLogger(__name__)

SOCKET_GRACE_S = 15.0  # a site whose browser socket is gone this long is closed


# --- slots ------------------------------------------------------------------------------------


def reconcile(conf: Conference) -> None:
    """Order the node to feed each slot from the site the rules say; only what differs."""
    with conf.lock:
        if conf.node_id is None or nodes.registry.get(conf.node_id) is None:
            return
        for slot, source in conf.desired_slots().items():
            if conf.applied.get(slot, None) == source:
                continue
            try:
                nodes.call(
                    conf.node_id,
                    "slot.set",
                    {
                        "meeting_id": node_meeting_id(conf.meeting_id),
                        "slot": slot,
                        "source_peer_id": source,
                    },
                )
            except NodeError as exc:
                if exc.code == "not_found" and source is None:
                    conf.applied[slot] = None  # the node has no such meeting: nothing to clear
                    continue
                log.warning("slot.set %s=%s failed: %s %s", slot, source, exc.code, exc.message)
                continue
            conf.applied[slot] = source


def _drop_site(conf: Conference, site: Site) -> None:
    if conf.sites.get(site.unit_id) is site:
        del conf.sites[site.unit_id]
    for slot, source in conf.applied.items():
        if source == site.peer_id:
            conf.applied[slot] = None  # the node empties slots of a peer that leaves
    if conf.switched_main == site.peer_id:
        conf.switched_main = None


def _close_peer(conf: Conference, site: Site) -> None:
    try:
        nodes.call(site.node_id, "peer.close", {"peer_id": site.peer_id})
    except NodeError as exc:
        if exc.code != "not_found":
            log.warning("peer.close %s failed: %s", site.peer_id, exc.code)
    _drop_site(conf, site)


# --- browser commands (called by meetings.realtime.conference) --------------------------------


def _site_unit(meeting: Meeting, user: User) -> tuple[Unit, str]:
    participant = meeting_role(user, meeting.id)
    if participant is not None and participant.role is MeetingRole.BRIDGE_OPERATOR:
        unit = db.get(Unit, participant.bridge_unit_id) if participant.bridge_unit_id else None
        if unit is None:
            raise AppError("conflict", "Tài khoản điểm cầu chưa được gán đơn vị.")
        return unit, "site"
    if participant is not None and participant.role is MeetingRole.CHAIR:
        return meeting.host_unit, "chair"
    raise AppError(
        "permission_denied", "Chỉ cán bộ điểm cầu và phòng chủ trì mới kết nối truyền hình."
    )


def join(meeting: Meeting, user: User, offer: dict[str, Any], sid: str | None) -> dict[str, Any]:
    ensure_live(meeting)
    unit, role = _site_unit(meeting, user)
    conf = conference_for(meeting)
    with conf.lock:
        node = nodes.registry.get(conf.node_id)
        if node is None:
            if any(s for s in conf.sites.values()):  # its node is away: wait for it
                raise AppError("unavailable", "Máy chủ truyền hình đang kết nối lại.")
            node = nodes.registry.choose([meeting.host_unit.code, unit.code])
        if node is None:
            raise AppError("unavailable", "Chưa có máy chủ truyền hình nào kết nối.")
        if not node.serves(unit.code):
            raise AppError(
                "unavailable", "Máy chủ truyền hình của cuộc họp không phục vụ đơn vị này."
            )
        old = conf.sites.get(unit.id)
        if old is not None:  # a reload or a second browser of the same site replaces it
            _close_peer(conf, old)
        peer_id = f"m{meeting.id}-u{unit.id}-{secrets.token_hex(4)}"
        try:
            data = nodes.call(
                node.node_id,
                "peer.create",
                {
                    "peer_id": peer_id,
                    "meeting_id": node_meeting_id(meeting.id),
                    "unit_code": unit.code,
                    "role": role,
                    "offer": offer,
                },
            )
        except NodeError as exc:
            raise app_error(exc) from exc
        conf.node_id, conf.node_online = node.node_id, True
        site = Site(
            peer_id=peer_id,
            unit_id=unit.id,
            unit_code=unit.code,
            name=unit.name,
            role=role,
            user_id=user.id,
            node_id=node.node_id,
            sid=sid,
            publishes=tuple(data.get("publishes") or ()),
            state=early_states.pop(peer_id, "connecting"),
        )
        conf.sites[unit.id] = site
        if unit.id in conf.muted and "audio" in site.publishes:
            _mute_on_node(conf, site, True)
        reconcile(conf)
    return {
        "peer_id": peer_id,
        "answer": data.get("answer"),
        "unit_id": unit.id,
        "role": role,
        "video_codec": data.get("video_codec"),
    }


def _own_site(meeting: Meeting, user: User, peer_id: str) -> tuple[Conference, Site]:
    conf = CONFERENCES.get(meeting.id)
    site = conf.site_by_peer(peer_id) if conf else None
    if conf is None or site is None or site.user_id != user.id:
        raise AppError("not_found", "Không tìm thấy kết nối truyền hình.")
    return conf, site


def candidate(
    meeting: Meeting, user: User, peer_id: str, cand: dict[str, Any] | None, sid: str | None
) -> None:
    _conf, site = _own_site(meeting, user, peer_id)
    site.sid = sid or site.sid
    try:
        nodes.call(site.node_id, "peer.candidate", {"peer_id": peer_id, "candidate": cand})
    except NodeError as exc:
        raise app_error(exc) from exc


def leave(meeting: Meeting, user: User, peer_id: str) -> None:
    conf, site = _own_site(meeting, user, peer_id)
    with conf.lock:
        _close_peer(conf, site)
        reconcile(conf)


def report(
    meeting: Meeting, user: User, peer_id: str, numbers: dict[str, Any], sid: str | None
) -> None:
    """The site's own view of its link (RTT, loss, bitrates from getStats)."""
    conf, site = _own_site(meeting, user, peer_id)
    site.sid = sid or site.sid
    site.stats.update({k: v for k, v in numbers.items() if v is not None})
    schedule_stats(conf)


def on_air(meeting: Meeting, unit_id: int | None) -> None:
    ensure_live(meeting)
    conf = conference_for(meeting)
    with conf.lock:
        if unit_id is not None and unit_id not in conf.sites:
            raise AppError("conflict", "Điểm cầu này chưa kết nối.")
        if unit_id is not None and "video" not in conf.sites[unit_id].publishes:
            raise AppError("conflict", "Điểm cầu này không gửi hình.")
        conf.manual_unit_id = unit_id
        reconcile(conf)


def _mute_on_node(conf: Conference, site: Site, muted: bool) -> None:
    try:
        nodes.call(
            site.node_id,
            "site.mute",
            {
                "meeting_id": node_meeting_id(conf.meeting_id),
                "peer_id": site.peer_id,
                "muted": muted,
            },
        )
    except NodeError as exc:
        raise app_error(exc) from exc


def mute(meeting: Meeting, unit_id: int, muted: bool) -> None:
    ensure_live(meeting)
    conf = conference_for(meeting)
    with conf.lock:
        site = conf.sites.get(unit_id)
        if site is not None and "audio" in site.publishes:
            _mute_on_node(conf, site, muted)
        (conf.muted.add if muted else conf.muted.discard)(unit_id)


def recording_start(meeting: Meeting) -> dict[str, Any]:
    ensure_live(meeting)
    conf = conference_for(meeting)
    with conf.lock:
        if conf.recording is not None:
            raise AppError("conflict", "Cuộc họp đang được ghi hình.")
        if not conf.sites or nodes.registry.get(conf.node_id) is None:
            raise AppError("conflict", "Chưa có điểm cầu nào kết nối để ghi hình.")
        recording_id = datetime.now(UTC).strftime("r%Y%m%dT%H%M%S")
        try:
            data = nodes.call(
                conf.node_id,
                "recording.start",
                {"meeting_id": node_meeting_id(meeting.id), "recording_id": recording_id},
            )
        except NodeError as exc:
            raise app_error(exc) from exc
        conf.recording = {
            "recording_id": recording_id,
            "started_at": datetime.now(UTC).isoformat(),
            "file": str(data.get("path", "")).rsplit("/", 1)[-1],
        }
        return dict(conf.recording)


def recording_stop(meeting: Meeting) -> dict[str, Any]:
    conf = CONFERENCES.get(meeting.id)
    recording = conf.recording if conf is not None else None
    if conf is None or recording is None:
        raise AppError("conflict", "Cuộc họp không đang ghi hình.")
    with conf.lock:
        return _stop_recording(conf, recording)


def _stop_recording(conf: Conference, recording: dict[str, Any]) -> dict[str, Any]:
    """The node closes the file (it stays in the recordings folder, listed by REST);
    ``recording`` is ``conf.recording``, which the caller found set."""
    try:
        data = nodes.call(
            conf.node_id, "recording.stop", {"meeting_id": node_meeting_id(conf.meeting_id)}
        )
    except NodeError as exc:
        if exc.code != "not_found":
            raise app_error(exc) from exc
        data = {}
    recording_id = recording["recording_id"]
    conf.recording = None
    return {
        "recording_id": recording_id,
        "bytes": data.get("bytes"),
        "duration_s": data.get("duration_s"),
    }


def socket_gone(sid: str) -> None:
    """A browser's Socket.IO link dropped: close its sites unless it comes back soon."""
    for conf in list(CONFERENCES.values()):
        for site in list(conf.sites.values()):
            if site.sid == sid:
                site.sid = None
                socketio.start_background_task(_close_if_abandoned, conf, site)


def _close_if_abandoned(conf: Conference, site: Site) -> None:
    socketio.sleep(SOCKET_GRACE_S)
    if site.sid is not None or conf.sites.get(site.unit_id) is not site:
        return  # its browser is back (a report or candidate named the new sid) or it left
    try:
        with conf.lock:
            _close_peer(conf, site)
            reconcile(conf)
        publish(conf.meeting_id)
    finally:
        db.remove()


# --- the floor: a bridge given the floor goes on air -------------------------------------


@on_sent("speaker.updated")
def _speaker_changed(_name: str, envelope: dict[str, Any]) -> None:
    conf = CONFERENCES.get(int(envelope.get("meeting_id", 0)))
    if conf is None:
        return
    current = (envelope.get("data") or {}).get("current")
    request_id = current.get("id") if current else None
    if request_id == conf.speaker_request_id:
        return
    bridge = current.get("bridge_unit") if current else None
    before = conf.on_air()[0]
    with conf.lock:
        conf.speaker_request_id = request_id
        conf.speaker_unit_id = bridge["id"] if bridge else None
        if conf.speaker_unit_id is not None and conf.speaker_unit_id in conf.sites:
            conf.manual_unit_id = None  # the floor decides anew
        reconcile(conf)
    if conf.on_air()[0] is not before:
        publish(conf.meeting_id)


# --- the end of the meeting: the conference ends with it ----------------------------------


@on_sent("meeting.updated")
def _meeting_changed(_name: str, envelope: dict[str, Any]) -> None:
    """After the commit of "Bế mạc" (or a cancel): recording stopped and kept, every site's
    peer closed; the bridges learn it from this conference.updated (`ended`) and the
    meeting's own events. services/room/meeting_end.py closes the database side."""
    if (envelope.get("data") or {}).get("status") not in ("ended", "cancelled"):
        return
    conf = CONFERENCES.get(int(envelope.get("meeting_id", 0)))
    if conf is None or conf.ended:
        return
    end(conf)
    publish(conf.meeting_id)


def end(conf: Conference) -> None:
    with conf.lock:
        conf.ended = True
        if conf.recording is not None:
            try:
                _stop_recording(conf, conf.recording)
            except AppError as exc:  # the node is away: stopped when it registers again
                log.warning("recording.stop at meeting end failed: %s", exc.message)
                conf.recording = None
        for site in list(conf.sites.values()):
            _close_peer(conf, site)
        conf.manual_unit_id = None
        conf.muted.clear()
