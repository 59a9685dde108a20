"""The in-memory state of each meeting's conference: its sites, what is on air, the
slots ordered from the node; and the registry of conferences of this web worker."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from meetings.models import Meeting
from meetings.services.room.speakers import current_speaker

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
early_states: dict[str, str] = {}  # peer.state that arrived before peer.create's ack
_registry_lock = threading.Lock()


def get(meeting_id: int) -> Conference | None:
    return CONFERENCES.get(meeting_id)


def watch(meeting: Meeting) -> None:
    """Someone looks at the conference: keep its state, so node changes reach them."""
    conference_for(meeting)


def conference_for(meeting: Meeting) -> Conference:
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
    early_states.clear()
