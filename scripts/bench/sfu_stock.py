"""Reference SFU for scripts/bench/sfu.py: stock aiortc, decode once + re-encode per
subscriber (MediaRelay, buffered). Run: python scripts/bench/sfu_stock.py PORT"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from media.forwarding import restrict_host_addresses_to_loopback

relay = MediaRelay()
source: dict[str, Any] = {}
pcs: list[RTCPeerConnection] = []


async def _answer(pc: RTCPeerConnection, offer: dict[str, str]) -> web.Response:
    await pc.setRemoteDescription(RTCSessionDescription(**offer))
    await pc.setLocalDescription(await pc.createAnswer())
    return web.json_response({"type": "answer", "sdp": pc.localDescription.sdp})


async def publish(request: web.Request) -> web.Response:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pcs.append(pc)
    pc.on("track", lambda track: source.__setitem__("video", track))
    return await _answer(pc, await request.json())


async def subscribe(request: web.Request) -> web.Response:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pcs.append(pc)
    pc.addTrack(relay.subscribe(source["video"], buffered=True))
    return await _answer(pc, await request.json())


def main() -> None:
    restrict_host_addresses_to_loopback()
    app = web.Application()
    app.router.add_post("/publish", publish)
    app.router.add_post("/subscribe", subscribe)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)


if __name__ == "__main__":
    main()
