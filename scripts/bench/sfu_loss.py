"""SFU under a lossy link (issue 10 §2): the media node against a direct aiortc call.

Loss and delay are made in this process by a UDP relay between the peers
(tests/media/lossy_relay.py; this kernel has no netem, and the host's loopback is never
shaped). One aiortc publisher sends pre-encoded VP8 (160x120 noise, ~1.5 Mbit/s, ~6 RTP
packets a frame, 30 fps):

* ``node``   publisher -> ``media.node.MediaNode`` -> viewer with the bridge layout (main
             and chair video, audio in one BUNDLE); the relay impairs the viewer's downlink;
* ``direct`` publisher -> viewer, one aiortc call, the same impairment on the same path;
* ``blackout`` publisher -> relay -> node -> viewer; the publisher's uplink is cut for 2 s,
             ``--blackouts`` times; recovery is from the end of a cut to the first fresh
             keyframe at the viewer (it decodes again from there).

A frame counts when it arrives byte-identical to a published one and at most ``--late``
seconds after it was sent (a live player skips later frames); freeze is the longest
time without such a frame. RTX: retransmission packets the relay forwarded to the viewer.

    .venv/bin/python scripts/bench/sfu_loss.py                  # 5% loss, 80 ms, 20 s each
    .venv/bin/python scripts/bench/sfu_loss.py --loss 10 --delay 150 --seconds 10

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription  # noqa: E402

from media.config import NodeConfig  # noqa: E402
from media.node import MediaNode  # noqa: E402
from tests.media.lossy_relay import Impairment, LossyRelay  # noqa: E402
from tests.media.media_bots import Bot, Collector, longest_gap, wait_for  # noqa: E402

BIT_RATE = 1_500_000


def rtx_types(sdp: str) -> set[int]:
    return {int(pt) for pt in re.findall(r"a=rtpmap:(\d+) rtx/", sdp)}


def summarize(
    screen: Collector, sent: list[tuple[bytes, float]], start: float, end: float, late: float
) -> dict[str, float]:
    shown = screen.on_time(sent, start, end, late)
    delays = sorted(screen.latencies(sent, start, end))
    return {
        "fps": round(len(shown) / (end - start), 1),
        "freeze_s": round(longest_gap(shown, start, end), 2),
        "median_delay_s": round(delays[len(delays) // 2], 3) if delays else math.inf,
    }


class NodeRun:
    def __init__(self) -> None:
        config = NodeConfig(loopback_only=True, units=("tinh",), recordings_dir=Path("/tmp"))
        self.node = MediaNode(config, lambda event, data: None)

    async def join(self, bot: Bot, peer_id: str, role: str, relay: LossyRelay | None = None) -> str:
        offer = await bot.offer()
        if relay is not None:
            offer = relay.offer_to_node(offer)
        order = {"peer_id": peer_id, "meeting_id": "m1", "unit_code": "tinh", "role": role}
        ack = await self.node.handle("peer.create", {**order, "offer": offer})
        assert ack["ok"], ack
        answer = ack["data"]["answer"]
        await bot.accept(relay.answer_to_bot(answer) if relay is not None else answer)
        await bot.wait_connected(30)
        return str(answer["sdp"])

    async def on_air(self, peer_id: str) -> None:
        order = {"meeting_id": "m1", "slot": "main", "source_peer_id": peer_id}
        assert (await self.node.handle("slot.set", order))["ok"]


async def through_node(args: argparse.Namespace) -> dict[str, Any]:
    run = NodeRun()
    pub, sub = Bot(), Bot()
    video = pub.publish_video(bit_rate=BIT_RATE)
    for kind in ("video", "video", "audio"):
        sub.receive(kind)
    relay = await LossyRelay(down=Impairment(loss=args.loss / 100, delay=args.delay / 1000)).start()
    await run.join(pub, "p1", "site")
    answer = await run.join(sub, "v1", "viewer", relay)
    await run.on_air("p1")
    screen = sub.collectors[0]
    await wait_for(lambda: len(screen.frames) >= 10, 30, "first frames through the node")
    start = time.monotonic()
    await asyncio.sleep(args.seconds)
    result = summarize(screen, video.sent, start, time.monotonic(), args.late)
    result["rtx"] = sum(relay.down.payload_types[pt] for pt in rtx_types(answer))
    result["dropped"] = relay.down.dropped
    await pub.close()
    await sub.close()
    relay.close()
    await run.node.close()
    return result


async def direct(args: argparse.Namespace) -> dict[str, Any]:
    pub, sub = Bot(), RTCPeerConnection(RTCConfiguration(iceServers=[]))
    video = pub.publish_video(bit_rate=BIT_RATE)
    relay = await LossyRelay(down=Impairment(loss=args.loss / 100, delay=args.delay / 1000)).start()
    # The publisher plays the node's part for the relay: its packets go down to the viewer.
    offer = relay.answer_to_bot(await pub.offer())
    await sub.setRemoteDescription(RTCSessionDescription(**offer))
    await sub.setLocalDescription(await sub.createAnswer())
    answer = {"type": "answer", "sdp": sub.localDescription.sdp}
    await pub.pc.setRemoteDescription(RTCSessionDescription(**relay.offer_to_node(answer)))
    screen = Collector(sub.getTransceivers()[0])
    await wait_for(lambda: len(screen.frames) >= 10, 30, "first frames, direct")
    start = time.monotonic()
    await asyncio.sleep(args.seconds)
    result = summarize(screen, video.sent, start, time.monotonic(), args.late)
    result["rtx"] = sum(relay.down.payload_types[pt] for pt in rtx_types(offer["sdp"]))
    result["dropped"] = relay.down.dropped
    screen.source.close()
    await pub.close()
    await sub.close()
    relay.close()
    return result


async def blackouts(args: argparse.Namespace) -> list[float]:
    run = NodeRun()
    pub, sub = Bot(), Bot()
    video = pub.publish_video(bit_rate=600_000, count=300)  # keyframes only on request
    sub.receive("video")
    relay = await LossyRelay().start()
    await run.join(pub, "p1", "site", relay)
    await run.join(sub, "v1", "viewer")
    await run.on_air("p1")
    screen = sub.collectors[0]
    await wait_for(lambda: len(screen.frames) >= 30, 30, "first frames")
    recoveries = []
    for _ in range(args.blackouts):
        await asyncio.sleep(1.5)
        relay.up.blackout(2.0)
        back = relay.up.blackout_until
        await asyncio.sleep(2.0)

        def resumed(since: float = back) -> list[float]:
            return screen.on_time(video.sent, since, math.inf, args.late, keyframes=True)

        try:
            await wait_for(resumed, 30, "a keyframe after the blackout")
            recoveries.append(round(resumed()[0] - back, 2))
        except AssertionError:
            recoveries.append(math.inf)
    await pub.close()
    await sub.close()
    relay.close()
    await run.node.close()
    return recoveries


async def main(args: argparse.Namespace) -> None:
    node = await through_node(args)
    ref = await direct(args)
    recoveries = await blackouts(args)
    print(f"SFU under {args.loss}% loss + {args.delay} ms on the viewer's downlink, ", end="")
    print(f"{args.seconds:.0f} s each; usable = intact and <= {args.late} s late")
    print(f"{'path':<8}{'fps':>7}{'freeze s':>10}{'median delay s':>16}{'RTX':>7}{'dropped':>9}")
    for name, r in (("node", node), ("direct", ref)):
        print(
            f"{name:<8}{r['fps']:>7}{r['freeze_s']:>10}{r['median_delay_s']:>16}"
            f"{r['rtx']:>7}{r['dropped']:>9}"
        )
    print(f"publisher 2 s blackouts, node recovery (s): {recoveries}")
    print(
        json.dumps(
            {
                "bench": "sfu_loss",
                "loss_pct": args.loss,
                "delay_ms": args.delay,
                "seconds": args.seconds,
                "fps_node": node["fps"],
                "fps_direct": ref["fps"],
                "fps_ratio": round(node["fps"] / ref["fps"], 2) if ref["fps"] else None,
                "rtx_sent": node["rtx"],
                "rtx_direct": ref["rtx"],
                "freeze_s": node["freeze_s"],
                "freeze_direct_s": ref["freeze_s"],
                "median_delay_s": node["median_delay_s"],
                "median_delay_direct_s": ref["median_delay_s"],
                "blackout_recovery_s": max(recoveries),
                "blackout_recoveries_s": recoveries,
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loss", type=float, default=5, help="downlink loss, percent")
    parser.add_argument("--delay", type=float, default=80, help="downlink delay, ms")
    parser.add_argument("--seconds", type=float, default=20, help="measured window per path")
    parser.add_argument("--late", type=float, default=0.5, help="seconds; later frames skipped")
    parser.add_argument("--blackouts", type=int, default=5, help="2 s publisher blackouts")
    asyncio.run(main(parser.parse_args()))
