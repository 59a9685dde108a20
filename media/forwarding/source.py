"""One incoming track (a site's camera or microphone) fanned out to sinks.

Sources come from ``media.forwarding.negotiation``, which creates them at the only
moment that works: after the remote description (the codecs are known), before the
receiver starts (its decoder thread must be flagged before the first packet).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiortc import MediaStreamError, RTCRtpReceiver, RTCRtpTransceiver
from aiortc.rtp import RtpPacket

from media.forwarding import internals
from media.forwarding.frames import EncodedFrame, starts_keyframe
from media.forwarding.jitter import MarkerJitterBuffer, forwarding_audio_buffer
from media.forwarding.keyframes import KeyframeRequester
from media.forwarding.patches import PASSTHROUGH_FLAG, install

KEYFRAME_INTERVAL = 1.0  # seconds between PLIs sent to one source (merged)
STALL_AFTER = 1.0  # seconds without a video frame before a source counts as stalled
RESUME_AFTER = 0.5  # seconds of silence after which a returning stream needs a keyframe


class SourceOrderError(RuntimeError):
    """A Source was made outside the window between remote description and receiving."""


FrameSink = Callable[["Source", EncodedFrame], None]


class Source:
    """One incoming track fanned out to sinks (frame callbacks keyed by sink id)."""

    def __init__(
        self, transceiver: RTCRtpTransceiver, label: str = "", watchdog: bool = True
    ) -> None:
        codecs = internals.negotiated_codecs(transceiver)
        if not codecs:
            raise SourceOrderError(f"source {label!r}: no codecs yet, set the offer first")
        if internals.decoder_thread(transceiver.receiver) is not None:
            raise SourceOrderError(f"source {label!r}: the receiver is already running")
        install()
        self.kind: str = transceiver.kind
        self.label = label
        self.receiver: RTCRtpReceiver = transceiver.receiver
        self.muted = False
        self.ssrc: int | None = None
        self.frames = 0
        self.bytes = 0
        self.keyframes = 0
        self.last_frame = time.monotonic()
        self.stalled = False
        self.on_audio_level: Callable[[int], None] | None = None
        self.on_rtp: Callable[[int, int, int], None] | None = None  # ssrc, seq, timestamp
        self.on_stall: Callable[[bool], None] | None = None
        self._sinks: dict[int, FrameSink] = {}
        self._waiting: set[int] = set()  # sinks waiting for a keyframe
        self._keyframe_waiters: list[asyncio.Future[None]] = []
        self._keyframes = KeyframeRequester(self.send_pli, KEYFRAME_INTERVAL)
        # Media codecs by payload type (not RTX): RTX packets carry another SSRC.
        self._codecs = {
            c.payloadType: str(c.name)
            for c in codecs
            if c.payloadType is not None and c.name.lower() != "rtx"
        }
        self._media_pts = set(self._codecs)
        self._last_packet: float | None = None
        self.jitter: MarkerJitterBuffer | None = None
        self._hook_receiver()
        self._tasks = [asyncio.ensure_future(self._pump())]
        if self.kind == "video" and watchdog:
            self._tasks.append(asyncio.ensure_future(self._watchdog()))

    @property
    def plis_sent(self) -> int:
        return self._keyframes.sent

    def _hook_receiver(self) -> None:
        receiver = self.receiver
        original_receive = receiver.receive

        async def receive(parameters: Any) -> None:
            # receive() creates and starts the decoder thread; flag it before any packet
            # can reach it (nothing awaits between here and the flag).
            await original_receive(parameters)
            thread = internals.decoder_thread(receiver)
            if thread is not None:
                setattr(thread, PASSTHROUGH_FLAG, True)

        receiver.receive = receive  # type: ignore[method-assign]
        internals.inspect_rtp(receiver, self._inspect_rtp)
        if self.kind == "video":
            self.jitter = MarkerJitterBuffer(self._codecs, on_gap=self.request_keyframe)
            internals.replace_jitter_buffer(receiver, self.jitter)
        if self.kind == "audio":
            internals.replace_jitter_buffer(receiver, forwarding_audio_buffer())

    def _inspect_rtp(self, packet: RtpPacket) -> None:
        if packet.payload_type not in self._media_pts:
            return
        self.ssrc = packet.ssrc
        now = time.monotonic()
        silent = self._last_packet is not None and now - self._last_packet > RESUME_AFTER
        if silent and not self._starts_keyframe(packet):
            # The stream is back after a blackout: what it sends now refers to frames we
            # never got. Ask for a keyframe at once; the requests made during the silence
            # were answered with keyframes that were lost too.
            self.request_keyframe(urgent=True)
        self._last_packet = now
        if self.on_rtp is not None:
            self.on_rtp(packet.ssrc, packet.sequence_number, packet.timestamp)
        level = packet.extensions.audio_level
        if level is not None and self.on_audio_level is not None:
            self.on_audio_level(int(level[1]))

    def _starts_keyframe(self, packet: RtpPacket) -> bool:
        codec = self._codecs.get(packet.payload_type)
        return codec is not None and starts_keyframe(codec, packet)

    async def send_pli(self) -> bool:
        """One PLI now, not rate-limited (``request_keyframe`` is the merged path)."""
        if self.ssrc is None or self.kind != "video":
            return False
        await internals.send_pli(self.receiver, self.ssrc)
        return True

    def request_keyframe(self, urgent: bool = False) -> None:
        if self.kind == "video":
            self._keyframes.request(urgent)

    def add_sink(self, sink_id: int, sink: FrameSink, *, wants_keyframe: bool = True) -> None:
        self._sinks[sink_id] = sink
        if wants_keyframe and self.kind == "video":
            self._waiting.add(sink_id)
            self.request_keyframe()

    def remove_sink(self, sink_id: int) -> None:
        self._sinks.pop(sink_id, None)
        self._waiting.discard(sink_id)

    def mark_waiting(self, sink_id: int) -> None:
        if self.kind == "video" and sink_id in self._sinks:
            self._waiting.add(sink_id)
            self.request_keyframe()

    @property
    def sink_count(self) -> int:
        return len(self._sinks)

    def next_keyframe(self) -> asyncio.Future[None]:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._keyframe_waiters.append(fut)
        return fut

    async def _pump(self) -> None:
        track = self.receiver.track
        try:
            while True:
                frame = await track.recv()
                if not isinstance(frame, EncodedFrame):
                    continue  # receiver was not flagged in time; never forward pictures
                self._deliver(frame)
        except (MediaStreamError, asyncio.CancelledError):
            pass

    def _deliver(self, frame: EncodedFrame) -> None:
        self.frames += 1
        self.bytes += len(frame.data)
        self.last_frame = frame.arrival
        if self.stalled:
            self.stalled = False
            if self.on_stall is not None:
                self.on_stall(False)
        if frame.keyframe:
            self.keyframes += 1
            self._keyframes.cancel()  # a merged request still pending is now satisfied
            self._waiting.clear()
            for fut in self._keyframe_waiters:
                if not fut.done():
                    fut.set_result(None)
            self._keyframe_waiters.clear()
        if self.muted:
            return
        for sink in list(self._sinks.values()):
            sink(self, frame)

    async def _watchdog(self) -> None:
        # A stalled stream (sender froze, burst loss) or a subscriber still waiting for
        # its first keyframe gets another keyframe request; the requester rate-limits.
        while True:
            await asyncio.sleep(STALL_AFTER / 2)
            if not self._sinks:
                continue
            if time.monotonic() - self.last_frame > STALL_AFTER and not self.stalled:
                self.stalled = True
                if self.on_stall is not None:
                    self.on_stall(True)
            if self.stalled or self._waiting:
                self.request_keyframe()

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._keyframes.cancel()
        self._sinks.clear()
        for fut in self._keyframe_waiters:
            fut.cancel()
