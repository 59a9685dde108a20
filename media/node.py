"""The media node: executes web's orders on peers, meetings and recordings.

Transport-agnostic: ``MediaNode.handle(name, payload)`` returns the ack; the Socket.IO
channel in ``media.control`` feeds it. A failing order never takes the node down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from media import forwarding
from media.config import NodeConfig
from media.peer import Peer, check_audio_codecs, choose_video_codec, parse_offer
from media.protocol import (
    ORDERS,
    MeetingClose,
    NodeStatus,
    OrderError,
    PeerCandidate,
    PeerClose,
    PeerCreate,
    PeerKeyframe,
    RecordingStart,
    RecordingStop,
    SiteMute,
    SlotSet,
    Strict,
    fail,
    ok,
)
from media.recording import Recorder
from media.slots import Emit, Meeting
from media.tasks import spawn

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[dict[str, Any]]]


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err["loc"]) or "payload"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


class OrderTableMismatch(RuntimeError):
    """An order of the protocol has no handler here, or a handler no order (a bug)."""


class MediaNode:
    def __init__(self, config: NodeConfig, emit: Emit) -> None:
        forwarding.install()
        if config.loopback_only:
            forwarding.restrict_host_addresses_to_loopback()
        self.config = config
        self.emit = emit
        self.peers: dict[str, Peer] = {}
        self.meetings: dict[str, Meeting] = {}
        self.recorders: dict[str, Recorder] = {}
        self._handlers: dict[str, Handler] = {
            "peer.create": self._peer_create,
            "peer.candidate": self._peer_candidate,
            "peer.close": self._peer_close,
            "peer.keyframe": self._peer_keyframe,
            "slot.set": self._slot_set,
            "site.mute": self._site_mute,
            "recording.start": self._recording_start,
            "recording.stop": self._recording_stop,
            "meeting.close": self._meeting_close,
            "node.status": self._node_status,
        }
        unmatched = set(self._handlers) ^ set(ORDERS)
        if unmatched:
            raise OrderTableMismatch(f"orders and handlers differ on {sorted(unmatched)}")
        self._stats_task = asyncio.ensure_future(self._stats_loop())

    async def handle(self, name: str, payload: Any) -> dict[str, Any]:
        model = ORDERS.get(name)
        if model is None:
            return fail("unknown_order", f"unknown order {name!r}")
        try:
            order: Strict = model.model_validate(payload if payload is not None else {})
        except ValidationError as exc:
            return fail("invalid_payload", _describe(exc))
        try:
            return ok(await self._handlers[name](order))
        except OrderError as exc:
            return fail(exc.code, exc.message)
        except Exception as exc:
            log.exception("order %s failed", name)
            return fail("internal_error", f"{type(exc).__name__}: {exc}")

    # -- lookups -----------------------------------------------------------------------
    def _peer(self, peer_id: str) -> Peer:
        peer = self.peers.get(peer_id)
        if peer is None:
            raise OrderError("not_found", f"no peer {peer_id} on this node")
        return peer

    def _meeting(self, meeting_id: str) -> Meeting:
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            raise OrderError("not_found", f"no meeting {meeting_id} on this node")
        return meeting

    # -- peers -------------------------------------------------------------------------
    async def _peer_create(self, o: PeerCreate) -> dict[str, Any]:
        if self.config.units and o.unit_code not in self.config.units:
            raise OrderError("conflict", f"unit {o.unit_code} is not served by this node")
        if o.peer_id in self.peers:
            raise OrderError("conflict", f"peer {o.peer_id} already exists")
        sections = parse_offer(o.offer.sdp)
        check_audio_codecs(sections)
        meeting = self.meetings.get(o.meeting_id) or Meeting(o.meeting_id, self.emit)
        codec = choose_video_codec(sections, meeting.video_codec, o.video_codec)
        self.meetings.setdefault(o.meeting_id, meeting)
        meeting.video_codec = codec  # fixed by the first peer; later offers must match
        peer = Peer(
            o.peer_id, o.meeting_id, o.unit_code, o.role, self.config.ice_servers, self._state
        )
        self.peers[o.peer_id] = peer  # reserve the id while we await
        try:
            sdp = await peer.answer(sections, o.offer.sdp, codec)
        except BaseException:
            self.peers.pop(o.peer_id, None)
            await peer.close()
            if not meeting.peers:
                meeting.close()
                self.meetings.pop(o.meeting_id, None)
            raise
        meeting.add_peer(peer)
        return {
            "peer_id": o.peer_id,
            "answer": {"type": "answer", "sdp": sdp},
            "video_codec": codec,
            "slots": sorted(peer.outputs),
            "publishes": sorted(peer.sources),
        }

    def _state(self, peer: Peer, state: str) -> None:
        self.emit(
            "peer.state", {"peer_id": peer.peer_id, "meeting_id": peer.meeting_id, "state": state}
        )
        if state == "failed" and self.peers.get(peer.peer_id) is peer:
            spawn(self._close_peer(peer.peer_id))

    async def _close_peer(self, peer_id: str) -> None:
        peer = self.peers.pop(peer_id, None)
        if peer is None:
            return
        meeting = self.meetings.get(peer.meeting_id)
        if meeting is not None:
            meeting.remove_peer(peer_id)
        await peer.close()
        self.emit(
            "peer.state", {"peer_id": peer_id, "meeting_id": peer.meeting_id, "state": "closed"}
        )
        if meeting is not None and not meeting.peers and peer.meeting_id not in self.recorders:
            meeting.close()
            self.meetings.pop(peer.meeting_id, None)

    async def _peer_candidate(self, o: PeerCandidate) -> dict[str, Any]:
        await self._peer(o.peer_id).add_candidate(o.candidate)
        return {"peer_id": o.peer_id}

    async def _peer_close(self, o: PeerClose) -> dict[str, Any]:
        self._peer(o.peer_id)
        await self._close_peer(o.peer_id)
        return {"peer_id": o.peer_id}

    async def _peer_keyframe(self, o: PeerKeyframe) -> dict[str, Any]:
        self._peer(o.peer_id).request_keyframe()
        return {"peer_id": o.peer_id}

    # -- meeting -----------------------------------------------------------------------
    async def _slot_set(self, o: SlotSet) -> dict[str, Any]:
        pending = self._meeting(o.meeting_id).set_slot(o.slot, o.source_peer_id)
        return {
            "meeting_id": o.meeting_id,
            "slot": o.slot,
            "source_peer_id": o.source_peer_id,
            "pending_keyframe": pending,
        }

    async def _site_mute(self, o: SiteMute) -> dict[str, Any]:
        self._meeting(o.meeting_id).mute(o.peer_id, o.muted)
        return {"meeting_id": o.meeting_id, "peer_id": o.peer_id, "muted": o.muted}

    async def _recording_start(self, o: RecordingStart) -> dict[str, Any]:
        meeting = self._meeting(o.meeting_id)
        if o.meeting_id in self.recorders:
            raise OrderError("conflict", f"meeting {o.meeting_id} is already being recorded")
        path = self.config.recordings_dir / f"{o.meeting_id}-{o.recording_id}.{o.container}"
        if path.exists():
            raise OrderError("conflict", f"recording {o.recording_id} already exists")
        recorder = Recorder(o.recording_id, path.resolve(), meeting.video_codec)
        self.recorders[o.meeting_id] = recorder
        meeting.listeners.append(recorder)
        for slot in meeting.slots:
            recorder.switch_slot(slot, meeting.source_for(slot))
        data = {"meeting_id": o.meeting_id, "recording_id": o.recording_id, "path": str(path)}
        self.emit("recording.state", {**data, "state": "recording"})
        return data

    async def _recording_stop(self, o: RecordingStop) -> dict[str, Any]:
        recorder = self.recorders.pop(o.meeting_id, None)
        if recorder is None:
            raise OrderError("not_found", f"meeting {o.meeting_id} is not being recorded")
        meeting = self.meetings.get(o.meeting_id)
        if meeting is not None and recorder in meeting.listeners:
            meeting.listeners.remove(recorder)
        data = {"meeting_id": o.meeting_id, **recorder.stop()}
        self.emit("recording.state", {**data, "state": "stopped"})
        return data

    async def _meeting_close(self, o: MeetingClose) -> dict[str, Any]:
        meeting = self._meeting(o.meeting_id)
        recording = None
        if o.meeting_id in self.recorders:
            recording = await self._recording_stop(RecordingStop(meeting_id=o.meeting_id))
        for peer_id in list(meeting.peers):
            await self._close_peer(peer_id)
        meeting.close()
        self.meetings.pop(o.meeting_id, None)
        return {"meeting_id": o.meeting_id, "recording": recording}

    async def _node_status(self, o: NodeStatus) -> dict[str, Any]:
        return self.status()

    def status(self) -> dict[str, Any]:
        return {
            "node_id": self.config.node_id,
            "units": list(self.config.units),
            "peers": [
                {"peer_id": p.peer_id, "meeting_id": p.meeting_id, "state": p.state}
                for p in self.peers.values()
            ],
            "meetings": [m.snapshot() for m in self.meetings.values()],
            "recordings": {
                m: {"recording_id": r.recording_id, "path": str(r.path)}
                for m, r in self.recorders.items()
            },
        }

    # -- stats -------------------------------------------------------------------------
    def peer_stats(self, peer: Peer) -> dict[str, Any]:
        return {
            "peer_id": peer.peer_id,
            "meeting_id": peer.meeting_id,
            "state": peer.state,
            "in": {
                kind: {
                    "frames": s.frames,
                    "bytes": s.bytes,
                    "keyframes": s.keyframes,
                    "plis_sent": s.plis_sent,
                    "stalled": s.stalled,
                    "muted": s.muted,
                }
                for kind, s in peer.sources.items()
            },
            "out": {
                slot: {
                    "frames": t.frames_out,
                    "dropped": t.dropped,
                    "source_peer_id": self.meetings[peer.meeting_id].slots.get(slot)
                    if peer.meeting_id in self.meetings
                    else None,
                }
                for slot, t in peer.outputs.items()
            },
        }

    async def _stats_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.stats_interval)
            for peer in list(self.peers.values()):
                self.emit("peer.stats", self.peer_stats(peer))

    async def close(self) -> None:
        self._stats_task.cancel()
        for meeting_id in list(self.recorders):
            await self._recording_stop(RecordingStop(meeting_id=meeting_id))
        for peer_id in list(self.peers):
            await self._close_peer(peer_id)
        for meeting in self.meetings.values():
            meeting.close()
        self.meetings.clear()
