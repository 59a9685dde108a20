"""What one subscriber's sender reads: the frames of its current source, re-stamped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
from aiortc import MediaStreamError, MediaStreamTrack

from media.forwarding.frames import EncodedFrame
from media.forwarding.source import Source

VIDEO_QUEUE_MAX = 60  # frames a slow subscriber may lag before we drop to a keyframe
AUDIO_QUEUE_MAX = 25  # 0.5 s of Opus


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
        """A subscriber's PLI/FIR lands here (see ``internals.route_keyframe_requests``)."""
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
