"""Web + a real media node process + real aiortc peers as bridge sites.

Signalling goes through web exactly as from a browser: conference.join carries the offer,
the ack carries the node's answer. Checked: the chair's on-air choice reaches the other
site's main slot, quality stats reach the chair, recording lands in a downloadable file,
and web reconciles when the node restarts and when web itself restarts.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import requests
import socketio

from tests.conference.conftest import Stack, login_cookie
from tests.media.media_bots import Bot, wait_for


class Person:
    """A signed-in Socket.IO client (what a browser tab is to web)."""

    def __init__(self, stack: Stack, username: str) -> None:
        self.stack = stack
        self.cookie = login_cookie(stack.url, username)
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.sio.on("*", self._any)

    async def _any(self, name: str, data: Any = None) -> None:
        self.events.append((name, data))

    async def connect(self) -> None:
        await self.sio.connect(
            self.stack.url, headers={"Cookie": self.cookie}, transports=["websocket"]
        )

    async def cmd(self, name: str, **payload: Any) -> Any:
        payload.setdefault("meeting_id", self.stack.meeting_id)
        return await self.sio.call(name, payload, timeout=30)

    async def ok(self, name: str, **payload: Any) -> Any:
        ack = await self.cmd(name, **payload)
        assert ack["ok"], (name, ack)
        return ack["data"]

    def last(self, name: str) -> Any:
        found = [data for n, data in self.events if n == name]
        return found[-1]["data"] if found else None


def site_bot() -> Bot:
    """A bridge site's offer: video sendrecv, video recvonly, audio sendrecv (+2 recvonly)."""
    bot = Bot()
    bot.publish_video(recv_too=True)
    bot.receive("video")
    bot.publish_audio(loud=False)
    bot.receive("audio")
    bot.receive("audio")
    return bot


async def join(person: Person, bot: Bot) -> dict[str, Any]:
    data = await person.ok("conference.join", offer=await bot.offer())
    await bot.accept(data["answer"])
    await person.ok("conference.candidate", peer_id=data["peer_id"], candidate=None)
    await bot.wait_connected(15)
    return data


def site(state: dict[str, Any] | None, unit_id: int) -> dict[str, Any]:
    assert state is not None
    return next(s for s in state["sites"] if s["unit_id"] == unit_id)


async def wait_site(person: Person, unit_id: int, pred: Any, timeout: float = 15) -> None:
    await wait_for(
        lambda: person.last("conference.updated") is not None
        and pred(site(person.last("conference.updated"), unit_id)),
        timeout,
        f"site {unit_id}",
    )


async def node_ready(person: Person) -> None:
    deadline = time.monotonic() + 20
    while not (await person.ok("conference.state"))["node"]["available"]:
        assert time.monotonic() < deadline, "the media node never registered"
        await asyncio.sleep(0.2)


def test_on_air_stats_recording_and_restarts(stack: Stack) -> None:
    async def main() -> None:
        chair, op_a, op_b = (Person(stack, u) for u in ("chair", "bridge", "bridgeb"))
        for p in (chair, op_a, op_b):
            await p.connect()
        await node_ready(chair)
        bot_a, bot_b = site_bot(), site_bot()
        joined_a = await join(op_a, bot_a)
        await join(op_b, bot_b)
        assert joined_a["unit_id"] == stack.unit_a and joined_a["role"] == "site"
        await wait_site(chair, stack.unit_a, lambda s: s["state"] == "connected")
        await wait_site(chair, stack.unit_b, lambda s: s["state"] == "connected")

        # The chair puts A on air: B's main slot receives A's frames.
        await chair.ok("conference.on_air", unit_id=stack.unit_a)
        main_b = bot_b.collectors[0]
        await wait_for(lambda: len(main_b.frames) > 20, 10, "A's video at B")
        state = chair.last("conference.updated")
        assert state["on_air"]["unit_id"] == stack.unit_a and state["on_air"]["why"] == "manual"
        # A bridge operator may not run the conference.
        denied = await op_b.cmd("conference.on_air", unit_id=stack.unit_b)
        assert denied["error"]["code"] == "permission_denied"

        # Quality numbers reach the chair (node bitrate; the site's own RTT report).
        await op_a.ok("conference.report", peer_id=joined_a["peer_id"], rtt_ms=12.0, loss_pct=0.5)
        await wait_for(
            lambda: any(
                n == "conference.stats"
                and any(
                    s["unit_id"] == stack.unit_a
                    and s.get("bitrate_kbps", 0) > 0
                    and s.get("rtt_ms") == 12.0
                    for s in d["data"]["sites"]
                )
                for n, d in chair.events
            ),
            10,
            "conference.stats",
        )

        # Mute survives in the state; recording produces a file the secretary can fetch.
        await chair.ok("conference.mute", unit_id=stack.unit_b, muted=True)
        await wait_site(chair, stack.unit_b, lambda s: s["muted"])
        rec = await chair.ok("conference.recording_start")
        await asyncio.sleep(2.5)
        stopped = await chair.ok("conference.recording_stop")
        assert stopped["recording_id"] == rec["recording_id"] and stopped["bytes"] > 0
        secretary = requests.Session()
        secretary.headers["Cookie"] = login_cookie(stack.url, "secretary")
        base = f"{stack.url}/api/meetings/{stack.meeting_id}/recordings"
        listed = secretary.get(base, timeout=10).json()["recordings"]
        assert [r["recording_id"] for r in listed] == [rec["recording_id"]]
        file = secretary.get(f"{base}/{rec['recording_id']}", timeout=10)
        assert file.status_code == 200 and file.content[:4] == b"\x1a\x45\xdf\xa3"  # EBML

        # The media node dies and comes back: web drops the lost peers (sites offline),
        # the sites rejoin, and the chair's on-air choice and mute are applied again.
        stack.stop_node(kill=True)
        stack.start_node()
        await wait_site(chair, stack.unit_a, lambda s: s["state"] == "offline", 30)
        await bot_a.close()
        await bot_b.close()
        bot_a, bot_b = site_bot(), site_bot()
        await join(op_a, bot_a)
        await join(op_b, bot_b)
        await wait_for(lambda: len(bot_b.collectors[0].frames) > 20, 10, "A at B again")
        state = await chair.ok("conference.state")
        assert site(state, stack.unit_a)["on_air"] and site(state, stack.unit_b)["muted"]

        # Giving the floor to bridge B puts B on air (it replaces the manual choice);
        # ending the turn leaves nobody on air (no chair room connected here).
        request = await op_b.ok("speaker.request", topic="")
        await chair.ok("speaker.grant", request_id=request["id"])

        def on_air() -> dict[str, Any]:
            return (chair.last("conference.updated") or {}).get("on_air") or {}

        # pending=False: the node saw B's keyframe and switched every main slot to it.
        await wait_for(
            lambda: on_air().get("why") == "speaker" and not on_air().get("pending"),
            10,
            "the speaker on air",
        )
        assert on_air()["unit_id"] == stack.unit_b
        seen = len(bot_a.collectors[0].frames)
        await wait_for(lambda: len(bot_a.collectors[0].frames) > seen + 20, 10, "B at A")
        await chair.ok("speaker.end")
        await wait_for(lambda: not on_air(), 10, "off air")

        # Web restarts: the node re-registers with peers web no longer knows and web
        # closes them; the sites see their connection end and would rejoin.
        for p in (chair, op_a, op_b):
            await p.sio.disconnect()
        stack.stop_web()
        stack.start_web()
        await wait_for(
            lambda: bot_a.pc.connectionState in ("closed", "failed"), 30, "stray peer closed"
        )
        await bot_a.close()
        await bot_b.close()

    asyncio.run(asyncio.wait_for(main(), 150))


def test_meeting_end_ends_the_conference_and_keeps_the_recording(stack: Stack) -> None:
    async def main() -> None:
        chair, op_a, delegate = (Person(stack, u) for u in ("chair", "bridge", "delegate01"))
        for p in (chair, op_a, delegate):
            await p.connect()
        await delegate.ok("meeting.join")
        await node_ready(chair)

        # A node refusal reaches the user in Vietnamese (the node's text stays in details).
        bare = {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"}
        refused = (await op_a.cmd("conference.join", offer=bare))["error"]
        assert refused["code"] == "invalid_payload"
        assert refused["message"].startswith("Trình duyệt gửi thông tin kết nối")
        assert refused["details"]["node_message"] == "offer has no audio or video section"

        bot_a = site_bot()
        await join(op_a, bot_a)
        await wait_site(chair, stack.unit_a, lambda s: s["state"] == "connected")
        rec = await chair.ok("conference.recording_start")
        await asyncio.sleep(2.5)

        await chair.ok("meeting.end")
        state = await chair.ok("conference.state")
        assert state["ended"] and state["recording"] is None
        assert all(s["state"] == "offline" for s in state["sites"])
        assert (chair.last("conference.updated") or {}).get("ended")
        await wait_for(
            lambda: bot_a.pc.connectionState in ("closed", "failed"), 30, "site peer closed"
        )
        await bot_a.close()

        # The recording was stopped and kept: a finished file the secretary can fetch.
        secretary = requests.Session()
        secretary.headers["Cookie"] = login_cookie(stack.url, "secretary")
        base = f"{stack.url}/api/meetings/{stack.meeting_id}/recordings"
        listed = secretary.get(base, timeout=10).json()["recordings"]
        assert [(r["recording_id"], r["in_progress"]) for r in listed] == [
            (rec["recording_id"], False)
        ]
        assert listed[0]["bytes"] > 0

        # Nobody joins again; delegates never followed the conference.
        again = site_bot()
        assert (await op_a.cmd("conference.join", offer=await again.offer()))["error"][
            "code"
        ] == "closed"
        await again.close()
        assert all(name != "conference.updated" for name, _ in delegate.events)
        for p in (chair, op_a, delegate):
            await p.sio.disconnect()

    asyncio.run(asyncio.wait_for(main(), 150))
