"""Real aiortc peers for media tests: publishers of pre-encoded video, tone audio,
and subscribers that record the encoded frames they receive."""

from __future__ import annotations

import asyncio
import bisect
import fractions
import functools
import itertools
import math
import re
import time
from typing import Any

import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
)

from media.forwarding import EncodedFrame, Source, accept_answer, route_keyframe_requests

VIDEO_TB = fractions.Fraction(1, 90000)


@functools.cache
def encoded_video(
    codec: str = "VP8",
    count: int = 90,
    width: int = 160,
    height: int = 120,
    bit_rate: int = 300_000,
) -> list[bytes]:
    """``count`` frames with a single keyframe first (the bot loops and jumps back to it)."""
    enc: Any = av.CodecContext.create("libvpx" if codec == "VP8" else "libx264", "w")
    enc.width, enc.height, enc.pix_fmt = width, height, "yuv420p"
    enc.time_base = fractions.Fraction(1, 30)
    enc.gop_size = 10_000
    enc.bit_rate = bit_rate
    if codec == "VP8":
        enc.options = {"deadline": "realtime", "cpu-used": "8"}
    else:
        enc.options = {"preset": "ultrafast", "tune": "zerolatency", "profile": "baseline"}
    frames = []
    rng = np.random.default_rng(1)
    for i in range(count):
        img = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
        img[:, : (i * 3) % width] = 40
        frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")
        frame.pts = i
        frames += [bytes(p) for p in enc.encode(frame)]
    frames += [bytes(p) for p in enc.encode(None)]
    return frames


class EncodedVideoTrack(MediaStreamTrack):
    """Sends pre-encoded frames at ``fps``; a keyframe request makes it restart at frame 0
    (its only keyframe), as a real encoder would send a keyframe on PLI."""

    kind = "video"

    def __init__(
        self, codec: str = "VP8", fps: int = 30, bit_rate: int = 300_000, count: int = 90
    ) -> None:
        super().__init__()
        self.frames = encoded_video(codec, count, bit_rate=bit_rate)
        self.fps = fps
        self.index = 0
        self.count = 0
        self.keyframe_requests = 0
        self.sent: list[tuple[bytes, float]] = []
        self._start: float | None = None

    def request_keyframe(self) -> None:
        self.keyframe_requests += 1
        self.index = 0

    async def recv(self) -> av.Packet[Any]:
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self.count / self.fps - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        data = self.frames[self.index % len(self.frames)]
        self.index = (self.index + 1) % len(self.frames)
        packet = av.Packet(data)
        packet.pts = self.count * (90000 // self.fps)
        packet.time_base = VIDEO_TB
        self.count += 1
        self.sent.append((data, time.monotonic()))
        return packet


class ToneTrack(MediaStreamTrack):
    """20 ms audio frames: a 440 Hz tone (loud) or silence; aiortc encodes them to Opus
    and puts the RFC 6464 audio level in each packet."""

    kind = "audio"

    def __init__(self, loud: bool) -> None:
        super().__init__()
        self.loud = loud
        self.count = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self.count * 0.02 - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (np.arange(960) + self.count * 960) / 48000
        amp = 10000 if self.loud else 0
        samples = (amp * np.sin(2 * math.pi * 440 * t)).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = self.count * 960
        frame.time_base = fractions.Fraction(1, 48000)
        self.count += 1
        return frame


class Collector:
    """Receives encoded frames of one incoming track (through media.forwarding.Source)."""

    def __init__(self, source: Source) -> None:
        self.frames: list[EncodedFrame] = []
        self.source = source
        self.source.add_sink(id(self), self._sink, wants_keyframe=False)
        self.levels: list[int] = []
        self.source.on_audio_level = self.levels.append
        self.rtp: list[tuple[int, int, int]] = []  # (ssrc, seq, timestamp) as received
        self.source.on_rtp = lambda *fields: self.rtp.append(fields)

    def _sink(self, source: Source, frame: EncodedFrame) -> None:
        self.frames.append(frame)

    def datas(self) -> list[bytes]:
        return [f.data for f in self.frames]

    def latencies(self, sent: list[tuple[bytes, float]], start: float, end: float) -> list[float]:
        """Publisher-to-here delay of each frame that arrived in [start, end)
        byte-identical to a published one (so a decoder can use it); inf for the others.
        The publisher loops over its frames: a frame matches its latest send."""
        sends: dict[bytes, list[float]] = {}
        for data, at in sent:
            sends.setdefault(data, []).append(at)
        out = []
        for f in self.frames:
            if start <= f.arrival < end:
                times = sends.get(f.data, [])
                i = bisect.bisect_right(times, f.arrival)
                out.append(f.arrival - times[i - 1] if i else math.inf)
        return out

    def on_time(
        self,
        sent: list[tuple[bytes, float]],
        start: float,
        end: float,
        max_delay: float,
        keyframes: bool = False,
    ) -> list[float]:
        """Arrival times of usable frames (only keyframes if ``keyframes``) no later than
        ``max_delay`` after their send: what a live player shows (it skips what comes
        too late)."""
        frames = [f for f in self.frames if start <= f.arrival < end]
        delays = self.latencies(sent, start, end)
        return [
            f.arrival
            for f, d in zip(frames, delays, strict=True)
            if d <= max_delay and (f.keyframe or not keyframes)
        ]


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest time without a frame in [start, end): the viewer's longest freeze."""
    marks = [start, *sorted(times), end]
    return max(b - a for a, b in itertools.pairwise(marks))


class Bot:
    """One aiortc peer talking to the media node (or to a test relay) by offer/answer."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video: EncodedVideoTrack | None = None
        self.collectors: list[Collector] = []
        self._recv: list[RTCRtpTransceiver] = []

    def publish_video(
        self, codec: str = "VP8", recv_too: bool = False, bit_rate: int = 300_000, count: int = 90
    ) -> EncodedVideoTrack:
        """``count`` frames loop with one keyframe first: a keyframe comes only on request
        or every ``count`` frames."""
        self.video = EncodedVideoTrack(codec, bit_rate=bit_rate, count=count)
        t = self.pc.addTransceiver(self.video, direction="sendrecv" if recv_too else "sendonly")
        if recv_too:
            self._recv.append(t)
        # Test instrumentation: see the PLIs the node forwards to us.
        route_keyframe_requests(t.sender, self.video.request_keyframe)
        return self.video

    def publish_audio(self, loud: bool) -> None:
        self.pc.addTransceiver(ToneTrack(loud), direction="sendonly")

    def receive(self, kind: str) -> None:
        self._recv.append(self.pc.addTransceiver(kind, direction="recvonly"))

    async def offer(self) -> dict[str, str]:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return {"type": "offer", "sdp": self.pc.localDescription.sdp}

    async def accept(self, answer: dict[str, str]) -> None:
        sources = await accept_answer(
            self.pc, answer["sdp"], self._recv, label="bot", watchdog=False
        )
        self.collectors = [Collector(source) for source in sources]

    async def wait_connected(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.pc.connectionState != "connected":
            assert time.monotonic() < deadline, f"not connected: {self.pc.connectionState}"
            await asyncio.sleep(0.05)

    def video_sender(self) -> RTCRtpSender:
        return next(t.sender for t in self.pc.getTransceivers() if t.kind == "video")

    async def close(self) -> None:
        for c in self.collectors:
            c.source.close()
        await self.pc.close()


async def wait_for(predicate: Any, timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def contiguous_in(received: list[Any], sent: list[Any]) -> bool:
    """Whether ``received`` appears in ``sent`` as one unbroken run."""
    if not received:
        return False
    for start in range(len(sent) - len(received) + 1):
        if sent[start] == received[0] and sent[start : start + len(received)] == received:
            return True
    return False


def nal_units(data: bytes) -> tuple[bytes, ...]:
    """H.264 Annex-B frame as its NAL units: RTP packetization keeps the units but may
    write 3-byte start codes as 4-byte ones, so H.264 frames compare unit by unit."""
    return tuple(u for u in re.split(b"\x00\x00\x00\x01|\x00\x00\x01", data) if u)
