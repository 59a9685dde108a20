"""A meeting on this node: its peers and the fixed slots every peer receives.

Web says which peer feeds each slot (``slot.set``); the meeting points every peer's
slot track (and the recorder's) at that peer's source. Sources that feed no slot are
received but forwarded to nobody.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from media.forwarding import Source
from media.peer import Peer
from media.protocol import AUDIO_SLOTS, VIDEO_SLOTS, OrderError, SlotName
from media.speaker import SpeakerDetector

log = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any]], None]
SLOTS: tuple[SlotName, ...] = VIDEO_SLOTS + AUDIO_SLOTS
SPEAKER_TICK = 0.25  # seconds between active-speaker evaluations
LEVEL_EVERY = 2  # report audio.level every N ticks


def slot_kind(slot: SlotName) -> str:
    return "video" if slot in VIDEO_SLOTS else "audio"


class SlotListener:
    """Anything besides peers that receives slots (the recorder)."""

    def switch_slot(self, slot: SlotName, source: Source | None) -> None:
        raise NotImplementedError


class Meeting:
    def __init__(self, meeting_id: str, emit: Emit) -> None:
        self.meeting_id = meeting_id
        self.video_codec: str | None = None
        self.peers: dict[str, Peer] = {}
        self.slots: dict[SlotName, str | None] = dict.fromkeys(SLOTS)
        self.muted: set[str] = set()
        self.speaker = SpeakerDetector()
        self.listeners: list[SlotListener] = []
        self._emit = emit
        self._switch_tasks: dict[SlotName, asyncio.Task[None]] = {}
        self._ticker = asyncio.ensure_future(self._speaker_loop())

    # -- peers -------------------------------------------------------------------------
    def add_peer(self, peer: Peer) -> None:
        self.peers[peer.peer_id] = peer
        audio = peer.sources.get("audio")
        if audio is not None:
            audio.on_audio_level = lambda level: self.speaker.add(peer.peer_id, level)
        video = peer.sources.get("video")
        if video is not None:
            video.on_stall = lambda stalled: self._emit(
                "stream.stalled",
                {"meeting_id": self.meeting_id, "peer_id": peer.peer_id, "stalled": stalled},
            )
        for slot, track in peer.outputs.items():
            track.switch(self.source_for(slot, viewer=peer))

    def remove_peer(self, peer_id: str) -> None:
        peer = self.peers.pop(peer_id, None)
        if peer is None:
            return
        self.speaker.remove(peer_id)
        self.muted.discard(peer_id)
        for slot, source_id in self.slots.items():
            if source_id == peer_id:
                self.set_slot(slot, None)
                self._emit(
                    "slot.switched",
                    {"meeting_id": self.meeting_id, "slot": slot, "source_peer_id": None},
                )

    # -- slots -------------------------------------------------------------------------
    def source_for(self, slot: SlotName, viewer: Peer | None = None) -> Source | None:
        source_id = self.slots[slot]
        if source_id is None:
            return None
        if viewer is not None and viewer.peer_id == source_id and slot_kind(slot) == "audio":
            return None  # never send a site its own voice back
        source_peer = self.peers.get(source_id)
        return source_peer.sources.get(slot_kind(slot)) if source_peer else None

    def set_slot(self, slot: SlotName, source_peer_id: str | None) -> bool:
        """Point ``slot`` at a peer; returns True when the switch waits for a keyframe."""
        source: Source | None = None
        if source_peer_id is not None:
            peer = self.peers.get(source_peer_id)
            if peer is None:
                raise OrderError("not_found", f"peer {source_peer_id} is not in this meeting")
            source = peer.sources.get(slot_kind(slot))
            if source is None:
                raise OrderError("conflict", f"peer {source_peer_id} sends no {slot_kind(slot)}")
        self.slots[slot] = source_peer_id
        for peer in self.peers.values():
            track = peer.outputs.get(slot)
            if track is not None:
                track.switch(self.source_for(slot, viewer=peer))
        for listener in self.listeners:
            listener.switch_slot(slot, source)
        old = self._switch_tasks.pop(slot, None)
        if old is not None:
            old.cancel()
        if source is None or source.kind == "audio":
            return False
        source.request_keyframe()
        self._switch_tasks[slot] = asyncio.ensure_future(
            self._announce_switch(slot, source_peer_id, source)
        )
        return True

    async def _announce_switch(
        self, slot: SlotName, source_peer_id: str | None, source: Source
    ) -> None:
        await source.next_keyframe()
        self._emit(
            "slot.switched",
            {"meeting_id": self.meeting_id, "slot": slot, "source_peer_id": source_peer_id},
        )

    # -- audio -------------------------------------------------------------------------
    def mute(self, peer_id: str, muted: bool) -> None:
        peer = self.peers.get(peer_id)
        if peer is None:
            raise OrderError("not_found", f"peer {peer_id} is not in this meeting")
        audio = peer.sources.get("audio")
        if audio is None:
            raise OrderError("conflict", f"peer {peer_id} sends no audio")
        audio.muted = muted
        (self.muted.add if muted else self.muted.discard)(peer_id)
        self.speaker.exclude(peer_id, muted)

    async def _speaker_loop(self) -> None:
        tick = 0
        while True:
            await asyncio.sleep(SPEAKER_TICK)
            tick += 1
            if self.speaker.update():
                self._emit(
                    "speaker.active",
                    {"meeting_id": self.meeting_id, "peer_id": self.speaker.active},
                )
            if tick % LEVEL_EVERY == 0:
                levels = self.speaker.loudness()
                if levels:
                    self._emit(
                        "audio.level",
                        {
                            "meeting_id": self.meeting_id,
                            "levels": [
                                {"peer_id": p, "dbov": round(v, 1), "muted": p in self.muted}
                                for p, v in sorted(levels.items())
                            ],
                        },
                    )

    def snapshot(self) -> dict[str, Any]:
        return {
            "meeting_id": self.meeting_id,
            "video_codec": self.video_codec,
            "slots": dict(self.slots),
            "muted": sorted(self.muted),
            "active_speaker": self.speaker.active,
            "peers": sorted(self.peers),
        }

    def close(self) -> None:
        self._ticker.cancel()
        for task in self._switch_tasks.values():
            task.cancel()
