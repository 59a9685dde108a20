"""Forward encoded media through aiortc without decoding or re-encoding.

This is the ONLY module that reaches into aiortc (and aioice) internals; the pin
``aiortc==1.16.0`` in requirements.txt exists because of it. Every touch point says why.

Data path::

    RTCRtpReceiver -> jitter buffer (video: released on the marker packet)
        -> decoder thread -> [our pass-through "decoder"]
        -> RemoteStreamTrack queue -> Source.pump -> ForwardTrack (one per subscriber)
        -> RTCRtpSender._next_encoded_frame gets an av.Packet -> encoder.pack() -> RTP

Stock aiortc decodes every frame and re-encodes it per subscriber (~5% of a core each);
forwarding the depayloaded frame costs a small fraction of that.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import aioice.ice
import av
from aiortc import MediaStreamTrack, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc import rtcdtlstransport as _rtcdtlstransport
from aiortc import rtcrtpreceiver as _rtcrtpreceiver
from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamError
from aiortc.utils import uint16_add

log = logging.getLogger(__name__)

KEYFRAME_INTERVAL = 1.0  # seconds between PLIs sent to one source (merged)
STALL_AFTER = 1.0  # seconds without a video frame before a source counts as stalled
GAP_GIVE_UP = 1.0  # seconds a missing video packet is awaited (NACK/RTX) before skipping
RESUME_AFTER = 0.5  # seconds of silence after which a returning stream needs a keyframe
VIDEO_QUEUE_MAX = 60  # frames a slow subscriber may lag before we drop to a keyframe
AUDIO_QUEUE_MAX = 25  # 0.5 s of Opus

# Attribute set on an aiortc decoder thread whose receiver must pass frames through.
_PASSTHROUGH_FLAG = "_media_passthrough"


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


_original_get_decoder: Callable[[Any], Any] | None = None


def _get_decoder(codec: Any) -> Any:
    # Called by aiortc's decoder_worker thread; only threads we flagged pass through,
    # so ordinary aiortc peers in the same process (test bots) keep decoding.
    if getattr(threading.current_thread(), _PASSTHROUGH_FLAG, False):
        return _PassthroughDecoder(codec)
    assert _original_get_decoder is not None
    return _original_get_decoder(codec)


_original_register_receiver: Callable[..., None] | None = None


def _register_rtp_receiver(transport: Any, receiver: Any, parameters: Any) -> None:
    # aiortc's RtpRouter learns only the primary SSRCs and routes any other SSRC by
    # payload type, unless that type belongs to several receivers of the transport. With
    # BUNDLE, every video section of a peer shares the RTX payload type, so all
    # retransmissions to a peer with two video receivers (a bridge: main and chair; a
    # node linked to its parent) were discarded. The SDP's FID groups name the RTX
    # SSRCs: route them by SSRC like the primaries.
    assert _original_register_receiver is not None
    _original_register_receiver(transport, receiver, parameters)
    for encoding in parameters.encodings:
        if encoding.rtx is not None:
            transport._rtp_router.ssrc_table[encoding.rtx.ssrc] = receiver


def install() -> None:
    """Patch aiortc where forwarding needs it (idempotent, process-wide):
    ``rtcrtpreceiver.get_decoder`` (a module global looked up per codec change) and the
    DTLS transport's receiver registration (RTX routing)."""
    global _original_get_decoder, _original_register_receiver
    if _original_get_decoder is None:
        # decoder_worker looks the name up in its module globals for every codec change.
        _original_get_decoder = _rtcrtpreceiver.get_decoder  # type: ignore[attr-defined]
        _rtcrtpreceiver.get_decoder = _get_decoder  # type: ignore[attr-defined]
    if _original_register_receiver is None:
        transport_class = _rtcdtlstransport.RTCDtlsTransport
        _original_register_receiver = transport_class._register_rtp_receiver
        transport_class._register_rtp_receiver = _register_rtp_receiver  # type: ignore[method-assign,assignment]


def restrict_host_addresses_to_loopback() -> None:
    """Test-only: gather ICE host candidates on 127.0.0.1 only.

    aioice's ``get_host_addresses`` deliberately skips 127.0.0.1; loopback-only tests and
    sandboxes without other interfaces need exactly that address.
    """
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class KeyframeRequester:
    """Merges keyframe requests to one PLI per ``interval`` (first one goes at once)."""

    def __init__(self, send: Callable[[], Awaitable[bool]], interval: float) -> None:
        self._send = send
        self._interval = interval
        self._last = -1e9
        self._pending: asyncio.TimerHandle | None = None
        self.sent = 0

    def request(self, urgent: bool = False) -> None:
        """``urgent``: send now even within the interval (once per event, e.g. a stream
        returning after a blackout), replacing any PLI scheduled for later."""
        if urgent:
            self.cancel()
            self._fire()
            return
        if self._pending is not None:
            return  # merged into the PLI already scheduled
        wait = self._last + self._interval - time.monotonic()
        if wait <= 0:
            self._fire()
        else:
            self._pending = asyncio.get_running_loop().call_later(wait, self._fire)

    def _fire(self) -> None:
        self._pending = None
        self._last = time.monotonic()
        task = asyncio.ensure_future(self._send())
        task.add_done_callback(self._count)

    def _count(self, task: asyncio.Future[bool]) -> None:
        if not task.cancelled() and task.exception() is None and task.result():
            self.sent += 1

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None


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


class MarkerJitterBuffer(JitterBuffer):
    """aiortc's video jitter buffer, for a forwarder: no waiting for the next frame, and
    no waiting for packets that will never come.

    * A frame is released as soon as its last packet is in: the packets from the buffer's
      origin are contiguous, share one timestamp and end with the RTP marker bit (RFC 7741
      §4.1 for VP8; RFC 6184 §5.1 for H.264). Stock aiortc waits for the first packet of
      the next frame (one frame interval per hop). A frame whose marker was lost is still
      released when the next frame starts.
    * A missing packet is awaited (the receiver NACKs it, the sender retransmits) only
      while nothing better exists: as soon as a complete key frame follows the gap, the
      buffer jumps to it; after ``GAP_GIVE_UP`` it drops what it holds, asks for a key
      frame (``on_gap``) and restarts at the next key frame. Stock aiortc waited until
      ``capacity`` packets had piled up behind the gap (seconds after a blackout, longer
      than any sender keeps packets), then released frames a decoder cannot use.
    * Packets older than the origin (late retransmissions of skipped packets) are dropped;
      stock aiortc reset the whole buffer on them.
    """

    def __init__(
        self, codecs: dict[int, str] | None = None, on_gap: Callable[[], None] | None = None
    ) -> None:
        super().__init__(capacity=512, is_video=True)
        self._codecs = codecs or {}  # payload type -> codec name
        self.on_gap = on_gap
        self.gaps_skipped = 0
        self._blocked_since: float | None = None  # when a missing packet started to block
        self._max_seq = 0  # newest sequence number stored
        self._keyframe_starts: list[int] = []  # keyframe starts seen behind a gap
        self._await_keyframe = False

    def _is_keyframe_start(self, packet: Any) -> bool:
        codec = self._codecs.get(packet.payload_type)
        return codec is not None and starts_keyframe(codec, packet)

    def add(self, packet: Any) -> tuple[bool, JitterFrame | None]:
        seq = int(packet.sequence_number)
        if self._await_keyframe or self._origin is None:
            if self._await_keyframe and not self._is_keyframe_start(packet):
                return False, None
            self._restart(seq)
        else:
            delta = uint16_add(seq, -self._origin)
            if delta >= 0x8000:  # older than the origin
                if 0x10000 - delta < self.capacity:
                    return False, None  # late retransmission or duplicate
                self._restart(seq)  # the sender restarted its numbering
            elif delta >= self.capacity:
                self._give_up()
                if self._origin is None or uint16_add(seq, -self._origin) >= self.capacity:
                    if not self._is_keyframe_start(packet):
                        self._await_keyframe = True
                        self._origin = None
                        return False, None
                    self._restart(seq)
        self._packets[seq % self.capacity] = packet
        ahead = uint16_add(seq, -self._max_seq)
        if ahead < 0x8000:
            self._max_seq = seq
        # The per-packet cost stays that of stock aiortc unless packets are missing.
        gap = self._blocked_since is not None or 1 < ahead < 0x8000
        if gap and self._is_keyframe_start(packet):
            self._keyframe_starts.append(seq)
        frame = self._remove_frame(seq)
        if frame is not None:
            if self._blocked_since is not None and not self._missing_before(self._max_seq):
                self._blocked_since = None
            return False, frame
        if gap:
            if not self._missing_before(self._max_seq):
                self._blocked_since = None  # the retransmissions filled it
                return False, None
            now = time.monotonic()
            if self._blocked_since is None:
                self._blocked_since = now
            frame = self._jump_to_complete_keyframe()
            if frame is None and now - self._blocked_since > GAP_GIVE_UP:
                self._give_up()
            return False, frame
        return False, None

    def _missing_before(self, seq: int) -> bool:
        """Whether a packet between the origin and ``seq`` is missing."""
        assert self._origin is not None
        origin = self._origin
        held = uint16_add(seq, -origin)
        return held < self.capacity and any(
            self._packets[(origin + count) % self.capacity] is None for count in range(held)
        )

    def _restart(self, seq: int) -> None:
        if self._origin is not None:
            self.remove(self.capacity)
        self._origin = self._max_seq = seq
        self._blocked_since = None
        self._keyframe_starts.clear()
        self._await_keyframe = False

    def _frame_complete_at(self, start: int) -> bool:
        first = self._packets[start % self.capacity]
        if first is None or first.sequence_number != start:
            return False
        for count in range(self.capacity):
            packet = self._packets[(start + count) % self.capacity]
            if packet is None or packet.timestamp != first.timestamp:
                return False
            if packet.marker:
                return True
        return False

    def _jump_to_complete_keyframe(self) -> JitterFrame | None:
        assert self._origin is not None
        origin = self._origin
        self._keyframe_starts = [
            s for s in self._keyframe_starts if uint16_add(s, -origin) < self.capacity
        ]
        for start in reversed(self._keyframe_starts):
            if self._frame_complete_at(start):
                self.remove(uint16_add(start, -origin))
                self._keyframe_starts = [start]
                self.gaps_skipped += 1
                frame = self._remove_frame(start)
                if not self._missing_before(self._max_seq):
                    self._blocked_since = None
                return frame
        return None

    def _give_up(self) -> None:
        # The missing packets are not coming: wait for the next key frame (one already
        # in the buffer, though incomplete, will do) and ask the sender for one.
        assert self._origin is not None
        origin = self._origin
        later = [s for s in self._keyframe_starts if 0 < uint16_add(s, -origin) < self.capacity]
        if later:
            self.remove(uint16_add(later[-1], -origin))
            self._keyframe_starts = [later[-1]]
            self._blocked_since = time.monotonic()
        else:
            self.remove(self.capacity)
            self._origin = None
            self._keyframe_starts.clear()
            self._blocked_since = None
            self._await_keyframe = True
        self.gaps_skipped += 1
        if self.on_gap is not None:
            self.on_gap()

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        packets: list[Any] = []
        timestamp = None
        for count in range(self.capacity):
            packet = self._packets[(self._origin + count) % self.capacity]  # type: ignore[operator]
            if packet is None:
                return None
            if timestamp is None:
                timestamp = packet.timestamp
            elif packet.timestamp != timestamp:
                # The next frame started though this one had no marker: release it.
                self.remove(count)
                return JitterFrame(b"".join(p._data for p in packets), timestamp)
            packets.append(packet)
            if packet.marker:
                self.remove(count + 1)
                return JitterFrame(b"".join(p._data for p in packets), timestamp)
        return None


FrameSink = Callable[["Source", EncodedFrame], None]


class Source:
    """One incoming track (a site's camera or microphone) fanned out to sinks."""

    def __init__(
        self, transceiver: RTCRtpTransceiver, label: str = "", watchdog: bool = True
    ) -> None:
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
        self._keyframes = KeyframeRequester(self._send_pli, KEYFRAME_INTERVAL)
        # Media codecs by payload type (not RTX): RTX packets carry another SSRC.
        self._codecs = {
            c.payloadType: str(c.name)
            for c in transceiver._codecs
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
        original_rtp = receiver._handle_rtp_packet

        async def receive(parameters: Any) -> None:
            # receive() creates and starts the decoder thread; flag it before any packet
            # can reach it (nothing awaits between here and the flag).
            await original_receive(parameters)
            thread = receiver._RTCRtpReceiver__decoder_thread  # type: ignore[attr-defined]
            if thread is not None:
                setattr(thread, _PASSTHROUGH_FLAG, True)

        async def handle_rtp(packet: Any, arrival_time_ms: int) -> None:
            # The header extensions (RFC 6464 audio level) and SSRC are only visible on
            # RTP packets, which aiortc handles privately.
            if packet.payload_type in self._media_pts:
                self.ssrc = packet.ssrc
                now = time.monotonic()
                silent = self._last_packet is not None and now - self._last_packet > RESUME_AFTER
                if silent and not self._starts_keyframe(packet):
                    # The stream is back after a blackout: what it sends now refers to
                    # frames we never got. Ask for a keyframe at once; the requests made
                    # during the silence were answered with keyframes that were lost too.
                    self.request_keyframe(urgent=True)
                self._last_packet = now
                if self.on_rtp is not None:
                    self.on_rtp(packet.ssrc, packet.sequence_number, packet.timestamp)
                level = packet.extensions.audio_level
                if level is not None and self.on_audio_level is not None:
                    self.on_audio_level(int(level[1]))
            await original_rtp(packet, arrival_time_ms)

        receiver.receive = receive  # type: ignore[method-assign]
        receiver._handle_rtp_packet = handle_rtp  # type: ignore[method-assign]
        if self.kind == "video":
            self.jitter = MarkerJitterBuffer(self._codecs, on_gap=self.request_keyframe)
            receiver._RTCRtpReceiver__jitter_buffer = self.jitter  # type: ignore[attr-defined]
        if self.kind == "audio":
            # aiortc prefetches 4 audio frames (~80 ms) for its own playout; a forwarder
            # must not add that on every hop, the far end has its own jitter buffer.
            receiver._RTCRtpReceiver__jitter_buffer = JitterBuffer(capacity=16, prefetch=0)  # type: ignore[attr-defined]

    def _starts_keyframe(self, packet: Any) -> bool:
        codec = self._codecs.get(packet.payload_type)
        return codec is not None and starts_keyframe(codec, packet)

    async def _send_pli(self) -> bool:
        if self.ssrc is None or self.kind != "video":
            return False
        # Public API has no way to ask a remote sender for a keyframe.
        await self.receiver._send_rtcp_pli(self.ssrc)
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


class ForwardTrack(MediaStreamTrack):
    """What one subscriber's RTCRtpSender reads: frames of the current source, re-stamped.

    Switching source keeps the old source flowing until the new one delivers a keyframe,
    then continues the timestamps from where the old one stopped; the sender keeps its own
    SSRC and sequence numbers, so the subscriber sees one continuous stream.
    """

    _next_id = 0

    def __init__(
        self,
        kind: str,
        on_frame: Callable[[EncodedFrame, int], None] | None = None,
        epoch: float | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        ForwardTrack._next_id += 1
        self.sink_id = ForwardTrack._next_id
        self.frames_out = 0
        self.dropped = 0
        self._queue: asyncio.Queue[av.Packet[Any] | None] = asyncio.Queue()
        self._source: Source | None = None
        self._pending: Source | None = None
        self._waiting_keyframe = True
        self._rebase_next = True
        self._offset = 0
        self._last_ts: int | None = None
        self._last_wall = 0.0
        self._clock_rate = 90000 if kind == "video" else 48000
        self._on_frame = on_frame  # recorder taps frames here instead of recv()
        # A subscriber's sender starts reading only once DTLS is up; frames queued before
        # that would go out as a late burst, so nothing is queued until the first recv().
        self._live = on_frame is not None
        self._epoch = epoch  # recorder: timestamps count from this monotonic instant

    @property
    def source(self) -> Source | None:
        return self._pending or self._source

    def switch(self, source: Source | None) -> None:
        """Make ``source`` this track's input (None: send nothing)."""
        if source is self.source:
            return
        if self._pending is not None:
            self._pending.remove_sink(self.sink_id)
            self._pending = None
        if source is None or self.kind == "audio" or self._source is None:
            # Audio frames all decode on their own; an idle track has nothing to keep.
            if self._source is not None:
                self._source.remove_sink(self.sink_id)
            self._source = source
            self._waiting_keyframe = self.kind == "video"
            self._rebase_next = True
            if source is not None:
                source.add_sink(self.sink_id, self._accept, wants_keyframe=self._live)
            return
        self._pending = source
        source.add_sink(self.sink_id, self._accept)

    def request_keyframe(self) -> None:
        """A subscriber's PLI/FIR lands here (see ``bind_sender``)."""
        source = self.source
        if source is not None:
            source.request_keyframe()

    def _accept(self, source: Source, frame: EncodedFrame) -> None:
        if not self._live:
            return
        if source is self._pending:
            if not frame.keyframe:
                return
            if self._source is not None:
                self._source.remove_sink(self.sink_id)
            self._source, self._pending = source, None
            self._rebase_next = True
        elif source is not self._source:
            return
        elif self._waiting_keyframe:
            if not frame.keyframe:
                return
            self._waiting_keyframe = False
        if self._rebase_next:
            self._rebase_next = False
            self._rebase(frame)
        self._emit(frame)

    def _rebase(self, frame: EncodedFrame) -> None:
        # New source (or first frame): continue after the last timestamp sent, advanced
        # by the wall-clock gap, so RTP timestamps keep increasing for the subscriber.
        if self._last_ts is None:
            since = 0.0 if self._epoch is None else max(0.0, frame.arrival - self._epoch)
            target = round(since * self._clock_rate)
        else:
            gap = max(1, round((frame.arrival - self._last_wall) * self._clock_rate))
            target = self._last_ts + gap
        self._offset = target - frame.timestamp

    def _emit(self, frame: EncodedFrame) -> None:
        ts = frame.timestamp + self._offset
        if self._last_ts is not None and ts <= self._last_ts:
            return  # late or duplicate frame; timestamps must not go backwards
        self._last_ts, self._last_wall = ts, frame.arrival
        self.frames_out += 1
        if self._on_frame is not None:
            self._on_frame(frame, ts)
            return
        limit = VIDEO_QUEUE_MAX if self.kind == "video" else AUDIO_QUEUE_MAX
        if self._queue.qsize() >= limit:
            # Subscriber cannot keep up: drop the backlog and restart from a keyframe.
            self.dropped += self._queue.qsize()
            while not self._queue.empty():
                self._queue.get_nowait()
            if self.kind == "video" and self._source is not None:
                self._waiting_keyframe = True
                self._source.mark_waiting(self.sink_id)
                return
        packet = av.Packet(frame.data)
        packet.pts = ts
        packet.time_base = Fraction(1, self._clock_rate)
        self._queue.put_nowait(packet)

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        if not self._live:
            # First read: the subscriber is connected; start it on a fresh keyframe now.
            self._live = True
            self._waiting_keyframe = self.kind == "video"
            if self._source is not None:
                self._source.mark_waiting(self.sink_id)
        packet = await self._queue.get()
        if packet is None:
            raise MediaStreamError
        return packet

    def stop(self) -> None:
        for source in (self._source, self._pending):
            if source is not None:
                source.remove_sink(self.sink_id)
        self._source = self._pending = None
        self._queue.put_nowait(None)
        super().stop()


def bind_sender(sender: RTCRtpSender, track: ForwardTrack) -> None:
    """Route the subscriber's PLI/FIR to the source.

    ``RTCRtpSender._handle_rtcp_packet`` calls ``self._send_keyframe()``, which only sets
    a flag for aiortc's own encoder; with pre-encoded packets it would do nothing.
    """
    sender._send_keyframe = track.request_keyframe  # type: ignore[method-assign]
