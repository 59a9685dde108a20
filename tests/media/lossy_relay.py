"""A UDP relay in the test's own path between an aiortc bot and the media node.

This kernel has no ``netem`` and the host's loopback must never be shaped, so loss, delay
and blackouts happen here: the bot's offer and the node's answer are rewritten so that
each side's only ICE candidate is a relay socket; every datagram then crosses the relay,
which forwards it from its other socket after the impairment of that direction.

Loss applies to SRTP/SRTCP only (first byte 128..191, RFC 7983), so ICE and DTLS setup
stay deterministic; a blackout drops every datagram of its direction.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

_CANDIDATE = re.compile(r"^(a=candidate:\S+ \d+ udp \d+ )(\S+) (\d+)( typ host.*)$", re.I | re.M)

Address = tuple[str, int]


@dataclass
class Impairment:
    """What one direction suffers: random loss, a fixed delay, optional blackouts."""

    loss: float = 0.0  # fraction of SRTP/SRTCP datagrams dropped
    delay: float = 0.0  # seconds added to every datagram
    seed: int = 1
    forwarded: int = 0
    dropped: int = 0
    blackout_until: float = 0.0
    payload_types: Counter[int] = field(default_factory=Counter)  # RTP forwarded, by PT
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def blackout(self, seconds: float) -> None:
        self.blackout_until = time.monotonic() + seconds

    def drops(self, data: bytes) -> bool:
        if time.monotonic() < self.blackout_until:
            return True
        media = len(data) > 0 and 128 <= data[0] <= 191
        return media and self.loss > 0 and self._random.random() < self.loss


class _Side(asyncio.DatagramProtocol):
    def __init__(self, relay: LossyRelay, name: str) -> None:
        self.relay = relay
        self.name = name
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram transport

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self.relay.received(self.name, data, addr)

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])


class LossyRelay:
    """``up`` impairs bot -> node, ``down`` impairs node -> bot.

    Use: ``offer = relay.offer_to_node(offer)`` before handing the bot's offer to the node,
    ``answer = relay.answer_to_bot(answer)`` before the bot accepts the node's answer.
    """

    def __init__(self, up: Impairment | None = None, down: Impairment | None = None) -> None:
        self.up = up or Impairment()
        self.down = down or Impairment()
        self._bot_facing = _Side(self, "bot")
        self._node_facing = _Side(self, "node")
        self._bot: Address | None = None
        self._node: Address | None = None

    async def start(self) -> LossyRelay:
        loop = asyncio.get_running_loop()
        for side in (self._bot_facing, self._node_facing):
            await loop.create_datagram_endpoint(lambda s=side: s, local_addr=("127.0.0.1", 0))
        return self

    def close(self) -> None:
        for side in (self._bot_facing, self._node_facing):
            if side.transport is not None:
                side.transport.close()

    def offer_to_node(self, offer: dict[str, str]) -> dict[str, str]:
        sdp, self._bot = self._rewrite(offer["sdp"], self._node_facing.port)
        return {**offer, "sdp": sdp}

    def answer_to_bot(self, answer: dict[str, str]) -> dict[str, str]:
        sdp, self._node = self._rewrite(answer["sdp"], self._bot_facing.port)
        return {**answer, "sdp": sdp}

    @staticmethod
    def _rewrite(sdp: str, port: int) -> tuple[str, Address]:
        found: list[Address] = []

        def swap(m: re.Match[str]) -> str:
            found.append((m.group(2), int(m.group(3))))
            return f"{m.group(1)}127.0.0.1 {port}{m.group(4)}"

        rewritten = _CANDIDATE.sub(swap, sdp.replace("\r\n", "\n")).replace("\n", "\r\n")
        assert found, "no host candidate to relay"
        # The node answers with BUNDLE: everything flows on the first section's transport.
        return rewritten, found[0]

    def received(self, side: str, data: bytes, addr: Any) -> None:
        if side == "bot":
            out, target, impairment = self._node_facing, self._node, self.up
        else:
            out, target, impairment = self._bot_facing, self._bot, self.down
        if target is None or out.transport is None:
            return
        if impairment.drops(data):
            impairment.dropped += 1
            return
        impairment.forwarded += 1
        if len(data) > 1 and 128 <= data[0] <= 191 and not 192 <= data[1] <= 223:
            # SRTP leaves the RTP header in clear; 192..223 would be RTCP (RFC 5761).
            impairment.payload_types[data[1] & 0x7F] += 1
        if impairment.delay > 0:
            asyncio.get_running_loop().call_later(impairment.delay, _send, out, data, target)
        else:
            _send(out, data, target)


def _send(side: _Side, data: bytes, target: Address) -> None:
    if side.transport is not None and not side.transport.is_closing():
        side.transport.sendto(data, target)  # a delayed datagram may outlive the relay
