"""Jitter buffers for a forwarder: release each video frame on its marker packet, skip
gaps that will never fill; and one that counts frames for a benchmark bot."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

from media.forwarding import internals
from media.forwarding.frames import starts_keyframe

GAP_GIVE_UP = 1.0  # seconds a missing video packet is awaited (NACK/RTX) before skipping


class EmptyJitterBuffer(RuntimeError):
    """A step that needs held packets ran on an empty buffer (a bug, not bad input)."""


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

    def _held_origin(self) -> int:
        # Gap handling runs only while the buffer holds packets, so it has an origin.
        if self._origin is None:
            raise EmptyJitterBuffer("gap handling reached with no packet held")
        return self._origin

    def _missing_before(self, seq: int) -> bool:
        """Whether a packet between the origin and ``seq`` is missing."""
        origin = self._held_origin()
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
        origin = self._held_origin()
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
        origin = self._held_origin()
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
        origin = self._held_origin()
        for count in range(self.capacity):
            packet = self._packets[(origin + count) % self.capacity]
            if packet is None:
                return None
            if timestamp is None:
                timestamp = packet.timestamp
            elif packet.timestamp != timestamp:
                # The next frame started though this one had no marker: release it.
                self.remove(count)
                return JitterFrame(b"".join(map(internals.depayloaded, packets)), timestamp)
            packets.append(packet)
            if packet.marker:
                self.remove(count + 1)
                return JitterFrame(b"".join(map(internals.depayloaded, packets)), timestamp)
        return None


def forwarding_audio_buffer() -> JitterBuffer:
    """aiortc prefetches 4 audio frames (~80 ms) for its own playout; a forwarder must not
    add that on every hop, the far end has its own jitter buffer."""
    return JitterBuffer(capacity=16, prefetch=0)


class _CountingJitterBuffer(JitterBuffer):
    """aiortc's video jitter buffer, but frames are handed to ``on_frame``, never decoded."""

    def __init__(self, on_frame: Callable[[bytes], None]) -> None:
        super().__init__(capacity=512, is_video=True)
        self._on_frame = on_frame

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        pli, frame = super().add(packet)
        if frame is not None:
            self._on_frame(frame.data)
        return pli, None


def count_frames_without_decoding(
    receiver: RTCRtpReceiver, on_frame: Callable[[bytes], None], *, remb: bool = True
) -> None:
    """Benchmark subscribers: each complete video frame goes to ``on_frame`` and nothing
    to the decoder (aiortc releases only contiguous runs of packets; NACK and RTCP keep
    working). ``remb=False`` also stops the receive-side bandwidth estimator."""
    internals.replace_jitter_buffer(receiver, _CountingJitterBuffer(on_frame))
    if not remb:
        internals.drop_bandwidth_estimator(receiver)
