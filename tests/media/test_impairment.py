"""Loss, delay and blackouts between real aiortc bots and the media node.

The impairment lives in the test's own path (tests/media/lossy_relay.py), never on the
host's loopback. A frame counts when it arrives byte-identical to a published one (a
decoder can use it). Floors are generous for a shared, busy machine: the figures that
matter are far apart.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from media.config import NodeConfig
from media.node import MediaNode
from tests.media.lossy_relay import Impairment, LossyRelay
from tests.media.media_bots import Bot, longest_gap, wait_for

LOSS, DELAY = 0.05, 0.080
WINDOW = 10.0  # seconds of lossy viewing measured
LATE = 0.5  # seconds: a live player skips frames later than this (normal here: ~0.15 s)
BLACKOUT = 2.0  # seconds of publisher uplink cut


def run(coro: Coroutine[Any, Any, None], timeout: float = 120) -> None:
    asyncio.run(asyncio.wait_for(coro, timeout))


def make_node() -> MediaNode:
    config = NodeConfig(loopback_only=True, units=("tinh",), recordings_dir=Path("/tmp"))
    return MediaNode(config, lambda event, data: None)


async def join(
    node: MediaNode, bot: Bot, peer_id: str, role: str, relay: LossyRelay | None = None
) -> str:
    """Connects ``bot`` (through ``relay`` if given); returns the node's answer SDP."""
    offer = await bot.offer()
    if relay is not None:
        offer = relay.offer_to_node(offer)
    order = {"peer_id": peer_id, "meeting_id": "m1", "unit_code": "tinh", "role": role}
    ack = await node.handle("peer.create", {**order, "offer": offer})
    assert ack["ok"], ack
    answer = ack["data"]["answer"]
    await bot.accept(relay.answer_to_bot(answer) if relay is not None else answer)
    await bot.wait_connected(20)
    return str(answer["sdp"])


async def on_air(node: MediaNode, peer_id: str) -> None:
    ack = await node.handle(
        "slot.set", {"meeting_id": "m1", "slot": "main", "source_peer_id": peer_id}
    )
    assert ack["ok"], ack


def rtx_payload_types(sdp: str) -> set[int]:
    return {int(pt) for pt in re.findall(r"a=rtpmap:(\d+) rtx/", sdp)}


def test_viewer_keeps_receiving_under_downlink_loss_thanks_to_rtx() -> None:
    """5% loss + 80 ms on a viewer's downlink. The viewer has the bridge layout (main and
    chair video, audio) in one BUNDLE: aiortc's RTP router knew only the primary SSRCs and
    routed RTX by payload type, which both video sections share, so every retransmission
    was discarded and the viewer froze until its jitter buffer overflowed."""

    async def main() -> None:
        node = make_node()
        pub = Bot()
        video = pub.publish_video(bit_rate=1_500_000)  # ~6 packets a frame
        sub = Bot()
        for kind in ("video", "video", "audio"):
            sub.receive(kind)
        relay = await LossyRelay(down=Impairment(loss=LOSS, delay=DELAY)).start()
        await join(node, pub, "p1", "site")
        answer = await join(node, sub, "v1", "viewer", relay)
        await on_air(node, "p1")
        screen = sub.collectors[0]
        await wait_for(lambda: len(screen.frames) >= 10, 20, "first frames")
        start = time.monotonic()
        await asyncio.sleep(WINDOW)
        end = time.monotonic()
        shown = screen.on_time(video.sent, start, end, LATE)
        fps, freeze = len(shown) / (end - start), longest_gap(shown, start, end)
        delays = sorted(screen.latencies(video.sent, start, end))
        median = delays[len(delays) // 2] if delays else float("inf")
        rtx = sum(relay.down.payload_types[pt] for pt in rtx_payload_types(answer))
        print(
            f"viewer: {fps:.1f} fps on time, longest freeze {freeze:.2f} s, "
            f"median delay {median:.2f} s, {rtx} RTX, {relay.down}"
        )
        assert relay.down.dropped > 50  # the loss really happened
        assert rtx > 0, "the node sent no retransmission"
        assert fps >= 15, f"{fps:.1f} usable frames/s on time under {LOSS:.0%} loss"
        assert freeze <= 2.0, f"froze {freeze:.2f} s"
        assert median <= LATE, f"frames arrive {median:.2f} s late"
        await pub.close()
        await sub.close()
        relay.close()
        await node.close()

    run(main())


def test_video_flows_again_soon_after_a_publisher_blackout() -> None:
    """The publisher's uplink is cut for 2 s, three times. More packets are lost than a
    sender keeps for retransmission, so the node must not wait for them: it asks for a
    keyframe as soon as the stream returns and forwards from that keyframe. The old
    jitter buffer waited until 512 packets had piled up behind the gap (seconds)."""

    async def main() -> None:
        node = make_node()
        pub = Bot()
        # ~2-3 packets a frame; the loop has one keyframe in 10 s, like a real encoder
        # that sends keyframes on request.
        video = pub.publish_video(bit_rate=600_000, count=300)
        sub = Bot()
        sub.receive("video")
        relay = await LossyRelay().start()
        await join(node, pub, "p1", "site", relay)
        await join(node, sub, "v1", "viewer")
        await on_air(node, "p1")
        screen = sub.collectors[0]
        await wait_for(lambda: len(screen.frames) >= 30, 20, "first frames")
        recoveries = []
        for _ in range(3):
            await asyncio.sleep(1.0)
            relay.up.blackout(BLACKOUT)
            back = relay.up.blackout_until
            await asyncio.sleep(BLACKOUT)

            def resumed(since: float = back) -> list[float]:
                # A keyframe that arrived fresh: the viewer decodes again from here.
                return screen.on_time(video.sent, since, math.inf, LATE, keyframes=True)

            await wait_for(resumed, 20, "a keyframe after the blackout")
            recoveries.append(resumed()[0] - back)
            seen = len(screen.frames)
            await wait_for(lambda n=seen: len(screen.frames) >= n + 15, 5, "frames after it")
        print(f"recovery after {BLACKOUT} s blackouts: {[round(r, 2) for r in recoveries]} s")
        assert max(recoveries) <= 3.0, recoveries
        await pub.close()
        await sub.close()
        relay.close()
        await node.close()

    run(main())
