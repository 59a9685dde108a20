"""Offer/answer with forwarding tracks: the only way to get a Source or a sending
ForwardTrack bound to a peer connection.

A Source must be created after the remote description (it needs the negotiated codecs)
and before the receiver starts (aiortc starts it in a task scheduled by the description
calls); a ForwardTrack's sender must route keyframe requests to it. ``answer_offer`` and
``accept_answer`` do each step at its moment, so a caller cannot get the order wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiortc import (
    RTCPeerConnection,
    RTCRtpCodecCapability,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.exceptions import OperationError

from media.forwarding import internals
from media.forwarding.forward_track import ForwardTrack
from media.forwarding.patches import install
from media.forwarding.source import Source


class OfferRejected(Exception):
    """aiortc refused the offer; ``no_common_codec`` when no codec of a section matched."""

    def __init__(self, cause: Exception) -> None:
        self.no_common_codec = isinstance(cause, OperationError)
        super().__init__(str(cause) if self.no_common_codec else repr(cause))


@dataclass(frozen=True, slots=True)
class SectionPlan:
    """What to do with one offer section, in offer order: ``direction`` is ours in the
    answer; ``send`` gives it a ForwardTrack; ``source_label`` (not None) makes what the
    offerer sends on it a Source."""

    kind: str
    direction: str
    send: bool = False
    source_label: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    sdp: str
    tracks: list[ForwardTrack | None]  # per planned section
    sources: list[Source | None]  # per planned section


def codec_preferences(kind: str, video_codec: str | None) -> list[RTCRtpCodecCapability]:
    """Only the meeting's video codec (with RTX: it carries NACK retransmissions, aiortc
    drops it unless listed), only Opus for audio."""
    wanted = {"video": {f"video/{video_codec}".lower(), "video/rtx"}, "audio": {"audio/opus"}}
    caps = RTCRtpSender.getCapabilities(kind).codecs
    return [c for c in caps if c.mimeType.lower() in wanted[kind]]


async def answer_offer(
    pc: RTCPeerConnection, offer_sdp: str, plan: Sequence[SectionPlan], video_codec: str | None
) -> Answer:
    """Answer ``offer_sdp`` on a fresh ``pc``; raises OfferRejected. On any failure the
    tracks and sources made so far are closed (the caller closes ``pc``)."""
    install()
    tracks: list[ForwardTrack | None] = []
    transceivers: list[RTCRtpTransceiver] = []
    sources: list[Source | None] = []
    try:
        for section in plan:
            track = ForwardTrack(section.kind) if section.send else None
            tracks.append(track)
            # aiortc matches offer sections to unassigned transceivers of the same kind in
            # creation order, so these carry our codec preferences into negotiation.
            transceiver = pc.addTransceiver(track or section.kind, direction=section.direction)
            transceiver.setCodecPreferences(codec_preferences(section.kind, video_codec))
            if track is not None:
                internals.route_keyframe_requests(transceiver.sender, track.request_keyframe)
            transceivers.append(transceiver)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except Exception as exc:
            raise OfferRejected(exc) from exc
        for section, transceiver in zip(plan, transceivers, strict=True):
            label = section.source_label
            sources.append(None if label is None else Source(transceiver, label=label))
        await pc.setLocalDescription(await pc.createAnswer())
    except BaseException:
        _close(tracks, sources)
        raise
    return Answer(str(pc.localDescription.sdp), tracks, sources)


async def accept_answer(
    pc: RTCPeerConnection,
    answer_sdp: str,
    receiving: Sequence[RTCRtpTransceiver],
    *,
    label: str = "",
    watchdog: bool = True,
) -> list[Source]:
    """The offerer's side: apply the answer, then make a Source of each transceiver in
    ``receiving`` (added by the caller before its offer)."""
    install()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))
    return [Source(t, label=label, watchdog=watchdog) for t in receiving]


def _close(tracks: list[ForwardTrack | None], sources: list[Source | None]) -> None:
    for track in tracks:
        if track is not None:
            track.stop()
    for source in sources:
        if source is not None:
            source.close()
