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
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from meetings.db import db, transaction
from meetings.errors import AppError
from meetings.events.outbox import Outbox, on_sent
from meetings.extensions import socketio
from meetings.media_bridge import nodes
from meetings.media_bridge.nodes import NodeError
from meetings.models import Meeting, MeetingBridge, MeetingRole, Participant, Unit, User
from meetings.permissions import meeting_role
from meetings.realtime.events import emit_event
from meetings.services.room.meetings import ensure_live
from meetings.services.room.speakers import current_speaker

log = logging.getLogger(__name__)

SOCKET_GRACE_S = 15.0  # a site whose browser socket is gone this long is closed
STATS_MIN_INTERVAL_S = 2.0  # conference.stats at most this often per meeting
EARLY_STATES_MAX = 256


def node_meeting_id(meeting_id: int) -> str:
    return f"m{meeting_id}"


def web_meeting_id(node_meeting: str) -> int | None:
    if node_meeting.startswith("m") and node_meeting[1:].isdigit():
        return int(node_meeting[1:])
    return None


def control_room(meeting_id: int) -> str:
    """Socket.IO room of those who run the conference: they get conference.stats."""
    return f"conference:{meeting_id}"


@dataclass
class Site:
    peer_id: str
    unit_id: int
    unit_code: str
    name: str
    role: str  # "site" | "chair" (the chair room)
    user_id: int
    node_id: str
    sid: str | None
    publishes: tuple[str, ...]
    state: str = "connecting"
    joined_at: float = field(default_factory=time.monotonic)
    stats: dict[str, Any] = field(default_factory=dict)
    last_bytes: int | None = None
    last_frames: int | None = None
    last_stats_at: float | None = None


@dataclass
class Conference:
    meeting_id: int
    host_unit_id: int
    node_id: str | None = None
    node_online: bool = True
    sites: dict[int, Site] = field(default_factory=dict)  # unit id → site
    manual_unit_id: int | None = None
    speaker_request_id: int | None = None
    speaker_unit_id: int | None = None
    muted: set[int] = field(default_factory=set)
    applied: dict[str, str | None] = field(default_factory=dict)  # slot → peer id ordered
    switched_main: str | None = None  # the main slot's source once its keyframe arrived
    recording: dict[str, Any] | None = None
    ended: bool = False  # the meeting ended: peers closed, nobody joins again
    lock: threading.RLock = field(default_factory=threading.RLock)
    stats_pending: bool = False
    stats_sent_at: float = 0.0

    def site_by_peer(self, peer_id: str) -> Site | None:
        return next((s for s in self.sites.values() if s.peer_id == peer_id), None)

    @property
    def chair_site(self) -> Site | None:
        return next((s for s in self.sites.values() if s.role == "chair"), None)

    def on_air(self) -> tuple[Site | None, str]:
        """(site, why): why is "manual", "speaker", "chair" or "none"."""
        if self.manual_unit_id is not None and self.manual_unit_id in self.sites:
            return self.sites[self.manual_unit_id], "manual"
        if self.speaker_unit_id is not None and self.speaker_unit_id in self.sites:
            return self.sites[self.speaker_unit_id], "speaker"
        chair = self.chair_site
        return (chair, "chair") if chair else (None, "none")

    def desired_slots(self) -> dict[str, str | None]:
        on_air, _why = self.on_air()
        chair = self.chair_site

        def src(site: Site | None, kind: str) -> str | None:
            return site.peer_id if site is not None and kind in site.publishes else None

        return {
            "main": src(on_air, "video"),
            "chair": src(chair, "video"),
            "audio1": src(chair, "audio"),
            "audio2": src(on_air, "audio") if on_air is not chair else None,
        }


CONFERENCES: dict[int, Conference] = {}
_early_states: dict[str, str] = {}  # peer.state that arrived before peer.create's ack
_registry_lock = threading.Lock()


def get(meeting_id: int) -> Conference | None:
    return CONFERENCES.get(meeting_id)


def watch(meeting: Meeting) -> None:
    """Someone looks at the conference: keep its state, so node changes reach them."""
    _conference(meeting)


def _conference(meeting: Meeting) -> Conference:
    with _registry_lock:
        conf = CONFERENCES.get(meeting.id)
        if conf is None:
            conf = Conference(
                meeting_id=meeting.id,
                host_unit_id=meeting.host_unit_id,
                ended=meeting.status.value in ("ended", "cancelled"),
            )
            speaker = current_speaker(meeting.id)
            if speaker is not None:
                conf.speaker_request_id = speaker["id"]
                bridge = speaker.get("bridge_unit")
                conf.speaker_unit_id = bridge["id"] if bridge else None
            CONFERENCES[meeting.id] = conf
        return conf


def reset() -> None:
    """Forget everything (tests)."""
    CONFERENCES.clear()
    _early_states.clear()


NODE_MESSAGES = {
    "unavailable": "Máy chủ truyền hình không trả lời, vui lòng thử lại.",
    "timeout": "Máy chủ truyền hình không trả lời, vui lòng thử lại.",
    "not_found": "Máy chủ truyền hình không còn giữ kết nối này; trang sẽ kết nối lại.",
    "conflict": "Máy chủ truyền hình từ chối thao tác này (kết nối trùng hoặc điểm cầu "
    "không gửi loại tín hiệu đó).",
    "invalid_payload": "Yêu cầu gửi máy chủ truyền hình không hợp lệ.",
    "invalid_sdp": "Trình duyệt gửi thông tin kết nối (SDP) không hợp lệ: cần có hình hoặc tiếng.",
    "invalid_candidate": "Thông tin mạng (ICE candidate) của trình duyệt không hợp lệ.",
    "no_common_codec": "Trình duyệt không hỗ trợ chuẩn nén video của cuộc họp.",
}


def _app_error(exc: NodeError) -> AppError:
    code = {
        "unavailable": "unavailable",
        "timeout": "unavailable",
        "not_found": "not_found",
        "conflict": "conflict",
        "invalid_payload": "invalid_payload",
        "invalid_sdp": "invalid_payload",
        "invalid_candidate": "invalid_payload",
        "no_common_codec": "no_common_codec",
    }.get(exc.code, "unavailable")
    # Users read the message; the node's own (English, technical) text stays in details.
    return AppError(
        code,
        NODE_MESSAGES.get(exc.code, NODE_MESSAGES["unavailable"]),
        {"node_code": exc.code, "node_message": exc.message},
    )


# --- public state ---------------------------------------------------------------------------


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


def _schedule_stats(conf: Conference) -> None:
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
    conf = _conference(meeting)
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
            raise _app_error(exc) from exc
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
            state=_early_states.pop(peer_id, "connecting"),
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
        raise _app_error(exc) from exc


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
    _schedule_stats(conf)


def on_air(meeting: Meeting, unit_id: int | None) -> None:
    ensure_live(meeting)
    conf = _conference(meeting)
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
        raise _app_error(exc) from exc


def mute(meeting: Meeting, unit_id: int, muted: bool) -> None:
    ensure_live(meeting)
    conf = _conference(meeting)
    with conf.lock:
        site = conf.sites.get(unit_id)
        if site is not None and "audio" in site.publishes:
            _mute_on_node(conf, site, muted)
        (conf.muted.add if muted else conf.muted.discard)(unit_id)


def recording_start(meeting: Meeting) -> dict[str, Any]:
    ensure_live(meeting)
    conf = _conference(meeting)
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
            raise _app_error(exc) from exc
        conf.recording = {
            "recording_id": recording_id,
            "started_at": datetime.now(UTC).isoformat(),
            "file": str(data.get("path", "")).rsplit("/", 1)[-1],
        }
        return dict(conf.recording)


def recording_stop(meeting: Meeting) -> dict[str, Any]:
    conf = CONFERENCES.get(meeting.id)
    if conf is None or conf.recording is None:
        raise AppError("conflict", "Cuộc họp không đang ghi hình.")
    with conf.lock:
        return _stop_recording(conf)


def _stop_recording(conf: Conference) -> dict[str, Any]:
    """The node closes the file (it stays in the recordings folder, listed by REST)."""
    assert conf.recording is not None
    try:
        data = nodes.call(
            conf.node_id, "recording.stop", {"meeting_id": node_meeting_id(conf.meeting_id)}
        )
    except NodeError as exc:
        if exc.code != "not_found":
            raise _app_error(exc) from exc
        data = {}
    recording_id = conf.recording["recording_id"]
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
                _stop_recording(conf)
            except AppError as exc:  # the node is away: stopped when it registers again
                log.warning("recording.stop at meeting end failed: %s", exc.message)
                conf.recording = None
        for site in list(conf.sites.values()):
            _close_peer(conf, site)
        conf.manual_unit_id = None
        conf.muted.clear()
