"""The control channel against a real python-socketio server standing in for web."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from typing import Any

import socketio
from aiohttp import web

from media.config import NodeConfig
from media.control import ControlChannel
from media.speaker import SpeakerDetector
from tests.media.media_bots import wait_for


def run(coro: Coroutine[Any, Any, None], timeout: float = 40) -> None:
    asyncio.run(asyncio.wait_for(coro, timeout))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeWeb:
    """Just enough of web's /media namespace: key check, node.register, orders."""

    def __init__(self, port: int, key: str = "secret") -> None:
        self.port = port
        self.key = key
        self.sio = socketio.AsyncServer(async_mode="aiohttp")
        self.registrations: list[dict[str, Any]] = []
        self.events: list[tuple[str, Any]] = []
        self.sid: str | None = None
        self.runner: web.AppRunner | None = None
        self.sio.on("connect", self._connect, namespace="/media")
        self.sio.on("node.register", self._register, namespace="/media")
        self.sio.on("*", self._any, namespace="/media")

    async def _connect(self, sid: str, environ: Any, auth: Any) -> bool:
        return isinstance(auth, dict) and auth.get("key") == self.key

    async def _register(self, sid: str, data: dict[str, Any]) -> dict[str, Any]:
        self.sid = sid
        self.registrations.append(data)
        return {"ok": True, "data": {}}

    async def _any(self, event: str, sid: str, data: Any) -> None:
        self.events.append((event, data))

    async def start(self) -> None:
        app = web.Application()
        self.sio.attach(app)
        self.runner = web.AppRunner(app, shutdown_timeout=0.2)  # drop open sockets fast
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        # Like a crashed or restarted web process: sockets close without a goodbye.
        assert self.runner is not None
        await self.runner.cleanup()

    async def order(self, name: str, payload: Any) -> Any:
        return await self.sio.call(name, payload, to=self.sid, namespace="/media", timeout=10)


def test_node_registers_takes_orders_and_reconnects() -> None:
    async def main() -> None:
        port = free_port()
        web1 = FakeWeb(port)
        config = NodeConfig(
            web_url=f"http://127.0.0.1:{port}",
            node_key="secret",
            node_id="huyen-a-1",
            units=("huyen-a",),
            loopback_only=True,
        )
        channel = ControlChannel(config)
        runner = asyncio.ensure_future(channel.run())  # web is not up yet: node retries
        await asyncio.sleep(0.5)
        await web1.start()
        await wait_for(lambda: web1.registrations, 10, "registration")
        reg = web1.registrations[0]
        assert reg["node_id"] == "huyen-a-1" and reg["units"] == ["huyen-a"]
        assert reg["protocol"] == 1 and reg["peers"] == []

        ack = await web1.order("node.status", {})
        assert ack["ok"] and ack["data"]["node_id"] == "huyen-a-1"
        bad = await web1.order("slot.set", {"meeting_id": "m1", "slot": "nope"})
        assert bad["ok"] is False and bad["error"]["code"] == "invalid_payload"
        missing = await web1.order("peer.close", {"peer_id": "p9"})
        assert missing["error"]["code"] == "not_found"

        # Web goes away and comes back on the same address: the node re-registers.
        await web1.stop()
        await asyncio.sleep(1.0)
        assert not runner.done()
        web2 = FakeWeb(port)
        await web2.start()
        await wait_for(lambda: web2.registrations, 15, "re-registration")
        again = await web2.order("node.status", {})
        assert again["ok"]
        assert channel.registrations == 2

        await channel.stop()
        await runner
        await web2.stop()

    run(main())


def test_wrong_key_is_refused() -> None:
    async def main() -> None:
        port = free_port()
        fake = FakeWeb(port, key="right")
        await fake.start()
        config = NodeConfig(web_url=f"http://127.0.0.1:{port}", node_key="wrong")
        channel = ControlChannel(config)
        runner = asyncio.ensure_future(channel.run())
        await asyncio.sleep(1.5)
        assert fake.registrations == [] and not channel.registered.is_set()
        runner.cancel()
        await channel.stop()
        await fake.stop()

    run(main())


def test_speaker_detector_hysteresis() -> None:
    now = [0.0]
    det = SpeakerDetector(clock=lambda: now[0])

    def feed(levels: dict[str, int], seconds: float) -> None:
        steps = int(seconds / 0.02)
        for _ in range(steps):
            now[0] += 0.02
            for peer, level in levels.items():
                det.add(peer, level)

    feed({"a": 25, "b": 90}, 1.0)
    assert det.update() and det.active == "a"
    feed({"a": 25, "b": 22}, 1.0)  # b is only 3 dB louder: keep a
    assert not det.update() and det.active == "a"
    feed({"a": 40, "b": 20}, 1.0)  # b is 20 dB louder: switch
    assert det.update() and det.active == "b"
    feed({"a": 100, "b": 100}, 0.5)  # short pause: keep b
    assert not det.update() and det.active == "b"
    feed({"a": 100, "b": 100}, 1.2)
    assert det.update() and det.active is None
    det.exclude("a", True)
    feed({"a": 10, "b": 100}, 1.0)
    assert not det.update() and det.active is None  # muted sites never win
