"""The media node driven by orders (MediaNode.handle), with real aiortc bots on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from aiortc import RTCRtpSender

from media.config import NodeConfig
from media.node import MediaNode, OrderTableMismatch
from media.protocol import ORDERS, OrderError, PeerClose
from tests.media.media_bots import Bot, contiguous_in, wait_for


def run(coro: Coroutine[Any, Any, None], timeout: float = 40) -> None:
    asyncio.run(asyncio.wait_for(coro, timeout))


class Harness:
    def __init__(self, tmp: Path | None = None) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        config = NodeConfig(
            loopback_only=True,
            units=("tinh", "huyen-a"),
            recordings_dir=tmp or Path("/tmp"),
            stats_interval=0.5,
        )
        self.node = MediaNode(config, lambda e, d: self.events.append((e, d)))
        self.bots: list[Bot] = []

    async def join(
        self, bot: Bot, peer_id: str, role: str = "site", **extra: Any
    ) -> dict[str, Any]:
        order = {
            "peer_id": peer_id,
            "meeting_id": "m1",
            "unit_code": "tinh",
            "role": role,
            "offer": await bot.offer(),
            **extra,
        }
        ack = await self.node.handle("peer.create", order)
        assert ack["ok"], ack
        await bot.accept(ack["data"]["answer"])
        self.bots.append(bot)
        return dict(ack["data"])

    def named(self, event: str) -> list[dict[str, Any]]:
        return [d for e, d in self.events if e == event]

    async def close(self) -> None:
        for bot in self.bots:
            await bot.close()
        await self.node.close()


def site(audio_loud: bool | None = None, video: bool = True) -> Bot:
    bot = Bot()
    if video:
        bot.publish_video()
    if audio_loud is not None:
        bot.publish_audio(audio_loud)
    return bot


def viewer() -> Bot:
    bot = Bot()
    bot.receive("video")  # main
    bot.receive("video")  # chair
    bot.receive("audio")  # audio1
    return bot


def test_slots_forward_only_on_air_and_chair_video() -> None:
    async def main() -> None:
        h = Harness()
        p1, p2, p3 = site(), site(), site()
        data = await h.join(p1, "p1")
        assert data["publishes"] == ["video"] and data["video_codec"] == "VP8"
        # NACK and RTX stay negotiated (losses are recovered by retransmission).
        answer = data["answer"]["sdp"]
        assert "nack\r\n" in answer and "rtx/90000" in answer
        await h.join(p2, "p2")
        await h.join(p3, "p3")
        sub = viewer()
        data = await h.join(sub, "v1", role="viewer")
        assert data["slots"] == ["audio1", "chair", "main"]
        main_in, chair_in = sub.collectors[0], sub.collectors[1]

        ack = await h.node.handle(
            "slot.set", {"meeting_id": "m1", "slot": "main", "source_peer_id": "p1"}
        )
        assert ack == {
            "ok": True,
            "data": {
                "meeting_id": "m1",
                "slot": "main",
                "source_peer_id": "p1",
                "pending_keyframe": True,
            },
        }
        await h.node.handle(
            "slot.set", {"meeting_id": "m1", "slot": "chair", "source_peer_id": "p2"}
        )
        await wait_for(
            lambda: len(main_in.frames) >= 30 and len(chair_in.frames) >= 30, 10, "video"
        )
        assert p1.video and p2.video and p3.video
        assert contiguous_in(main_in.datas(), [d for d, _ in p1.video.sent])
        assert contiguous_in(chair_in.datas(), [d for d, _ in p2.video.sent])
        # p3 is neither on air nor chair: none of its frames reaches anyone.
        assert p3.video.sent and h.node.peers["p3"].sources["video"].sink_count == 0
        await wait_for(lambda: len(h.named("slot.switched")) >= 2, 3, "slot.switched")
        assert {(d["slot"], d["source_peer_id"]) for d in h.named("slot.switched")} == {
            ("main", "p1"),
            ("chair", "p2"),
        }
        # Closing the on-air peer empties its slot and tells web.
        assert (await h.node.handle("peer.close", {"peer_id": "p1"}))["ok"]
        assert h.node.meetings["m1"].slots["main"] is None
        assert {"meeting_id": "m1", "slot": "main", "source_peer_id": None} in h.named(
            "slot.switched"
        )
        await wait_for(lambda: h.named("peer.stats"), 2, "peer.stats")
        stats = h.named("peer.stats")[-1]
        assert {"peer_id", "meeting_id", "in", "out"} <= set(stats)
        await h.close()

    run(main())


def test_bad_input_is_refused_clearly_and_the_rest_keeps_running() -> None:
    async def main() -> None:
        h = Harness()
        pub, sub = site(audio_loud=False), viewer()
        await h.join(pub, "p1")
        await h.join(sub, "v1", role="viewer")
        await h.node.handle(
            "slot.set", {"meeting_id": "m1", "slot": "main", "source_peer_id": "p1"}
        )
        frames = sub.collectors[0].frames
        await wait_for(lambda: len(frames) >= 10, 10, "frames before bad input")

        async def order(name: str, payload: Any) -> str:
            ack = await h.node.handle(name, payload)
            assert ack["ok"] is False and ack["error"]["message"], ack
            return str(ack["error"]["code"])

        def create(peer_id: str, sdp: str, **extra: Any) -> dict[str, Any]:
            offer = {"type": "offer", "sdp": sdp}
            base = {"peer_id": peer_id, "meeting_id": "m1", "unit_code": "tinh", "role": "site"}
            return {**base, "offer": offer, **extra}

        # An H.264-only offer cannot join a meeting that forwards VP8.
        h264 = Bot()
        h264.publish_video("H264")
        caps = RTCRtpSender.getCapabilities("video").codecs
        h264.pc.getTransceivers()[0].setCodecPreferences(
            [c for c in caps if c.mimeType in ("video/H264", "video/rtx")]
        )
        sdp = (await h264.offer())["sdp"]
        assert await order("peer.create", create("x1", sdp)) == "no_common_codec"
        assert await order("peer.create", create("x2", "v=0\r\nnot sdp")) == "invalid_sdp"
        pcmu = sdp.replace("m=video", "m=audio").replace("H264/90000", "PCMU/8000")
        assert await order("peer.create", create("x3", pcmu)) in ("no_common_codec", "invalid_sdp")
        assert await order("peer.create", create("p1", sdp)) == "conflict"  # duplicate id
        bad_unit = create("x4", sdp, unit_code="other")
        assert await order("peer.create", bad_unit) == "conflict"
        assert await order("peer.create", {**create("x5", sdp), "extra": 1}) == "invalid_payload"
        assert await order("peer.candidate", {
            "peer_id": "p1", "candidate": {"candidate": "candidate:garbage", "sdpMid": "0"}
        }) == "invalid_candidate"  # fmt: skip
        assert await order("peer.candidate", {
            "peer_id": "p1", "candidate": {"candidate": "candidate:1 1 udp x 1.2.3.4 9 typ host",
                                           "sdpMid": "0"}
        }) == "invalid_candidate"  # fmt: skip
        assert (
            await order("peer.candidate", {"peer_id": "nobody", "candidate": None}) == "not_found"
        )
        slot = {"meeting_id": "m1", "slot": "projector", "source_peer_id": "p1"}
        assert await order("slot.set", slot) == "invalid_payload"
        assert await order("slot.set", {**slot, "slot": "main", "source_peer_id": "ghost"}) == (
            "not_found"
        )
        assert await order("slot.set", {**slot, "slot": "chair", "source_peer_id": "v1"}) == (
            "conflict"  # v1 sends no video
        )
        assert await order("slot.set", {**slot, "meeting_id": "m9", "slot": "main"}) == "not_found"
        assert await order("site.mute", {"meeting_id": "m1", "peer_id": "v1", "muted": True}) == (
            "conflict"
        )
        assert await order("recording.stop", {"meeting_id": "m1"}) == "not_found"
        assert await order("media.explode", {}) == "unknown_order"
        assert await order("peer.close", "p1") == "invalid_payload"

        # A valid candidate is accepted; the node and its peers are unaffected by the rest.
        ok = await h.node.handle(
            "peer.candidate",
            {
                "peer_id": "p1",
                "candidate": {
                    "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host",
                    "sdpMid": "0",
                },
            },
        )
        assert ok["ok"], ok
        assert set(h.node.peers) == {"p1", "v1"}
        seen = len(frames)
        await wait_for(lambda: len(frames) >= seen + 30, 5, "frames after bad input")
        assert pub.pc.connectionState == sub.pc.connectionState == "connected"
        await h264.close()
        await h.close()

    run(main())


def test_mute_and_active_speaker_from_audio_levels() -> None:
    async def main() -> None:
        h = Harness()
        loud, quiet, sub = site(True, video=False), site(False, video=False), viewer()
        await h.join(loud, "loud")
        await h.join(quiet, "quiet")
        await h.join(sub, "v1", role="viewer")
        audio_in = sub.collectors[2]
        ack = await h.node.handle(
            "slot.set", {"meeting_id": "m1", "slot": "audio1", "source_peer_id": "loud"}
        )
        assert ack["data"]["pending_keyframe"] is False
        await wait_for(lambda: len(audio_in.frames) >= 25, 10, "audio frames")
        assert all(f.codec == "opus" for f in audio_in.frames)
        await wait_for(lambda: h.named("speaker.active"), 4, "speaker.active")
        assert h.named("speaker.active")[0] == {"meeting_id": "m1", "peer_id": "loud"}
        levels = {x["peer_id"]: x["dbov"] for x in h.named("audio.level")[-1]["levels"]}
        assert levels["loud"] > -30 > -90 > levels["quiet"]

        ack = await h.node.handle(
            "site.mute", {"meeting_id": "m1", "peer_id": "loud", "muted": True}
        )
        assert ack["ok"]
        await asyncio.sleep(0.2)
        muted_count = len(audio_in.frames)
        await asyncio.sleep(0.6)
        assert len(audio_in.frames) == muted_count  # nothing forwarded while muted
        await wait_for(
            lambda: h.named("speaker.active")[-1]["peer_id"] is None, 3, "speaker cleared"
        )
        await h.node.handle("site.mute", {"meeting_id": "m1", "peer_id": "loud", "muted": False})
        await wait_for(lambda: len(audio_in.frames) > muted_count + 10, 3, "audio after unmute")
        await h.close()

    run(main())


def test_recording_remuxes_on_air_video_with_mixed_audio(tmp_path: Path) -> None:
    async def main() -> None:
        h = Harness(tmp_path)
        pub = site(audio_loud=True)
        await h.join(pub, "p1")
        await h.node.handle(
            "slot.set", {"meeting_id": "m1", "slot": "main", "source_peer_id": "p1"}
        )
        await h.node.handle(
            "slot.set", {"meeting_id": "m1", "slot": "audio1", "source_peer_id": "p1"}
        )
        await pub.wait_connected()
        start = await h.node.handle("recording.start", {"meeting_id": "m1", "recording_id": "r1"})
        assert start["ok"], start
        again = await h.node.handle("recording.start", {"meeting_id": "m1", "recording_id": "r2"})
        assert again["error"]["code"] == "conflict"
        await asyncio.sleep(3)
        stop = await h.node.handle("recording.stop", {"meeting_id": "m1"})
        assert stop["ok"], stop
        path = Path(stop["data"]["path"])
        assert path == tmp_path / "m1-r1.webm" and path.stat().st_size > 10_000
        assert [d["state"] for d in h.named("recording.state")] == ["recording", "stopped"]
        await h.close()
        with av.open(str(path)) as container:
            kinds = sorted(s.type for s in container.streams)
            assert kinds == ["audio", "video"]
            video = sum(1 for _ in container.decode(video=0))
            written = stop["data"]["video_frames"]
        # Every frame written decodes, starting from the first (a keyframe); a busy CI
        # machine may deliver fewer than 3 s x 30 fps, but well over half of them.
        assert written >= 45 and video == written
        with av.open(str(path)) as container:
            pcm = [f.to_ndarray() for f in container.decode(audio=0)]
        assert sum(p.shape[-1] for p in pcm) > 48000  # > 1 s of audio
        assert max(float(np.abs(p).max()) for p in pcm) > 0.05  # the tone, not silence

    run(main())


def test_guards_hold_without_asserts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks that used to be asserts (gone under ``python -O``)."""
    with pytest.raises(ValueError, match="'teleported' is not one of"):
        OrderError("teleported", "x")
    monkeypatch.setitem(ORDERS, "peer.teleport", PeerClose)
    with pytest.raises(OrderTableMismatch, match=r"\['peer.teleport'\]"):
        MediaNode(NodeConfig(loopback_only=True), lambda e, d: None)
