"""Media node events and (re)registration, applied to the conferences.

The node reports peer states, stats, slot switches, stalls, audio levels and recording
state (fire and forget: web must not depend on seeing each one). After every
(re)connect it sends a full snapshot, and `_node_registered` reconciles: peers web does
not know are closed, sites the node lost are dropped (their browsers rejoin), slots,
mutes and recording are put back as web wants them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from meetings.errors import AppError
from meetings.media_bridge import nodes
from meetings.media_bridge.conference import _drop_site, _mute_on_node, reconcile
from meetings.media_bridge.conference_state import (
    CONFERENCES,
    EARLY_STATES_MAX,
    Conference,
    Site,
    early_states,
    node_meeting_id,
    web_meeting_id,
)
from meetings.media_bridge.conference_view import publish, schedule_stats
from meetings.media_bridge.nodes import NodeError

log = logging.getLogger(__name__)


def _site_of(payload: dict[str, Any]) -> tuple[Conference, Site] | tuple[None, None]:
    meeting_id = web_meeting_id(str(payload.get("meeting_id", "")))
    conf = CONFERENCES.get(meeting_id) if meeting_id is not None else None
    site = conf.site_by_peer(str(payload.get("peer_id", ""))) if conf else None
    return (conf, site) if conf is not None and site is not None else (None, None)


def _peer_state(node_id: str, payload: dict[str, Any]) -> None:
    conf, site = _site_of(payload)
    state = str(payload.get("state", ""))
    if conf is None or site is None:
        if state in ("connecting", "connected"):  # peer.create's ack may still be on its way
            early_states[str(payload.get("peer_id", ""))] = state
            while len(early_states) > EARLY_STATES_MAX:
                del early_states[next(iter(early_states))]
        return
    if state in ("closed", "failed"):
        with conf.lock:
            _drop_site(conf, site)
            reconcile(conf)
    elif state == site.state:
        return
    else:
        site.state = state
    publish(conf.meeting_id)


def _peer_stats(node_id: str, payload: dict[str, Any]) -> None:
    conf, site = _site_of(payload)
    if conf is None or site is None:
        return
    now = time.monotonic()
    inbound = payload.get("in") or {}
    total = sum(int(v.get("bytes", 0)) for v in inbound.values() if isinstance(v, dict))
    frames = int((inbound.get("video") or {}).get("frames", 0))
    if site.last_stats_at is not None and site.last_bytes is not None and now > site.last_stats_at:
        dt = now - site.last_stats_at
        site.stats["bitrate_kbps"] = round(max(0, total - site.last_bytes) * 8 / 1000 / dt)
        site.stats["fps"] = round(max(0, frames - (site.last_frames or 0)) / dt, 1)
    site.last_bytes, site.last_frames, site.last_stats_at = total, frames, now
    site.stats["stalled"] = bool((inbound.get("video") or {}).get("stalled", False))
    state = str(payload.get("state", site.state))
    if state != site.state and state in ("connecting", "connected"):
        site.state = state
        publish(conf.meeting_id)
    schedule_stats(conf)


def _slot_switched(node_id: str, payload: dict[str, Any]) -> None:
    meeting_id = web_meeting_id(str(payload.get("meeting_id", "")))
    conf = CONFERENCES.get(meeting_id) if meeting_id is not None else None
    if conf is None or payload.get("slot") != "main":
        return
    source = payload.get("source_peer_id")
    conf.switched_main = str(source) if source else None
    publish(conf.meeting_id)


def _stream_stalled(node_id: str, payload: dict[str, Any]) -> None:
    conf, site = _site_of(payload)
    if conf is not None and site is not None:
        site.stats["stalled"] = bool(payload.get("stalled"))
        schedule_stats(conf)


def _audio_level(node_id: str, payload: dict[str, Any]) -> None:
    meeting_id = web_meeting_id(str(payload.get("meeting_id", "")))
    conf = CONFERENCES.get(meeting_id) if meeting_id is not None else None
    if conf is None:
        return
    for level in payload.get("levels") or []:
        site = conf.site_by_peer(str(level.get("peer_id", "")))
        if site is not None:
            site.stats["level_dbov"] = level.get("dbov")
    schedule_stats(conf)


def _recording_state(node_id: str, payload: dict[str, Any]) -> None:
    meeting_id = web_meeting_id(str(payload.get("meeting_id", "")))
    conf = CONFERENCES.get(meeting_id) if meeting_id is not None else None
    if conf is None:
        return
    stopped = payload.get("state") == "stopped" and conf.recording is not None
    if (
        stopped
        and conf.recording
        and conf.recording.get("recording_id") == payload.get("recording_id")
    ):
        conf.recording = None
        publish(conf.meeting_id)


def _node_lost(node_id: str) -> None:
    for conf in list(CONFERENCES.values()):
        if conf.node_id in (node_id, None):
            conf.node_online = conf.node_id is None
            publish(conf.meeting_id)


def _stop_after_end(node_id: str, node_meeting: str, recording: bool) -> None:
    if not recording:
        return
    try:
        nodes.call(node_id, "recording.stop", {"meeting_id": node_meeting})
    except NodeError as exc:
        log.warning("recording.stop of ended %s failed: %s", node_meeting, exc.code)


def _node_registered(node_id: str, snapshot: dict[str, Any]) -> None:
    """Reconcile with a node's full snapshot after it (re)connected."""
    on_node = {p["peer_id"]: p for p in snapshot.get("peers", [])}
    known: dict[str, tuple[Conference, Site]] = {}
    for conf in list(CONFERENCES.values()):
        for site in list(conf.sites.values()):
            if site.node_id == node_id:
                known[site.peer_id] = (conf, site)
    for peer_id in set(on_node) - set(known):  # web restarted or forgot: close it
        try:
            nodes.call(node_id, "peer.close", {"peer_id": peer_id})
        except NodeError as exc:
            log.info("closing stray peer %s: %s", peer_id, exc.code)
    touched: set[int] = set()
    for peer_id, (conf, site) in known.items():
        touched.add(conf.meeting_id)
        if peer_id not in on_node:  # the node restarted: the browser will rejoin
            if site.joined_at < snapshot.get("received_at", float("inf")):
                _drop_site(conf, site)  # (a site that joined after the snapshot is fine)
        elif on_node[peer_id].get("state") in ("connecting", "connected"):
            site.state = on_node[peer_id]["state"]
    node_meetings = {m["meeting_id"]: m for m in snapshot.get("meetings", [])}
    recordings = snapshot.get("recordings", {})
    for conf in list(CONFERENCES.values()):
        if conf.node_id != node_id:
            continue
        touched.add(conf.meeting_id)
        conf.node_online = True
        mid = node_meeting_id(conf.meeting_id)
        if conf.ended:  # the meeting ended while the node was away: nothing may run on
            _stop_after_end(node_id, mid, mid in recordings)
            continue
        info = node_meetings.get(mid) or {}
        conf.applied = {k: v for k, v in (info.get("slots") or {}).items()}
        if conf.recording is not None and mid not in recordings:
            conf.recording = None
        elif conf.recording is None and mid in recordings:
            conf.recording = {
                "recording_id": recordings[mid].get("recording_id"),
                "started_at": None,
                "file": str(recordings[mid].get("path", "")).rsplit("/", 1)[-1],
            }
        node_muted = set(info.get("muted") or [])
        with conf.lock:
            for site in list(conf.sites.values()):
                want = site.unit_id in conf.muted
                if want != (site.peer_id in node_muted) and "audio" in site.publishes:
                    try:
                        _mute_on_node(conf, site, want)
                    except AppError:
                        log.warning("re-muting %s failed", site.peer_id)
            reconcile(conf)
    # Conferences waiting for a node (nobody joined yet) now show one.
    touched |= {c.meeting_id for c in CONFERENCES.values() if c.node_id is None}
    for meeting_id in touched:
        publish(meeting_id)


nodes.NODE_EVENTS.update(
    {
        "peer.state": _peer_state,
        "peer.stats": _peer_stats,
        "slot.switched": _slot_switched,
        "stream.stalled": _stream_stalled,
        "audio.level": _audio_level,
        "recording.state": _recording_state,
    }
)
if _node_registered not in nodes.REGISTER_HANDLERS:
    nodes.REGISTER_HANDLERS.append(_node_registered)
if _node_lost not in nodes.LOST_HANDLERS:
    nodes.LOST_HANDLERS.append(_node_lost)
