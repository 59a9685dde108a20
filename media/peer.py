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

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer, RTCPeerConnection

from media.forwarding import (
    ForwardTrack,
    InvalidOffer,
    OfferRejected,
    OfferSection,
    SectionPlan,
    Source,
    answer_offer,
    offer_sections,
    parse_candidate,
)
from media.protocol import AUDIO_SLOTS, VIDEO_SLOTS, Candidate, OrderError, SlotName

log = logging.getLogger(__name__)

VIDEO_CODEC_PREFERENCE = ("VP8", "H264")
_REVERSE = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly"}


def parse_offer(sdp: str) -> list[OfferSection]:
    """Audio/video sections of an offer, or OrderError('invalid_sdp')."""
    try:
        sections = offer_sections(sdp)
    except InvalidOffer as exc:
        raise OrderError("invalid_sdp", f"offer does not parse: {exc}") from exc
    if not sections:
        raise OrderError("invalid_sdp", "offer has no audio or video section")
    for kind, slots in (("video", VIDEO_SLOTS), ("audio", AUDIO_SLOTS)):
        if sum(m.kind == kind for m in sections) > len(slots):
            raise OrderError("invalid_sdp", f"offer has more than {len(slots)} {kind} sections")
    return sections


def choose_video_codec(
    sections: list[OfferSection], current: str | None, wanted: str | None
) -> str | None:
    """The meeting's single video codec: forwarding needs the same codec on both ends."""
    video = [m for m in sections if m.kind == "video"]
    if not video:
        return current
    offered = frozenset.intersection(*(m.codecs for m in video))
    candidates = [current] if current else ([wanted] if wanted else list(VIDEO_CODEC_PREFERENCE))
    for codec in candidates:
        if codec in offered:
            return codec
    raise OrderError(
        "no_common_codec",
        f"offer has video codecs {sorted(offered)}; this meeting forwards {candidates}",
    )


def check_audio_codecs(sections: list[OfferSection]) -> None:
    for m in sections:
        if m.kind == "audio" and "OPUS" not in m.codecs:
            raise OrderError("no_common_codec", "audio section without Opus")


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

    async def answer(self, sections: list[OfferSection], sdp: str, video_codec: str | None) -> str:
        """Plan one transceiver per offer section (its slot, our direction), then answer."""
        counters = {"audio": 0, "video": 0}
        publishing: set[str] = set()
        plan: list[SectionPlan] = []
        slots: list[SlotName] = []
        for m in sections:
            kind_slots = VIDEO_SLOTS if m.kind == "video" else AUDIO_SLOTS
            slots.append(kind_slots[counters[m.kind]])
            counters[m.kind] += 1
            direction = _REVERSE.get(m.direction or "", "inactive")
            if m.kind in publishing and direction in ("sendrecv", "recvonly"):
                # Only the first sending section per kind is a source; do not receive
                # (and so never decode) the others.
                direction = "sendonly" if direction == "sendrecv" else "inactive"
            receives = direction in ("sendrecv", "recvonly")
            if receives:
                publishing.add(m.kind)
            label = f"{self.peer_id}/{m.kind}" if receives else None
            sends = direction in ("sendrecv", "sendonly")
            plan.append(SectionPlan(m.kind, direction, send=sends, source_label=label))
        try:
            answer = await answer_offer(self.pc, sdp, plan, video_codec)
        except OfferRejected as exc:
            code = "no_common_codec" if exc.no_common_codec else "invalid_sdp"
            raise OrderError(code, f"offer rejected: {exc}") from exc
        for slot, track in zip(slots, answer.tracks, strict=True):
            if track is not None:
                self.outputs[slot] = track
        for section, source in zip(plan, answer.sources, strict=True):
            if source is not None:
                self.sources[section.kind] = source
        return answer.sdp

    async def add_candidate(self, candidate: Candidate | None) -> None:
        if candidate is None or not candidate.candidate.strip():
            await self.pc.addIceCandidate(None)
            return
        text = candidate.candidate.strip()
        text = text.removeprefix("a=").removeprefix("candidate:")
        try:
            parsed = parse_candidate(text)
        except ValueError as exc:
            raise OrderError("invalid_candidate", str(exc)) from exc
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
