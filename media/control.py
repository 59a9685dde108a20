"""Control channel: the node dials web's ``/media`` Socket.IO namespace and takes orders.

python-socketio reconnects on its own (forever, backing off to 5 s); on every
(re)connect the node registers again with a full status, so web can reconcile peers
it no longer knows about. Media keeps flowing while web is away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from media.config import NodeConfig
from media.node import MediaNode
from media.protocol import ORDERS, REGISTER_EVENT
from media.tasks import spawn

log = logging.getLogger(__name__)

NAMESPACE = "/media"
PROTOCOL_VERSION = 1


class ControlChannel:
    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self.sio = socketio.AsyncClient(
            reconnection=True,
            reconnection_attempts=0,  # never give up
            reconnection_delay=0.5,
            reconnection_delay_max=5,
            handle_sigint=False,
        )
        self.node = MediaNode(config, emit=self.emit)
        self.registered = asyncio.Event()
        self.registrations = 0
        self._stopped = asyncio.Event()
        for name in ORDERS:
            self.sio.on(name, self._order_handler(name), namespace=NAMESPACE)
        self.sio.on("connect", self._on_connect, namespace=NAMESPACE)
        self.sio.on("disconnect", self._on_disconnect, namespace=NAMESPACE)

    def _order_handler(self, name: str) -> Callable[..., Awaitable[dict[str, Any]]]:
        async def handler(payload: Any = None) -> dict[str, Any]:
            # The return value becomes the Socket.IO ack.
            return await self.node.handle(name, payload)

        return handler

    async def _on_connect(self) -> None:
        # Registering needs an ack, which cannot be awaited inside the connect handler.
        spawn(self._register())

    async def _on_disconnect(self, *args: Any) -> None:
        self.registered.clear()
        if not self._stopped.is_set():
            log.warning("control channel to %s lost; reconnecting", self.config.web_url)

    async def _register(self) -> None:
        payload = {"protocol": PROTOCOL_VERSION, **self.node.status()}
        try:
            ack = await self.sio.call(REGISTER_EVENT, payload, namespace=NAMESPACE, timeout=10)
        except Exception as exc:  # timeout or disconnect: the next connect retries
            log.warning("node.register failed: %r", exc)
            return
        if isinstance(ack, dict) and ack.get("ok"):
            self.registrations += 1
            self.registered.set()
        else:
            log.error("web refused node.register: %r", ack)

    def emit(self, event: str, data: dict[str, Any]) -> None:
        """Fire-and-forget event to web; dropped while disconnected."""
        if self.sio.connected and NAMESPACE in self.sio.namespaces:
            spawn(self._emit(event, data))

    async def _emit(self, event: str, data: dict[str, Any]) -> None:
        try:
            await self.sio.emit(
                event, {"node_id": self.config.node_id, **data}, namespace=NAMESPACE
            )
        except Exception as exc:
            log.debug("dropped %s: %r", event, exc)

    async def run(self) -> None:
        await self.sio.connect(
            self.config.web_url,
            namespaces=[NAMESPACE],
            auth={"node_id": self.config.node_id, "key": self.config.node_key},
            retry=True,  # web may start after us
            wait_timeout=5,
        )
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()
        await self.node.close()
        await self.sio.disconnect()
