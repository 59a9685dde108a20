"""media.forwarding on its own: a minimal relay built from Source/ForwardTrack between
real aiortc peers on loopback (no node, no control channel)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Coroutine
from typing import Any

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from media.forwarding import (
    ForwardTrack,
    KeyframeRequester,
    MarkerJitterBuffer,
    SectionPlan,
    Source,
    answer_offer,
    is_keyframe,
    jitter,
    restrict_host_addresses_to_loopback,
    rtp_packet,
)
from tests.media.media_bots import Bot, contiguous_in, encoded_video, nal_units, wait_for

restrict_host_addresses_to_loopback()


def run(coro: Coroutine[Any, Any, None], timeout: float = 30) -> None:
    asyncio.run(asyncio.wait_for(coro, timeout))


class Relay:
    """The smallest SFU media.forwarding allows: one pc per bot, frames passed through."""

    def __init__(self, codec: str = "VP8") -> None:
        self.codec = codec
        self.pcs: list[RTCPeerConnection] = []

    async def _answer(self, bot: Bot, plan: SectionPlan) -> tuple[Source | None, Any]:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pcs.append(pc)
        answer = await answer_offer(pc, (await bot.offer())["sdp"], [plan], self.codec)
        await bot.accept({"type": "answer", "sdp": answer.sdp})
        return answer.sources[0], answer.tracks[0]

    async def publisher(self, bot: Bot) -> Source:
        source, _ = await self._answer(bot, SectionPlan("video", "recvonly", source_label=""))
        assert source is not None
        return source

    async def subscriber(self, bot: Bot, source: Source | None) -> ForwardTrack:
        _, track = await self._answer(bot, SectionPlan("video", "sendonly", send=True))
        assert isinstance(track, ForwardTrack)
        track.switch(source)
        return track

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()


async def _publisher(relay: Relay, codec: str = "VP8") -> tuple[Bot, Source]:
    bot = Bot()
    bot.publish_video(codec)
    source = await relay.publisher(bot)
    return bot, source


async def _subscriber(relay: Relay, source: Source | None) -> tuple[Bot, ForwardTrack]:
    bot = Bot()
    bot.receive("video")
    track = await relay.subscriber(bot, source)
    return bot, track


async def _flowing(relay: Relay, frames: int, codec: str = "VP8") -> tuple[Bot, Source, Bot]:
    """A publisher and a subscriber, connected, once ``frames`` frames have arrived."""
    pub, source = await _publisher(relay, codec)
    sub, _ = await _subscriber(relay, source)
    await pub.wait_connected()
    await sub.wait_connected()
    await wait_for(lambda: len(sub.collectors[0].frames) >= frames, 8, f"{frames} frames")
    return pub, source, sub


async def _close(relay: Relay, bots: tuple[Bot, ...], sources: tuple[Source, ...]) -> None:
    for bot in bots:
        await bot.close()
    await relay.close()
    for source in sources:
        source.close()


def test_keyframe_detection_on_real_bitstreams() -> None:
    for codec in ("VP8", "H264"):
        frames = encoded_video(codec)
        flags = [is_keyframe(codec, f) for f in frames]
        assert flags[0] is True, codec
        assert not any(flags[1:]), codec  # the bot encodes a single keyframe
    assert is_keyframe("opus", b"\x01") is True


def _rtp(seq: int, ts: int, marker: bool, data: bytes) -> Any:
    return rtp_packet(seq, ts, marker=marker, data=data)


def test_video_frame_released_on_its_marker_packet() -> None:
    """No waiting for the next frame (one frame interval per hop with stock aiortc)."""
    jb = MarkerJitterBuffer()
    assert jb.add(_rtp(10, 3000, False, b"a"))[1] is None
    assert jb.add(_rtp(12, 3000, True, b"c"))[1] is None  # 11 still missing
    frame = jb.add(_rtp(11, 3000, False, b"b"))[1]
    assert frame is not None and (frame.data, frame.timestamp) == (b"abc", 3000)
    assert jb.add(_rtp(11, 3000, False, b"b"))[1] is None  # late duplicate
    # A frame whose marker packet was lost goes out when the next frame starts.
    assert jb.add(_rtp(13, 6000, False, b"d"))[1] is None
    frame = jb.add(_rtp(14, 9000, True, b"e"))[1]
    assert frame is not None and (frame.data, frame.timestamp) == (b"d", 6000)
    frame = jb.add(_rtp(15, 12000, True, b"f"))[1]
    assert frame is not None and frame.data == b"e"  # one frame per packet, as stock


def _vp8(seq: int, ts: int, *, start: bool, key: bool, marker: bool) -> Any:
    """A VP8 RTP packet: payload descriptor S bit, partition 0; frame tag bit 0 = 0 for
    a keyframe (RFC 7741, RFC 6386)."""
    frame_tag = b"\x00" if key else b"\x01"
    payload = (b"\x10" if start else b"\x00") + (frame_tag if start else b"") + b"data"
    return rtp_packet(seq, ts, marker=marker, payload=payload, data=payload[1:])


def test_video_buffer_jumps_to_a_complete_keyframe_after_a_gap() -> None:
    """After a blackout the lost packets never come: a keyframe behind the gap goes out
    as soon as it is complete (stock aiortc held it until 512 packets piled up)."""
    gaps: list[int] = []
    jb = MarkerJitterBuffer({96: "VP8"}, on_gap=lambda: gaps.append(1))
    assert jb.add(_vp8(10, 3000, start=True, key=False, marker=True))[1] is not None
    # 11..20 lost; a delta frame and then a keyframe arrive.
    assert jb.add(_vp8(21, 6000, start=True, key=False, marker=True))[1] is None
    assert jb.add(_vp8(22, 9000, start=True, key=True, marker=False))[1] is None
    frame = jb.add(_vp8(23, 9000, start=False, key=True, marker=True))[1]
    assert frame is not None and frame.timestamp == 9000 and is_keyframe("VP8", frame.data)
    assert jb.gaps_skipped == 1 and not gaps  # no keyframe request needed
    # A late retransmission of a skipped packet neither resets nor blocks the buffer.
    assert jb.add(_vp8(15, 4500, start=True, key=False, marker=True))[1] is None
    frame = jb.add(_vp8(24, 12000, start=True, key=False, marker=True))[1]
    assert frame is not None and frame.timestamp == 12000


def test_video_buffer_gives_up_on_lost_packets_and_restarts_at_a_keyframe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jitter, "GAP_GIVE_UP", 0.05)
    gaps: list[int] = []
    jb = MarkerJitterBuffer({96: "VP8"}, on_gap=lambda: gaps.append(1))
    assert jb.add(_vp8(10, 3000, start=True, key=False, marker=True))[1] is not None
    assert jb.add(_vp8(12, 9000, start=True, key=False, marker=True))[1] is None  # 11 lost
    time.sleep(0.1)
    # Still missing after GAP_GIVE_UP: drop what depends on it, ask for a keyframe.
    assert jb.add(_vp8(13, 12000, start=True, key=False, marker=True))[1] is None
    assert gaps == [1] and jb.gaps_skipped == 1
    assert jb.add(_vp8(11, 6000, start=True, key=False, marker=True))[1] is None  # too late
    assert jb.add(_vp8(14, 15000, start=True, key=False, marker=True))[1] is None
    frame = jb.add(_vp8(15, 18000, start=True, key=True, marker=True))[1]
    assert frame is not None and frame.timestamp == 18000
    frame = jb.add(_vp8(16, 21000, start=True, key=False, marker=True))[1]
    assert frame is not None and frame.timestamp == 21000


def test_video_buffer_waits_for_a_retransmission_in_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A gap that NACK/RTX fills in time costs no keyframe, even much later."""
    monkeypatch.setattr(jitter, "GAP_GIVE_UP", 0.05)
    gaps: list[int] = []
    jb = MarkerJitterBuffer({96: "VP8"}, on_gap=lambda: gaps.append(1))

    def add(seq: int) -> int | None:
        frame = jb.add(_vp8(seq, seq * 3000, start=True, key=False, marker=True))[1]
        return None if frame is None else frame.timestamp // 3000

    assert add(10) == 10
    assert add(12) is None  # 11 lost
    assert add(11) == 11  # retransmitted
    time.sleep(0.1)
    assert [add(13), add(14), add(15)] == [12, 13, 14]  # one frame out per packet in
    assert gaps == [] and jb.gaps_skipped == 0


def test_keyframe_requests_are_merged_and_rate_limited() -> None:
    async def main() -> None:
        times: list[float] = []

        async def send() -> bool:
            times.append(time.monotonic())
            return True

        req = KeyframeRequester(send, interval=0.3)
        for _ in range(10):
            req.request()
        await asyncio.sleep(0.05)
        assert len(times) == 1  # first request goes at once, the rest merge
        await asyncio.sleep(0.35)
        assert len(times) == 2  # exactly one trailing request for the merged ones
        assert times[1] - times[0] >= 0.29
        assert req.sent == 2
        # A stream back from a blackout: the request goes now, not after the interval.
        req.request()  # merged, scheduled ~0.3 s from now
        req.request(urgent=True)
        await asyncio.sleep(0.05)
        assert len(times) == 3 and times[2] - times[1] < 0.2
        await asyncio.sleep(0.4)
        assert len(times) == 3  # the scheduled one was replaced, not sent as well

    run(main())


@pytest.mark.parametrize("codec", ["VP8", "H264"])
def test_frames_arrive_byte_identical(codec: str) -> None:
    async def main() -> None:
        relay = Relay(codec)
        pub, source, sub = await _flowing(relay, 45, codec)
        received = sub.collectors[0]
        assert pub.video is not None
        sent = [d for d, _ in pub.video.sent]
        got = received.datas()
        assert received.frames[0].codec == codec
        if codec == "H264":  # start codes may be rewritten; the units must be identical
            assert contiguous_in([nal_units(d) for d in got], [nal_units(d) for d in sent])
        else:
            assert contiguous_in(got, sent), "frames changed, lost or reordered"
        assert received.frames[0].keyframe
        await _close(relay, (pub, sub), (source,))

    run(main())


def test_new_subscriber_starts_on_requested_keyframe() -> None:
    async def main() -> None:
        relay = Relay()
        pub, source, first = await _flowing(relay, 40)
        assert pub.video is not None
        # The bot's only keyframe comes every 3 s unless asked; a late joiner must not
        # wait for that nor see inter frames before a keyframe.
        requests_before = pub.video.keyframe_requests
        late, _ = await _subscriber(relay, source)
        joined = time.monotonic()
        await late.wait_connected()
        frames = late.collectors[0].frames
        await wait_for(lambda: len(frames) >= 5, 3, "late subscriber frames")
        assert frames[0].keyframe
        assert all(not f.keyframe for f in frames[1:5])
        assert frames[0].arrival - joined < 1.5
        assert pub.video.keyframe_requests > requests_before
        assert contiguous_in(late.collectors[0].datas(), [d for d, _ in pub.video.sent])
        await _close(relay, (pub, first, late), (source,))

    run(main())


def test_subscriber_pli_reaches_source_rate_limited() -> None:
    async def main() -> None:
        relay = Relay()
        pub, source, sub = await _flowing(relay, 30)
        collector = sub.collectors[0]
        await asyncio.sleep(1.1)  # let the join-time request window pass
        assert pub.video is not None and collector.source.ssrc is not None
        base = pub.video.keyframe_requests
        for _ in range(5):  # a burst of real RTCP PLIs from the subscriber
            await collector.source.send_pli()
        await asyncio.sleep(0.3)
        assert pub.video.keyframe_requests == base + 1
        burst2 = time.monotonic()
        for _ in range(5):
            await collector.source.send_pli()
        await asyncio.sleep(0.3)
        assert pub.video.keyframe_requests == base + 1  # held back by the 1 s limit
        await wait_for(lambda: pub.video.keyframe_requests == base + 2, 2, "merged PLI")
        assert time.monotonic() - burst2 > 0.5
        await asyncio.sleep(1.2)
        assert pub.video.keyframe_requests == base + 2  # ten PLIs became two
        await _close(relay, (pub, sub), (source,))

    run(main())


def test_switch_waits_for_keyframe_and_keeps_stream_continuous() -> None:
    async def main() -> None:
        relay = Relay()
        pub1, src1 = await _publisher(relay)
        pub2, src2 = await _publisher(relay)
        sub, track = await _subscriber(relay, src1)
        await sub.wait_connected()
        collector = sub.collectors[0]
        await wait_for(lambda: len(collector.frames) >= 20, 8, "frames from source 1")
        assert pub1.video is not None and pub2.video is not None
        await wait_for(lambda: pub2.video is not None and len(pub2.video.sent) > 10, 5, "pub2")
        switched_at = len(collector.frames)
        track.switch(src2)
        await wait_for(
            lambda: any(f.data in {d for d, _ in pub2.video.sent} for f in collector.frames),
            3,
            "frames from source 2",
        )
        await asyncio.sleep(0.5)
        sent1 = [d for d, _ in pub1.video.sent]
        sent2 = [d for d, _ in pub2.video.sent]
        datas = collector.datas()
        # Frames keep coming from source 1 until source 2's keyframe, then only source 2.
        cut = next(i for i, d in enumerate(datas) if i >= switched_at and d == sent2[0])
        assert collector.frames[cut].keyframe
        assert contiguous_in(datas[:cut], sent1)
        assert contiguous_in(datas[cut:], sent2)
        # One RTP stream for the subscriber: same SSRC, +1 sequence, rising timestamps.
        rtp = collector.rtp
        assert len({ssrc for ssrc, _, _ in rtp}) == 1
        seqs = [seq for _, seq, _ in rtp]
        assert all((b - a) % 65536 == 1 for a, b in itertools.pairwise(seqs))
        stamps = [f.timestamp for f in collector.frames]
        assert all(b > a for a, b in itertools.pairwise(stamps))
        # Timestamp advance across the cut is close to the wall-clock gap (one frame ~3000).
        assert 0 < stamps[cut] - stamps[cut - 1] < 90000 // 2
        await _close(relay, (pub1, pub2, sub), (src1, src2))

    run(main())
