"""PostgreSQL refusing connections (then hanging), seen through a real server process:
every Socket.IO command is answered `unavailable` (in Vietnamese) within seconds, REST
answers 503 with the JSON error body, a new socket is refused with the same code, and
everything works again when the database is back, without a restart.

The outage is a TCP proxy of the test's own between the server and the shared
PostgreSQL, which is never touched."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests  # type: ignore[import-untyped]
import socketio
from sqlalchemy.engine import make_url

from scripts.bench._server import fresh_postgres, prepare_database, running
from tests.outage_tools import TcpProxy
from tests.realtime.test_two_workers import login

DB_URL = os.environ.get("TEST_DATABASE_URL")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not DB_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
]

ANSWER_WITHIN_S = 15.0  # generous: the server answers in about CONNECT_TIMEOUT_S at worst


def _socket(url: str, cookie: str) -> tuple[socketio.Client, list[Any]]:
    sio = socketio.Client(reconnection=False)
    refusals: list[Any] = []
    sio.on("connect_error", lambda data: refusals.append(data))
    sio.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=20)
    return sio, refusals


def _meeting_id(http: requests.Session, url: str) -> int:
    meetings = http.get(f"{url}/api/meetings?scope=upcoming", timeout=20).json()
    return int(meetings["meetings"][0]["id"])


def test_database_refusing_connections(tmp_path: Path) -> None:
    assert DB_URL
    url = make_url(DB_URL)
    db_url = fresh_postgres(DB_URL, f"{url.database}_dbdown")
    prepare_database(db_url, tmp_path)
    figures: dict[str, float] = {}
    with TcpProxy(url.port or 5432) as proxy:
        via_proxy = make_url(db_url).set(port=proxy.port).render_as_string(hide_password=False)
        with running(1, database_url=via_proxy, redis_url=None, workdir=tmp_path) as (server,):
            http, cookie = login(server.url, "chair")
            meeting_id = _meeting_id(http, server.url)
            sio, _ = _socket(server.url, cookie)
            try:
                assert sio.call("meeting.join", {"meeting_id": meeting_id}, timeout=20)["ok"]

                proxy.refuse()
                for name in ("meeting.snapshot", "agenda.next"):
                    started = time.monotonic()
                    ack = sio.call(name, {"meeting_id": meeting_id}, timeout=ANSWER_WITHIN_S)
                    figures[f"ack_{name}_s"] = time.monotonic() - started
                    assert ack["ok"] is False, ack
                    assert ack["error"]["code"] == "unavailable"
                    assert "cơ sở dữ liệu" in ack["error"]["message"]

                started = time.monotonic()
                r = http.get(f"{server.url}/api/meetings?scope=upcoming", timeout=ANSWER_WITHIN_S)
                figures["rest_s"] = time.monotonic() - started
                assert r.status_code == 503, r.text
                assert r.json()["error"]["code"] == "unavailable"

                refused = socketio.Client(reconnection=False)
                reasons: list[Any] = []
                refused.on("connect_error", lambda data: reasons.append(data))
                with pytest.raises(socketio.exceptions.ConnectionError):
                    refused.connect(
                        server.url,
                        headers={"Cookie": cookie},
                        transports=["websocket"],
                        wait_timeout=ANSWER_WITHIN_S,
                    )
                assert reasons and reasons[0]["message"] == "unavailable", reasons
                assert reasons[0]["data"]["code"] == "unavailable"

                # A database host gone from the network: connections hang instead of
                # failing. The connect timeout still gets every command an answer.
                proxy.hang()
                started = time.monotonic()
                ack = sio.call("meeting.snapshot", {"meeting_id": meeting_id}, timeout=30)
                figures["ack_hanging_db_s"] = time.monotonic() - started
                assert ack["ok"] is False and ack["error"]["code"] == "unavailable", ack

                proxy.accept()
                back = time.monotonic()
                ack = {"ok": False}
                while not ack["ok"] and time.monotonic() - back < 60:
                    ack = sio.call("meeting.snapshot", {"meeting_id": meeting_id}, timeout=20)
                    if not ack["ok"]:
                        assert ack["error"]["code"] == "unavailable", ack
                        time.sleep(0.5)
                figures["recovered_s"] = time.monotonic() - back
                assert ack["ok"], ack
                assert http.get(f"{server.url}/api/meetings", timeout=20).status_code == 200
                again, _ = _socket(server.url, cookie)
                again.disconnect()
            finally:
                sio.disconnect()
    print("database outage figures:", {k: round(v, 2) for k, v in figures.items()})


def test_proxy_refuses_and_accepts_again() -> None:
    """The tool itself: refused connections fail at once, accepted ones relay bytes."""
    import socket

    echo = socket.socket()
    echo.bind(("127.0.0.1", 0))
    echo.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = echo.accept()
            except OSError:
                return
            conn.sendall(conn.recv(64))
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    with TcpProxy(echo.getsockname()[1]) as proxy:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as s:
            s.sendall(b"xin chao")
            assert s.recv(64) == b"xin chao"
        proxy.refuse()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        proxy.hang()
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as s:
            s.sendall(b"im lang")
            s.settimeout(1)
            with pytest.raises(TimeoutError):
                s.recv(64)
        proxy.accept()
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as s:
            s.sendall(b"lai")
            assert s.recv(64) == b"lai"
    echo.close()
