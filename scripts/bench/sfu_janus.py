"""Janus 1.1 VideoRoom as a reference SFU for scripts/bench/sfu.py.

Runs the Debian ``janus`` binary with a config folder of its own (HTTP transport and
VideoRoom plugin only, one room) and drives it over the Janus HTTP API.

Loopback pitfall: Janus skips interfaces flagged IFF_LOOPBACK when gathering ICE
candidates, so ``ice_enforce_list = "lo"`` alone leaves it without candidates. The bench
compiles ``sfu_janus_lo.c`` (a getifaddrs() wrapper that clears the flag) with gcc into
the temporary folder and preloads it into the Janus process only.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from _server import stop_process  # sfu.py puts scripts/bench on sys.path

HERE = Path(__file__).resolve().parent
LIBDIR = Path("/usr/lib/x86_64-linux-gnu/janus")
ROOM = 1234


def _janus_config(folder: Path, port: int) -> None:
    for sub, lib in (
        ("plugins", "plugins/libjanus_videoroom.so"),
        ("transports", "transports/libjanus_http.so"),
    ):
        (folder / sub).mkdir()
        (folder / sub / Path(lib).name).symlink_to(LIBDIR / lib)
    (folder / "events").mkdir()
    (folder / "loggers").mkdir()
    (folder / "janus.jcfg").write_text(
        f"""general: {{
    configs_folder = "{folder}"
    plugins_folder = "{folder}/plugins"
    transports_folder = "{folder}/transports"
    events_folder = "{folder}/events"
    loggers_folder = "{folder}/loggers"
    debug_level = 3
    session_timeout = 0
    server_name = "sfu-bench"
}}
certificates: {{
}}
media: {{
}}
nat: {{
    nice_debug = false
    ice_enforce_list = "lo"
}}
plugins: {{
}}
transports: {{
}}
loggers: {{
}}
events: {{
}}
"""
    )
    (folder / "janus.transport.http.jcfg").write_text(
        f"""general: {{
    json = "compact"
    base_path = "/janus"
    http = true
    port = {port}
    ip = "127.0.0.1"
    https = false
}}
admin: {{
    admin_http = false
    admin_https = false
}}
cors: {{
}}
"""
    )
    (folder / "janus.plugin.videoroom.jcfg").write_text(
        f"""general: {{
}}
room-{ROOM}: {{
    description = "sfu bench"
    publishers = 1
    bitrate = 0
    fir_freq = 0
    videocodec = "vp8"
    audiocodec = "opus"
}}
"""
    )


def _compile_shim(folder: Path) -> Path:
    out = folder / "janus_lo.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O2", "-o", str(out), str(HERE / "sfu_janus_lo.c"), "-ldl"],
        check=True,
    )
    return out


class JanusServer:
    """One Janus process plus an HTTP API session with a long-poll event loop."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/janus"
        self._tx = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.publisher_id: int | None = None
        self._pending_subs: dict[int, int] = {}  # bench id -> Janus handle

    async def start(self) -> int:
        if shutil.which("janus") is None or shutil.which("gcc") is None:
            raise RuntimeError("needs the Debian package janus and gcc")
        self.folder = Path(tempfile.mkdtemp(prefix="sfu-janus-"))
        _janus_config(self.folder, self.port)
        shim = _compile_shim(self.folder)
        self.log = (self.folder / "janus.log").open("wb")
        self.proc = subprocess.Popen(
            ["janus", "-C", str(self.folder / "janus.jcfg"), "-F", str(self.folder), "-o"],
            env={"LD_PRELOAD": str(shim), "PATH": "/usr/bin:/bin"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own scheduler autogroup, like the other SFUs
        )
        self.http = aiohttp.ClientSession()
        for _ in range(100):
            try:
                async with self.http.get(f"{self.url}/info") as r:
                    if r.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"janus exited, see {self.folder}/janus.log")
            await asyncio.sleep(0.1)
        reply = await self._post(self.url, {"janus": "create"})
        self.session = int(reply["data"]["id"])
        self._poller = asyncio.ensure_future(self._poll())
        return self.proc.pid

    async def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        tx = f"t{next(self._tx)}"
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[tx] = fut
        async with self.http.post(url, json={**body, "transaction": tx}) as r:
            reply: dict[str, Any] = await r.json(content_type=None)
        if reply.get("janus") == "ack":  # asynchronous: the answer comes as an event
            reply = await asyncio.wait_for(fut, 30)
        self._waiting.pop(tx, None)
        if reply.get("janus") == "error" or "error" in reply.get("plugindata", {}).get("data", {}):
            raise RuntimeError(f"janus refused {body}: {reply}")
        return reply

    async def _poll(self) -> None:
        while True:
            try:
                async with self.http.get(
                    f"{self.url}/{self.session}?maxev=50", timeout=aiohttp.ClientTimeout(70)
                ) as r:
                    events = await r.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError):
                await asyncio.sleep(0.1)
                continue
            for event in events if isinstance(events, list) else [events]:
                fut = self._waiting.get(str(event.get("transaction")))
                if fut is not None and not fut.done():
                    fut.set_result(event)

    async def _attach(self) -> int:
        reply = await self._post(
            f"{self.url}/{self.session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"}
        )
        return int(reply["data"]["id"])

    async def _message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {"janus": "message", "body": body}
        if jsep is not None:
            msg["jsep"] = {**jsep, "trickle": False}  # aiortc puts every candidate in the SDP
        return await self._post(f"{self.url}/{self.session}/{handle}", msg)

    async def publish(self, offer: dict[str, str]) -> dict[str, str]:
        handle = await self._attach()
        joined = await self._message(
            handle, {"request": "join", "ptype": "publisher", "room": ROOM, "display": "pub"}
        )
        self.publisher_id = int(joined["plugindata"]["data"]["id"])
        reply = await self._message(handle, {"request": "publish"}, offer)
        return {"type": reply["jsep"]["type"], "sdp": reply["jsep"]["sdp"]}

    async def subscribe_offer(self, sub_id: int) -> dict[str, str]:
        """Janus offers to subscribers; the bot answers (``subscribe_answer``)."""
        handle = await self._attach()
        reply = await self._message(
            handle,
            {
                "request": "join",
                "ptype": "subscriber",
                "room": ROOM,
                "streams": [{"feed": self.publisher_id}],
            },
        )
        self._pending_subs[sub_id] = handle
        return {"type": reply["jsep"]["type"], "sdp": reply["jsep"]["sdp"]}

    async def subscribe_answer(self, sub_id: int, answer: dict[str, str]) -> None:
        await self._message(self._pending_subs.pop(sub_id), {"request": "start"}, answer)

    async def stop(self) -> None:
        self._poller.cancel()
        try:
            async with self.http.post(
                f"{self.url}/{self.session}", json={"janus": "destroy", "transaction": "bye"}
            ):
                pass
        except aiohttp.ClientError:
            pass
        await self.http.close()
        stop_process(self.proc, 10)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
