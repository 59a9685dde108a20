"""One WebRTC peer (a bridge site, the chair room or a viewer) on the media node.

The offer's audio/video sections map to fixed slots by order of appearance:
video #1 <-> ``main`` (and the site's camera if the peer sends), video #2 -> ``chair``,
audio #1 <-> ``audio1`` (and the site's microphone), audio #2 -> ``audio2``,
audio #3 -> ``audio3``. The node never renegotiates: switching a slot's source
changes what flows inside the existing track.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.exceptions import OperationError
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from aiortc.sdp import SessionDescription, candidate_from_sdp

from media.forwarding import ForwardTrack, Source, bind_sender
from media.protocol import AUDIO_SLOTS, VIDEO_SLOTS, Candidate, OrderError, SlotName

log = logging.getLogger(__name__)

VIDEO_CODEC_PREFERENCE = ("VP8", "H264")
_REVERSE = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly"}


def _codec_names(media: Any) -> set[str]:
    return {str(c.mimeType).split("/")[1].upper() for c in media.rtp.codecs}


def parse_offer(sdp: str) -> list[Any]:
    """Audio/video sections of an offer, or OrderError('invalid_sdp')."""
    try:
        description = SessionDescription.parse(sdp)
    except Exception as exc:  # aiortc's parser raises many kinds of errors
        raise OrderError("invalid_sdp", f"offer does not parse: {exc!r}") from exc
    sections = [m for m in description.media if m.kind in ("audio", "video")]
    if not sections:
        raise OrderError("invalid_sdp", "offer has no audio or video section")
    for kind, slots in (("video", VIDEO_SLOTS), ("audio", AUDIO_SLOTS)):
        if sum(m.kind == kind for m in sections) > len(slots):
            raise OrderError("invalid_sdp", f"offer has more than {len(slots)} {kind} sections")
    return sections


def choose_video_codec(sections: list[Any], current: str | None, wanted: str | None) -> str | None:
    """The meeting's single video codec: forwarding needs the same codec on both ends."""
    video = [m for m in sections if m.kind == "video"]
    if not video:
        return current
    offered = set.intersection(*(_codec_names(m) for m in video))
    candidates = [current] if current else ([wanted] if wanted else list(VIDEO_CODEC_PREFERENCE))
    for codec in candidates:
        if codec in offered:
            return codec
    raise OrderError(
        "no_common_codec",
        f"offer has video codecs {sorted(offered)}; this meeting forwards {candidates}",
    )


def check_audio_codecs(sections: list[Any]) -> None:
    for m in sections:
        if m.kind == "audio" and "OPUS" not in _codec_names(m):
            raise OrderError("no_common_codec", "audio section without Opus")


def _preferences(kind: str, video_codec: str | None) -> list[RTCRtpCodecCapability]:
    # Keep RTX in the list: it carries NACK retransmissions (aiortc drops it otherwise).
    wanted = {"video": {f"video/{video_codec}".lower(), "video/rtx"}, "audio": {"audio/opus"}}
    caps = RTCRtpSender.getCapabilities(kind).codecs
    return [c for c in caps if c.mimeType.lower() in wanted[kind]]


class Peer:
    def __init__(
        self,
        peer_id: str,
        meeting_id: str,
        unit_code: str,
        role: str,
        ice_servers: list[RTCIceServer],
        on_state: Callable[[Peer, str], None],
    ) -> None:
        self.peer_id = peer_id
        self.meeting_id = meeting_id
        self.unit_code = unit_code
        self.role = role
        # max-bundle: with aiortc's default ("balanced") the 2nd and later sections of the
        # offer's second kind (audio2, audio3) stay on a transport that BUNDLE discards,
        # so nothing is ever sent on them (the chair room heard no on-air site).
        config = RTCConfiguration(iceServers=ice_servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        self.pc = RTCPeerConnection(config)
        self.sources: dict[str, Source] = {}  # "audio"/"video" published by this peer
        self.outputs: dict[SlotName, ForwardTrack] = {}
        self.state = "new"
        self._on_state = on_state
        self.pc.on("connectionstatechange", self._state_changed)

    def _state_changed(self) -> None:
        self.state = str(self.pc.connectionState)
        self._on_state(self, self.state)

    async def answer(self, sections: list[Any], sdp: str, video_codec: str | None) -> str:
        """Build transceivers matching the offer, then answer it."""
        counters = {"audio": 0, "video": 0}
        publishing: dict[Any, str] = {}
        for m in sections:
            slots = VIDEO_SLOTS if m.kind == "video" else AUDIO_SLOTS
            slot = slots[counters[m.kind]]
            counters[m.kind] += 1
            direction = _REVERSE.get(m.direction, "inactive")
            if m.kind in publishing.values() and direction in ("sendrecv", "recvonly"):
                # Only the first sending section per kind is a source; do not receive
                # (and so never decode) the others.
                direction = "sendonly" if direction == "sendrecv" else "inactive"
            track: ForwardTrack | None = None
            if direction in ("sendrecv", "sendonly"):
                track = ForwardTrack(m.kind)
                self.outputs[slot] = track
            # aiortc matches offer sections to unassigned transceivers of the same kind in
            # creation order, so these carry our codec preferences into negotiation.
            transceiver = self.pc.addTransceiver(track or m.kind, direction=direction)
            transceiver.setCodecPreferences(_preferences(m.kind, video_codec))
            if track is not None:
                bind_sender(transceiver.sender, track)
            if direction in ("sendrecv", "recvonly"):
                publishing[transceiver] = m.kind
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        except OperationError as exc:
            raise OrderError("no_common_codec", f"offer rejected: {exc}") from exc
        except Exception as exc:
            raise OrderError("invalid_sdp", f"offer rejected: {exc!r}") from exc
        for transceiver, kind in publishing.items():
            self.sources[kind] = Source(transceiver, label=f"{self.peer_id}/{kind}")
        answer = await self.pc.createAnswer()
        await self.pc.setLocalDescription(answer)
        return str(self.pc.localDescription.sdp)

    async def add_candidate(self, candidate: Candidate | None) -> None:
        if candidate is None or not candidate.candidate.strip():
            await self.pc.addIceCandidate(None)
            return
        text = candidate.candidate.strip()
        text = text.removeprefix("a=").removeprefix("candidate:")
        try:
            parsed = candidate_from_sdp(text)
        except (AssertionError, ValueError, IndexError) as exc:
            raise OrderError("invalid_candidate", f"cannot parse candidate {text!r}") from exc
        if candidate.sdpMid is None and candidate.sdpMLineIndex is None:
            raise OrderError("invalid_candidate", "candidate needs sdpMid or sdpMLineIndex")
        if parsed.protocol.lower() not in ("udp", "tcp") or parsed.component not in (1, 2):
            raise OrderError("invalid_candidate", f"unsupported candidate {text!r}")
        parsed.sdpMid = candidate.sdpMid
        parsed.sdpMLineIndex = candidate.sdpMLineIndex
        try:
            await self.pc.addIceCandidate(parsed)
        except ValueError as exc:
            raise OrderError("invalid_candidate", str(exc)) from exc

    def request_keyframe(self) -> None:
        source = self.sources.get("video")
        if source is not None:
            source.request_keyframe()

    async def close(self) -> None:
        for track in self.outputs.values():
            track.stop()
        for source in self.sources.values():
            source.close()
        await self.pc.close()
        self.state = "closed"
