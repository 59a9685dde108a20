"""Payload and result schemas of the conference commands and events, with the example
conference the protocol document shows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

PeerId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")
]


class Cmd(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    meeting_id: int


class Offer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["offer"]
    sdp: Annotated[str, StringConstraints(min_length=1, max_length=200_000)]


class JoinIn(Cmd):
    offer: Offer


class Candidate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    candidate: Annotated[str, StringConstraints(max_length=1024)]
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=64)] | None = None
    usernameFragment: Annotated[str, StringConstraints(max_length=256)] | None = None


class CandidateIn(Cmd):
    peer_id: PeerId
    candidate: Candidate | None  # null: the browser finished gathering


class PeerIn(Cmd):
    peer_id: PeerId


class ReportIn(PeerIn):
    rtt_ms: Annotated[float, Field(ge=0, le=60_000)] | None = None
    loss_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    send_kbps: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    recv_kbps: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    recv_fps: Annotated[float, Field(ge=0, le=1000)] | None = None
    recv_width: Annotated[int, Field(ge=0, le=10_000)] | None = None
    quality: Literal["good", "fair", "poor"] | None = None


class OnAirIn(Cmd):
    unit_id: int | None  # null: back to automatic (the speaker's bridge, else the chair room)


class MuteIn(Cmd):
    unit_id: int
    muted: bool


# --- events and snapshot ------------------------------------------------------------------


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NodeOut(Out):
    available: bool
    node_id: str | None


class OnAirOut(Out):
    unit_id: int
    name: str
    peer_id: str
    why: Literal["manual", "speaker", "chair"]
    pending: bool


class RecordingOut(Out):
    recording_id: str
    started_at: str | None
    file: str


class SiteOut(Out):
    unit_id: int
    name: str
    depth: int
    chair_room: bool
    state: Literal["offline", "connecting", "connected"]
    peer_id: str | None
    muted: bool
    on_air: bool


class ConferenceOut(Out):
    node: NodeOut
    on_air: OnAirOut | None
    chair_unit_id: int
    recording: RecordingOut | None
    ended: bool  # the meeting ended: peers are closed and nobody may join
    sites: list[SiteOut]


class SiteStats(Out):
    """What is known of a site's link: measured by the node (bitrate, fps, stalled,
    level) and reported by the site's browser (`conference.report`); absent until known."""

    unit_id: int
    peer_id: str
    state: str
    bitrate_kbps: float | None = None
    fps: float | None = None
    stalled: bool | None = None
    level_dbov: float | None = None
    rtt_ms: float | None = None
    loss_pct: float | None = None
    send_kbps: float | None = None
    recv_kbps: float | None = None
    recv_fps: float | None = None
    recv_width: int | None = None
    quality: Literal["good", "fair", "poor"] | None = None


class StatsOut(Out):
    sites: list[SiteStats]


class Sdp(Out):
    type: Literal["answer"]
    sdp: str


class JoinOut(Out):
    peer_id: str
    answer: Sdp
    unit_id: int
    role: Literal["site", "chair"]  # "chair": the chair room
    video_codec: str | None


class RecordingStopped(Out):
    recording_id: str
    bytes: int | None
    duration_s: float | None


CONFERENCE_EXAMPLE: dict[str, Any] = {
    "node": {"available": True, "node_id": "media-1"},
    "on_air": {
        "unit_id": 12,
        "name": "Thành phố Phủ Lý",
        "peer_id": "m1-u12-9f2c1a0b",
        "why": "manual",
        "pending": False,
    },
    "chair_unit_id": 1,
    "recording": None,
    "ended": False,
    "sites": [
        {
            "unit_id": 1,
            "name": "Tỉnh Hà Nam",
            "depth": 0,
            "chair_room": True,
            "state": "connected",
            "peer_id": "m1-u1-0b1c2d3e",
            "muted": False,
            "on_air": False,
        },
        {
            "unit_id": 12,
            "name": "Thành phố Phủ Lý",
            "depth": 1,
            "chair_room": False,
            "state": "connected",
            "peer_id": "m1-u12-9f2c1a0b",
            "muted": False,
            "on_air": True,
        },
    ],
}
