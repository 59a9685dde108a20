"""Every private aiortc/aioice name the project relies on, and the one place that uses it.

aiortc has no public API for forwarding encoded frames, reading RTP header extensions,
sending a PLI or replacing a jitter buffer, so the seam reaches into its internals; the
exact pins of aiortc, aioice and av in requirements.txt exist because of this module.
Each name is listed in ``REQUIRED`` and checked by ``check_internals`` when
``media.forwarding`` is imported: an upgrade that renames one fails at start-up, naming
it, instead of the patch silently doing nothing (assigning a renamed attribute just adds
a new one nobody reads).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aioice.ice
from aiortc import RTCDtlsTransport, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc import rtcdtlstransport as _rtcdtlstransport
from aiortc import rtcrtpreceiver as _rtcrtpreceiver
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

# Name-mangled attributes of RTCRtpReceiver instances.
JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
DECODER_THREAD = "_RTCRtpReceiver__decoder_thread"
BANDWIDTH_ESTIMATOR = "_RTCRtpReceiver__remote_bitrate_estimator"


class MissingAiortcInternal(RuntimeError):
    """The installed aiortc/aioice lacks a private name the forwarding seam relies on."""


@dataclass(frozen=True, slots=True)
class Internal:
    """``owner.name``; ``set_by``: the function of ``owner`` that creates or reads it,
    for names that exist only on instances or must still be looked up there (checked in
    that function's code)."""

    owner: Any  # a module or a class
    name: str
    set_by: str | None = None

    def present(self) -> bool:
        if self.set_by is None:
            return hasattr(self.owner, self.name)
        code = getattr(getattr(self.owner, self.set_by, None), "__code__", None)
        return code is not None and self.name in code.co_names

    def __str__(self) -> str:
        if isinstance(self.owner, type):
            where = f"{self.owner.__module__}.{self.owner.__qualname__}"
        else:
            where = self.owner.__name__
        used = f" (in {self.set_by})" if self.set_by else ""
        return f"{where}.{self.name}{used}"


REQUIRED = (
    # patches.py: the pass-through decoder and RTX routing, process-wide.
    Internal(_rtcrtpreceiver, "get_decoder"),
    Internal(_rtcrtpreceiver, "get_decoder", set_by="decoder_worker"),
    Internal(RTCDtlsTransport, "_register_rtp_receiver"),
    Internal(RTCDtlsTransport, "_rtp_router", set_by="__init__"),
    Internal(_rtcdtlstransport.RtpRouter, "ssrc_table", set_by="__init__"),
    Internal(aioice.ice, "get_host_addresses"),
    # source.py: per receiver.
    Internal(RTCRtpReceiver, JITTER_BUFFER, set_by="__init__"),
    Internal(RTCRtpReceiver, DECODER_THREAD, set_by="__init__"),
    Internal(RTCRtpReceiver, BANDWIDTH_ESTIMATOR, set_by="__init__"),
    Internal(RTCRtpReceiver, "_handle_rtp_packet"),
    Internal(RTCRtpReceiver, "_send_rtcp_pli"),
    Internal(RTCRtpTransceiver, "_codecs", set_by="__init__"),
    Internal(RTCRtpSender, "_send_keyframe"),
    # forward_track.py: the sender packs the av.Packets it reads instead of encoding.
    Internal(RTCRtpSender, "_next_encoded_frame"),
    # jitter.py: the subclassed jitter buffer and the depayloaded packet data.
    Internal(JitterBuffer, "_packets", set_by="__init__"),
    Internal(JitterBuffer, "_origin", set_by="__init__"),
    Internal(JitterBuffer, "_remove_frame"),
    Internal(JitterBuffer, "remove"),
    Internal(RTCRtpReceiver, "_data", set_by="_handle_rtp_packet"),  # RtpPacket._data
)


def check_internals() -> None:
    """Raise ``MissingAiortcInternal`` naming every required private name that is gone."""
    missing = [str(internal) for internal in REQUIRED if not internal.present()]
    if missing:
        raise MissingAiortcInternal(
            "media.forwarding relies on private names missing from the installed "
            f"aiortc/aioice: {', '.join(missing)} (requirements.txt pins the versions "
            "it was written for)"
        )


# -- per-object access ---------------------------------------------------------------


def negotiated_codecs(transceiver: RTCRtpTransceiver) -> list[Any]:
    """The codecs agreed for this transceiver: set by ``setRemoteDescription``."""
    return list(transceiver._codecs)


def decoder_thread(receiver: RTCRtpReceiver) -> threading.Thread | None:
    thread: threading.Thread | None = getattr(receiver, DECODER_THREAD)
    return thread


def replace_jitter_buffer(receiver: RTCRtpReceiver, buffer: JitterBuffer) -> None:
    setattr(receiver, JITTER_BUFFER, buffer)


def drop_bandwidth_estimator(receiver: RTCRtpReceiver) -> None:
    """Stop the receive-side bandwidth estimator (REMB), a third of aiortc's per-packet
    receive cost; forwarding SFUs ignore a subscriber's REMB."""
    setattr(receiver, BANDWIDTH_ESTIMATOR, None)


def inspect_rtp(receiver: RTCRtpReceiver, inspect: Callable[[RtpPacket], None]) -> None:
    """Call ``inspect`` on every RTP packet before aiortc handles it: header extensions
    (RFC 6464 audio level) and SSRCs are only visible there."""
    original = receiver._handle_rtp_packet

    async def handle_rtp(packet: RtpPacket, arrival_time_ms: int) -> None:
        inspect(packet)
        await original(packet, arrival_time_ms)

    receiver._handle_rtp_packet = handle_rtp  # type: ignore[method-assign]


def send_pli(receiver: RTCRtpReceiver, ssrc: int) -> Awaitable[None]:
    """An RTCP PLI to the remote sender now: the public API cannot ask for a keyframe."""
    return receiver._send_rtcp_pli(ssrc)


def route_keyframe_requests(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` on each PLI/FIR the remote end sends about this sender.

    aiortc's ``_handle_rtcp_packet`` calls ``_send_keyframe()``, which only sets a flag for
    aiortc's own encoder; with pre-encoded packets it would do nothing."""
    sender._send_keyframe = callback  # type: ignore[method-assign]


def depayloaded(packet: RtpPacket) -> bytes:
    """The packet's payload without its codec descriptor, set by the receiver."""
    data: bytes = packet._data  # type: ignore[attr-defined]
    return data


def rtp_packet(
    sequence_number: int,
    timestamp: int,
    *,
    marker: bool,
    data: bytes,
    payload: bytes = b"",
    payload_type: int = 96,
) -> RtpPacket:
    """A packet as the receiver hands it to a jitter buffer (tests and tools feed buffers
    directly): ``payload`` as on the wire, ``data`` as depayloaded."""
    packet = RtpPacket(
        payload_type=payload_type,
        sequence_number=sequence_number,
        timestamp=timestamp,
        marker=marker,
    )
    packet.payload = payload
    packet._data = data  # type: ignore[attr-defined]
    return packet
