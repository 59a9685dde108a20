"""Subscriber bots for scripts/bench/sfu.py, one process of many (the bench spreads its
subscribers over several of these so one Python process does not limit delivery).

A bot is an aiortc peer that receives video WITHOUT decoding: its receiver counts each
complete frame (``media.forwarding.count_frames_without_decoding``) and hands nothing to
the decoder thread. Frames from the publisher carry a trailer (magic, frame index, send
time in CLOCK_MONOTONIC, which all processes share): a frame counts as delivered when its
length is exactly the published length. Re-encoded frames have no trailer; they are
counted by arrival time instead.

Run: ``sfu_bots.py SIZES_JSON remb|no-remb``. Driven over stdin/stdout, one JSON object
per line (see ``handle``).
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from media.forwarding import count_frames_without_decoding, restrict_host_addresses_to_loopback

MAGIC = b"BNCH"
TRAILER = struct.Struct("!4sId")  # magic, publisher frame index, send time (monotonic)


class Bot:
    sizes: ClassVar[list[int]] = []
    recording = False
    remb = True

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.got_any = False
        self.indexes: list[int] = []  # publisher indexes of complete, marked frames
        self.latencies: list[float] = []
        self.unmarked: list[float] = []  # arrival times of frames without our trailer
        self.incomplete = 0

    def hook(self) -> None:
        # The receive-side bandwidth estimator (REMB) is about a third of aiortc's
        # per-packet receive cost; forwarding SFUs (ours, Janus) ignore subscribers'
        # REMB. The re-encode reference keeps it: its encoders follow REMB.
        receiver = self.pc.getTransceivers()[0].receiver
        count_frames_without_decoding(receiver, self.frame, remb=Bot.remb)

    def frame(self, data: bytes) -> None:
        now = time.monotonic()
        self.got_any = True
        if not Bot.recording:
            return
        if len(data) >= TRAILER.size and data[-TRAILER.size : -TRAILER.size + 4] == MAGIC:
            _, index, sent = TRAILER.unpack(data[-TRAILER.size :])
            if len(data) == self.sizes[index % len(self.sizes)] + TRAILER.size:
                self.indexes.append(index)
                self.latencies.append(now - sent)
            else:
                self.incomplete += 1
        else:
            self.unmarked.append(now)


bots: dict[int, Bot] = {}


async def handle(msg: dict[str, Any]) -> dict[str, Any]:
    op = msg["op"]
    if op == "offer":  # the SFU answers our offer (ours, re-encode)
        bot = bots[msg["id"]] = Bot()
        bot.pc.addTransceiver("video", direction="recvonly")
        bot.hook()
        await bot.pc.setLocalDescription(await bot.pc.createOffer())
        return {"offer": {"type": "offer", "sdp": bot.pc.localDescription.sdp}}
    if op == "answer":
        await bots[msg["id"]].pc.setRemoteDescription(RTCSessionDescription(**msg["answer"]))
        return {}
    if op == "accept":  # the SFU offers (Janus, or the direct publisher)
        bot = bots[msg["id"]] = Bot()
        await bot.pc.setRemoteDescription(RTCSessionDescription(**msg["offer"]))
        bot.hook()
        await bot.pc.setLocalDescription(await bot.pc.createAnswer())
        return {"answer": {"type": "answer", "sdp": bot.pc.localDescription.sdp}}
    if op == "status":
        return {"receiving": sum(b.got_any for b in bots.values()), "bots": len(bots)}
    if op == "record":
        for b in bots.values():
            b.indexes, b.latencies, b.unmarked, b.incomplete = [], [], [], 0
        Bot.recording = True
        return {}
    if op == "report":  # frames with index in [i0, i1), or unmarked arriving in [t0, t1)
        Bot.recording = False
        i0, i1, t0, t1 = msg["i0"], msg["i1"], msg["t0"], msg["t1"]
        frames, latencies, incomplete = {}, [], 0
        for k, b in bots.items():
            marked = {i for i in b.indexes if i0 <= i < i1}
            frames[k] = len(marked) + sum(t0 <= t < t1 for t in b.unmarked)
            latencies += [x for i, x in zip(b.indexes, b.latencies, strict=True) if i0 <= i < i1]
            incomplete += b.incomplete
        return {
            "frames": frames,
            "latencies": [round(x, 5) for x in latencies],
            "incomplete": incomplete,
            "unmarked": sum(len(b.unmarked) for b in bots.values()),
        }
    if op == "close":
        await asyncio.gather(*(b.pc.close() for b in bots.values()))
        bots.clear()
        return {}
    raise ValueError(f"unknown op {op}")


async def main() -> None:
    restrict_host_addresses_to_loopback()
    Bot.sizes = json.loads(sys.argv[1])
    Bot.remb = sys.argv[2] == "remb"
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    out = sys.stdout

    async def run(msg: dict[str, Any]) -> None:
        try:
            reply = {"seq": msg["seq"], **await handle(msg)}
        except Exception as exc:  # report to the bench, keep serving
            reply = {"seq": msg["seq"], "error": repr(exc)}
        out.write(json.dumps(reply) + "\n")
        out.flush()

    tasks = set()
    while line := await reader.readline():
        msg = json.loads(line)
        if msg["op"] == "quit":
            break
        task = asyncio.ensure_future(run(msg))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    for b in bots.values():
        await b.pc.close()


if __name__ == "__main__":
    if os.environ.get("SFU_BOTS_PROFILE"):  # where a bot process spends its time
        import cProfile

        cProfile.run("asyncio.run(main())", f"{os.environ['SFU_BOTS_PROFILE']}.{os.getpid()}")
    else:
        asyncio.run(main())
