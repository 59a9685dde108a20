"""Reading an offer and an ICE candidate with aiortc's parser (not exported by aiortc),
into the plain values the node's rules need."""

from __future__ import annotations

from dataclasses import dataclass

from aiortc import RTCIceCandidate
from aiortc.sdp import SessionDescription, candidate_from_sdp


class InvalidOffer(ValueError):
    """The offer does not parse; ``__cause__`` is aiortc's own error."""


@dataclass(frozen=True, slots=True)
class OfferSection:
    """One audio or video section of an offer, in order of appearance."""

    kind: str  # "audio" | "video"
    direction: str | None  # the offerer's: "sendrecv", "sendonly", "recvonly", ...
    codecs: frozenset[str]  # upper-case names: "VP8", "H264", "OPUS", "RTX", ...


def offer_sections(sdp: str) -> list[OfferSection]:
    """The audio and video sections of an offer (others, e.g. data, are left out)."""
    try:
        description = SessionDescription.parse(sdp)
    except Exception as exc:  # aiortc's parser raises many kinds of errors
        raise InvalidOffer(repr(exc)) from exc
    return [
        OfferSection(
            kind=m.kind,
            direction=m.direction,
            codecs=frozenset(str(c.mimeType).split("/")[1].upper() for c in m.rtp.codecs),
        )
        for m in description.media
        if m.kind in ("audio", "video")
    ]


def parse_candidate(text: str) -> RTCIceCandidate:
    """An ICE candidate line without its ``a=candidate:`` prefix; ValueError if bad."""
    try:
        return candidate_from_sdp(text)
    except (AssertionError, ValueError, IndexError) as exc:
        raise ValueError(f"cannot parse candidate {text!r}") from exc
