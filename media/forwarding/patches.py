"""Process-wide patches of aiortc and aioice (idempotent; see internals.py for the names).

* ``rtcrtpreceiver.get_decoder``: the decoder thread of a forwarding receiver gets a
  pass-through "decoder" that returns the encoded frame instead of pictures.
* ``RTCDtlsTransport._register_rtp_receiver``: RTX packets are routed by SSRC.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import aioice.ice
from aiortc import RTCDtlsTransport
from aiortc import rtcrtpreceiver as _rtcrtpreceiver

from media.forwarding.frames import EncodedFrame, is_keyframe

# Attribute set on an aiortc decoder thread whose receiver must pass frames through.
PASSTHROUGH_FLAG = "_media_passthrough"


class _PassthroughDecoder:
    """Stands in for aiortc's decoder: returns the encoded frame instead of pictures.

    aiortc's decoder thread puts whatever ``decode()`` returns on the track's queue, so
    ``RemoteStreamTrack.recv()`` yields our ``EncodedFrame`` objects.
    """

    def __init__(self, codec: Any) -> None:
        self._codec = str(codec.name)
        self._clock_rate = int(codec.clockRate)

    def decode(self, encoded_frame: Any) -> list[EncodedFrame]:
        data = bytes(encoded_frame.data)
        return [
            EncodedFrame(
                data=data,
                timestamp=int(encoded_frame.timestamp),
                clock_rate=self._clock_rate,
                codec=self._codec,
                keyframe=is_keyframe(self._codec, data),
                arrival=time.monotonic(),
            )
        ]


def _patched_get_decoder(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get_decoder(codec: Any) -> Any:
        # Called by aiortc's decoder_worker thread; only threads we flagged pass through,
        # so ordinary aiortc peers in the same process (test bots) keep decoding.
        if getattr(threading.current_thread(), PASSTHROUGH_FLAG, False):
            return _PassthroughDecoder(codec)
        return original(codec)

    get_decoder.patched = True  # type: ignore[attr-defined]
    return get_decoder


def _patched_register(original: Callable[..., None]) -> Callable[..., None]:
    def register_rtp_receiver(transport: Any, receiver: Any, parameters: Any) -> None:
        # aiortc's RtpRouter learns only the primary SSRCs and routes any other SSRC by
        # payload type, unless that type belongs to several receivers of the transport.
        # With BUNDLE, every video section of a peer shares the RTX payload type, so all
        # retransmissions to a peer with two video receivers (a bridge: main and chair; a
        # node linked to its parent) were discarded. The SDP's FID groups name the RTX
        # SSRCs: route them by SSRC like the primaries.
        original(transport, receiver, parameters)
        for encoding in parameters.encodings:
            if encoding.rtx is not None:
                transport._rtp_router.ssrc_table[encoding.rtx.ssrc] = receiver

    register_rtp_receiver.patched = True  # type: ignore[attr-defined]
    return register_rtp_receiver


def install() -> None:
    """Patch aiortc where forwarding needs it (idempotent, process-wide)."""
    # decoder_worker looks the name up in its module globals for every codec change.
    current = _rtcrtpreceiver.get_decoder  # type: ignore[attr-defined]
    if not getattr(current, "patched", False):
        _rtcrtpreceiver.get_decoder = _patched_get_decoder(current)  # type: ignore[attr-defined,assignment]
    register = RTCDtlsTransport._register_rtp_receiver
    if not getattr(register, "patched", False):
        RTCDtlsTransport._register_rtp_receiver = _patched_register(register)  # type: ignore[method-assign]


def restrict_host_addresses_to_loopback() -> None:
    """Test and bench only: gather ICE host candidates on 127.0.0.1 only.

    aioice's ``get_host_addresses`` deliberately skips 127.0.0.1; loopback-only tests and
    sandboxes without other interfaces need exactly that address.
    """
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
