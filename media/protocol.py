"""Control protocol between web and a media node (see docs/media-control.md).

Orders travel web -> node as Socket.IO events on the ``/media`` namespace and are
answered through the Socket.IO ack: ``{"ok": true, "data": ...}`` or
``{"ok": false, "error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
SlotName = Literal["main", "chair", "audio1", "audio2", "audio3"]
VIDEO_SLOTS: tuple[SlotName, ...] = ("main", "chair")
AUDIO_SLOTS: tuple[SlotName, ...] = ("audio1", "audio2", "audio3")
VideoCodec = Literal["VP8", "H264"]

ERROR_CODES = (
    "invalid_payload",  # schema violation, unknown slot name, bad ids
    "unknown_order",  # no such order name
    "not_found",  # peer / meeting / source peer does not exist on this node
    "conflict",  # duplicate peer id, unit not served, source cannot feed the slot
    "invalid_sdp",  # offer does not parse or has no usable media section
    "no_common_codec",  # offer lacks the meeting's video codec or Opus
    "invalid_candidate",  # ICE candidate does not parse
    "internal_error",  # a bug or an aiortc failure; the node stays up
)


class OrderError(Exception):
    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"{code!r} is not one of the protocol's error codes")
        super().__init__(message)
        self.code = code
        self.message = message


def ok(data: Any = None) -> dict[str, Any]:
    return {"ok": True, "data": data if data is not None else {}}


def fail(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Offer(Strict):
    type: Literal["offer"]
    sdp: Annotated[str, StringConstraints(min_length=1, max_length=200_000)]


class PeerCreate(Strict):
    peer_id: Id
    meeting_id: Id
    unit_code: Id
    role: Literal["site", "chair", "viewer"]
    offer: Offer
    video_codec: VideoCodec | None = None  # only honoured by the meeting's first peer


class Candidate(Strict):
    candidate: Annotated[str, StringConstraints(max_length=1024)]
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=64)] | None = None


class PeerCandidate(Strict):
    peer_id: Id
    candidate: Candidate | None  # null: end of candidates


class PeerClose(Strict):
    peer_id: Id


class PeerKeyframe(Strict):
    peer_id: Id


class SlotSet(Strict):
    meeting_id: Id
    slot: SlotName
    source_peer_id: Id | None


class SiteMute(Strict):
    meeting_id: Id
    peer_id: Id
    muted: bool


class RecordingStart(Strict):
    meeting_id: Id
    recording_id: Id
    container: Literal["webm", "mkv"] = "webm"


class RecordingStop(Strict):
    meeting_id: Id


class MeetingClose(Strict):
    meeting_id: Id


class NodeStatus(Strict):
    pass


ORDERS: dict[str, type[Strict]] = {
    "peer.create": PeerCreate,
    "peer.candidate": PeerCandidate,
    "peer.close": PeerClose,
    "peer.keyframe": PeerKeyframe,
    "slot.set": SlotSet,
    "site.mute": SiteMute,
    "recording.start": RecordingStart,
    "recording.stop": RecordingStop,
    "meeting.close": MeetingClose,
    "node.status": NodeStatus,
}

# node -> web events (fire and forget; web must not rely on seeing every one), after
# ``node.register``, which the node sends with an ack on every (re)connect.
REGISTER_EVENT = "node.register"
STATUS_EVENTS = (
    "peer.state",
    "peer.stats",
    "slot.switched",
    "stream.stalled",
    "audio.level",
    "speaker.active",
    "recording.state",
)
EVENTS = (REGISTER_EVENT, *STATUS_EVENTS)
