"""Encoded frames as they come off the wire, and where a decoder can start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiortc.codecs.vpx import VpxPayloadDescriptor


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One depayloaded frame as it came off the wire (VP8 / H.264 Annex-B / Opus)."""

    data: bytes
    timestamp: int  # RTP clock units, starting near 0 (aiortc's TimestampMapper)
    clock_rate: int
    codec: str  # "VP8", "H264", "opus", ...
    keyframe: bool
    arrival: float  # time.monotonic() when the frame was complete


def is_keyframe(codec: str, data: bytes) -> bool:
    """Whether a decoder can start from this frame."""
    if codec == "VP8":
        # VP8 frame tag: bit 0 of the first byte is 0 for a key frame (RFC 6386 §9.1).
        return len(data) > 0 and data[0] & 1 == 0
    if codec == "H264":
        # Annex-B: look for an IDR slice (5) or SPS (7) NAL unit.
        pos = data.find(b"\x00\x00\x01")
        while pos >= 0 and pos + 3 < len(data):
            if data[pos + 3] & 0x1F in (5, 7):
                return True
            pos = data.find(b"\x00\x00\x01", pos + 3)
        return False
    return True  # audio: every frame decodes on its own


def starts_keyframe(codec: str, packet: Any) -> bool:
    """Whether this RTP packet is the first of a key frame, so a decoder can start there
    even if packets before it are lost."""
    payload: bytes = packet.payload
    if codec == "VP8":
        try:
            descriptor, rest = VpxPayloadDescriptor.parse(packet.payload)
        except ValueError:
            return False
        # Start of partition 0 is the start of the frame (RFC 7741 §4.2).
        first = descriptor.partition_start and descriptor.partition_id == 0
        return bool(first) and is_keyframe(codec, rest)
    if codec == "H264" and len(payload) > 3:
        # An IDR access unit opens with its SPS: alone, or first in a STAP-A (RFC 6184).
        nal_type = payload[0] & 0x1F
        return nal_type == 7 or (nal_type == 24 and payload[3] & 0x1F == 7)
    return False
