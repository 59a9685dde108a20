"""SFU benchmark: one publisher of pre-encoded VP8 (~1.5 Mbit/s, keyframe every second),
N subscribers, all aiortc bots in this process; the SFU under test runs in its own process
and only its CPU time is counted (from /proc).

SFUs: ``ours`` (python -m media, driven over its Socket.IO control channel by a stand-in
web in this process) and ``reencode`` (stock aiortc MediaRelay, scripts/bench/sfu_stock.py).
Janus is not driven yet (see docs/media-control.md / the report).

    .venv/bin/python scripts/bench/sfu.py --subscribers 1,10,50,100 --seconds 8

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import av
import numpy as np
import socketio
from aiohttp import web
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from media import forwarding  # noqa: E402
from media.forwarding import EncodedFrame, Source  # noqa: E402

PYTHON = str(ROOT / ".venv/bin/python")
MAGIC = b"BNCH"  # appended marker: magic + send time; decoders ignore trailing bytes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def encode_vp8(count: int = 60, width: int = 640, height: int = 480) -> list[bytes]:
    enc: Any = av.CodecContext.create("libvpx", "w")
    enc.width, enc.height, enc.pix_fmt = width, height, "yuv420p"
    enc.time_base = fractions.Fraction(1, 30)
    enc.gop_size = 30  # keyframe every second
    enc.bit_rate = 1_500_000
    enc.options = {"deadline": "realtime", "cpu-used": "8"}
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width]
    out: list[bytes] = []
    for i in range(count):
        img = np.zeros((height, width, 3), np.uint8)  # moving gradients + light noise
        img[..., 0] = (x + i * 8) % 256
        img[..., 1] = (y + i * 4) % 256
        img[..., 2] = ((x + y) // 4) % 256
        img = (img + rng.integers(0, 16, img.shape)).astype(np.uint8)
        frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")
        frame.pts = i
        out += [bytes(p) for p in enc.encode(frame)]
    return out


class Publisher(MediaStreamTrack):
    kind = "video"

    def __init__(self, frames: list[bytes]) -> None:
        super().__init__()
        self.frames, self.count, self.start = frames, 0, time.monotonic()
        self.sent_at: list[float] = []

    def request_keyframe(self) -> None:
        pass  # keyframes come every second anyway

    async def recv(self) -> av.Packet[Any]:
        wait = self.start + self.count / 30 - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        now = time.monotonic()
        data = self.frames[self.count % len(self.frames)] + MAGIC + struct.pack("!d", now)
        packet = av.Packet(data)
        packet.pts, packet.time_base = self.count * 3000, fractions.Fraction(1, 90000)
        self.count += 1
        self.sent_at.append(now)
        return packet


class Subscriber:
    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.transceiver = self.pc.addTransceiver("video", direction="recvonly")
        self.frames = 0
        self.latencies: list[float] = []
        self.source: Source | None = None

    def _sink(self, source: Source, frame: EncodedFrame) -> None:
        self.frames += 1
        tail = frame.data[-12:]
        if tail[:4] == MAGIC:
            self.latencies.append(frame.arrival - struct.unpack("!d", tail[4:])[0])

    async def offer(self) -> dict[str, str]:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return {"type": "offer", "sdp": self.pc.localDescription.sdp}

    async def accept(self, answer: dict[str, str]) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(**answer))
        # Bots receive through the pass-through path too: decoding 100 streams here
        # would starve the SFU under test of CPU.
        self.source = Source(self.transceiver, watchdog=False)
        self.source.add_sink(id(self), self._sink, wants_keyframe=False)


class Ours:
    name = "ours"

    async def start(self) -> int:
        port = free_port()
        self.sio = socketio.AsyncServer(async_mode="aiohttp")
        self.registered = asyncio.Event()
        self.sid = ""

        async def register(sid: str, data: Any) -> dict[str, Any]:
            self.sid = sid
            self.registered.set()
            return {"ok": True, "data": {}}

        self.sio.on("node.register", register, namespace="/media")
        app = web.Application()
        self.sio.attach(app)
        self.runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        env = {
            **os.environ,
            "MEDIA_WEB_URL": f"http://127.0.0.1:{port}",
            "MEDIA_ICE_LOOPBACK_ONLY": "1",
            "MEDIA_STATS_INTERVAL": "3600",
            "MEDIA_LOG_LEVEL": "WARNING",
        }
        self.proc = subprocess.Popen([PYTHON, "-m", "media"], cwd=ROOT, env=env)
        await asyncio.wait_for(self.registered.wait(), 20)
        self.n = 0
        return self.proc.pid

    async def _create(self, offer: dict[str, str], role: str) -> dict[str, str]:
        self.n += 1
        order = {"peer_id": f"b{self.n}", "meeting_id": "bench", "unit_code": "u", "role": role}
        ack = await self.sio.call(
            "peer.create", {**order, "offer": offer}, to=self.sid, namespace="/media", timeout=30
        )
        assert ack["ok"], ack
        return dict(ack["data"]["answer"])

    async def publish(self, offer: dict[str, str]) -> dict[str, str]:
        answer = await self._create(offer, "site")
        ack = await self.sio.call(
            "slot.set",
            {"meeting_id": "bench", "slot": "main", "source_peer_id": "b1"},
            to=self.sid,
            namespace="/media",
        )
        assert ack["ok"], ack
        return answer

    async def subscribe(self, offer: dict[str, str]) -> dict[str, str]:
        return await self._create(offer, "viewer")

    async def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        await self.runner.cleanup()


class Reencode:
    name = "reencode"

    async def start(self) -> int:
        self.port = free_port()
        script = str(ROOT / "scripts/bench/sfu_stock.py")
        self.proc = subprocess.Popen([PYTHON, script, str(self.port)], cwd=ROOT)
        self.http = aiohttp.ClientSession()
        for _ in range(100):
            try:
                async with self.http.post(f"http://127.0.0.1:{self.port}/x"):
                    break
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        return self.proc.pid

    async def _post(self, path: str, offer: dict[str, str]) -> dict[str, str]:
        async with self.http.post(f"http://127.0.0.1:{self.port}/{path}", json=offer) as r:
            return dict(await r.json())

    async def publish(self, offer: dict[str, str]) -> dict[str, str]:
        answer = await self._post("publish", offer)
        return answer

    async def subscribe(self, offer: dict[str, str]) -> dict[str, str]:
        return await self._post("subscribe", offer)

    async def stop(self) -> None:
        await self.http.close()
        self.proc.terminate()
        self.proc.wait(10)


async def measure(sfu: Any, frames: list[bytes], n: int, seconds: float) -> dict[str, Any]:
    pid = await sfu.start()
    pub_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    track = Publisher(frames)
    pub_pc.addTransceiver(track, direction="sendonly")
    await pub_pc.setLocalDescription(await pub_pc.createOffer())
    answer = await sfu.publish({"type": "offer", "sdp": pub_pc.localDescription.sdp})
    await pub_pc.setRemoteDescription(RTCSessionDescription(**answer))
    while pub_pc.connectionState != "connected":
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    subs = [Subscriber() for _ in range(n)]
    for sub in subs:
        await sub.accept(await sfu.subscribe(await sub.offer()))
    deadline = time.monotonic() + 30
    while any(s.frames == 0 for s in subs) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(2)  # settle
    for s in subs:
        s.frames, s.latencies = 0, []
    sent0, cpu0, t0 = track.count, cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(seconds)
    sent, cpu, elapsed = track.count - sent0, cpu_seconds(pid) - cpu0, time.monotonic() - t0
    got = [s.frames for s in subs]
    lat = sorted(x for s in subs for x in s.latencies)
    for s in subs:
        if s.source:
            s.source.close()
        await s.pc.close()
    await pub_pc.close()
    await sfu.stop()
    return {
        "sfu": sfu.name,
        "subscribers": n,
        "cpu_s": round(cpu, 3),
        "cpu_per_sub_s_pct": round(100 * cpu / (n * elapsed), 3),
        "delivered_pct": round(100 * sum(got) / max(1, sent * n), 1),
        "lat_p50_ms": round(1000 * lat[len(lat) // 2], 1) if lat else None,
        "lat_p95_ms": round(1000 * lat[int(len(lat) * 0.95)], 1) if lat else None,
    }


async def direct_latency(frames: list[bytes], seconds: float) -> float | None:
    """Publisher straight to one subscriber: the latency of the bots themselves."""
    pub_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    track = Publisher(frames)
    pub_pc.addTransceiver(track, direction="sendonly")
    sub = Subscriber()
    await pub_pc.setLocalDescription(await pub_pc.createOffer())
    await sub.pc.setRemoteDescription(RTCSessionDescription(**await _local(pub_pc)))
    await sub.pc.setLocalDescription(await sub.pc.createAnswer())
    sub.source = Source(sub.pc.getTransceivers()[0], watchdog=False)
    sub.source.add_sink(id(sub), sub._sink, wants_keyframe=False)
    await pub_pc.setRemoteDescription(RTCSessionDescription(**await _local(sub.pc)))
    await asyncio.sleep(1 + seconds / 2)
    lat = sorted(sub.latencies[30:])
    sub.source.close()
    await sub.pc.close()
    await pub_pc.close()
    return round(1000 * lat[len(lat) // 2], 1) if lat else None


async def _local(pc: RTCPeerConnection) -> dict[str, str]:
    return {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", default="1,10,50,100")
    parser.add_argument("--reencode-subscribers", default="1,10")
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    forwarding.install()
    forwarding.restrict_host_addresses_to_loopback()
    frames = encode_vp8()
    kbps = sum(len(f) for f in frames) * 8 * 30 / len(frames) / 1000
    print(f"publisher: VP8 640x480 30 fps, {kbps:.0f} kbit/s, keyframe every 30 frames")
    direct = await direct_latency(frames, args.seconds)
    print(f"direct publisher -> subscriber (no SFU): p50 {direct} ms")
    rows = []
    for n in [int(x) for x in args.subscribers.split(",") if x]:
        rows.append(await measure(Ours(), frames, n, args.seconds))
        print(rows[-1], flush=True)
    for n in [int(x) for x in args.reencode_subscribers.split(",") if x]:
        rows.append(await measure(Reencode(), frames, n, args.seconds))
        print(rows[-1], flush=True)
    print()
    print(f"{'sfu':9} {'subs':>5} {'cpu%/sub':>9} {'delivered%':>11} {'p50 ms':>7} {'p95 ms':>7}")
    for r in rows:
        print(
            f"{r['sfu']:9} {r['subscribers']:>5} {r['cpu_per_sub_s_pct']:>9} "
            f"{r['delivered_pct']:>11} {r['lat_p50_ms']!s:>7} {r['lat_p95_ms']!s:>7}"
        )

    def per_sub(sfu: str, n: int) -> float | None:
        return next(
            (r["cpu_per_sub_s_pct"] for r in rows if r["sfu"] == sfu and r["subscribers"] == n),
            None,
        )

    common = [r["subscribers"] for r in rows if r["sfu"] == "reencode"]
    ref_n = max(common) if common else None
    ours_ref = per_sub("ours", ref_n) if ref_n else None
    re_ref = per_sub("reencode", ref_n) if ref_n else None
    biggest = max((r for r in rows if r["sfu"] == "ours"), key=lambda r: r["subscribers"])
    summary = {
        "bench": "sfu",
        "subscribers": biggest["subscribers"],
        "cpu_pct_per_subscriber_ours": biggest["cpu_per_sub_s_pct"],
        "delivered_pct": biggest["delivered_pct"],
        "lat_p50_ms": biggest["lat_p50_ms"],
        "added_latency_p50_ms": round(biggest["lat_p50_ms"] - direct, 1)
        if biggest["lat_p50_ms"] is not None and direct is not None
        else None,
        "ratio_at_subscribers": ref_n,
        "cpu_ratio_reencode_over_ours": round(re_ref / ours_ref, 1)
        if ours_ref and re_ref
        else None,
        "cpu_ratio_ours_over_janus": None,  # Janus not driven yet
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    asyncio.run(main())
