"""Two real server processes behind one Redis and one PostgreSQL: an agenda move made by the
chair on worker A reaches a delegate connected to worker B."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
import requests  # type: ignore[import-untyped]
import socketio

from scripts.bench._server import fresh_postgres, prepare_database, running

DB_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not (DB_URL and REDIS_URL),
        reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (Redis)",
    ),
]


def login(base: str, username: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    token = http.get(f"{base}/api/session", timeout=10).json()["csrf_token"]
    response = http.post(
        f"{base}/api/auth/login",
        json={"username": username, "password": "Demo@2026"},
        headers={"X-CSRFToken": token},
        timeout=10,
    )
    response.raise_for_status()
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return http, cookie


class Tablet:
    """A python-socketio client over a real websocket that records meeting events."""

    def __init__(self, base: str, cookie: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.arrived = threading.Event()

        @self.sio.on("*")  # type: ignore[misc]
        def _any(name: str, envelope: dict[str, Any]) -> None:
            self.events.append((name, envelope))
            self.arrived.set()

        self.sio.connect(
            base, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10
        )

    def call(self, name: str, payload: dict[str, Any]) -> Any:
        return self.sio.call(name, payload, timeout=10)

    def wait_for(self, name: str, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for got, envelope in self.events:
                if got == name and predicate(envelope):
                    return envelope
            self.arrived.clear()
            self.arrived.wait(0.2)
        raise AssertionError(f"{name} not received; got {[n for n, _ in self.events]}")


def test_agenda_move_on_worker_a_reaches_delegate_on_worker_b(tmp_path: Path) -> None:
    assert DB_URL and REDIS_URL
    # A database of its own: the main fixtures drop and recreate the schema of `test`.
    db_url = fresh_postgres(DB_URL, "test_workers")
    prepare_database(db_url, tmp_path)
    with running(2, database_url=db_url, redis_url=REDIS_URL, workdir=tmp_path) as (a, b):
        chair_http, chair_cookie = login(a.url, "chair")
        _, delegate_cookie = login(b.url, "delegate01")
        meetings = chair_http.get(f"{a.url}/api/meetings?scope=upcoming", timeout=10).json()
        meeting_id = next(
            m["id"] for m in meetings["meetings"] if m["title"].startswith("Phiên họp UBND tỉnh")
        )
        chair, delegate = Tablet(a.url, chair_cookie), Tablet(b.url, delegate_cookie)
        try:
            assert chair.call("meeting.join", {"meeting_id": meeting_id})["ok"]
            snap = delegate.call("meeting.join", {"meeting_id": meeting_id})["data"]
            assert chair.call("meeting.start", {"meeting_id": meeting_id})["ok"]
            started = delegate.wait_for(
                "meeting.updated",
                lambda e: e["meeting_id"] == meeting_id and e["data"]["status"] == "in_progress",
            )
            assert started["version"] > snap["version"]
            ack = chair.call("agenda.next", {"meeting_id": meeting_id})
            assert ack["ok"], ack
            second = snap["agenda"]["items"][1]["id"]
            moved = delegate.wait_for(
                "agenda.updated",
                lambda e: e["meeting_id"] == meeting_id and e["data"]["current_item_id"] == second,
            )
            # Worker B's snapshot (read from the shared database) agrees with the event.
            fresh = delegate.call("meeting.snapshot", {"meeting_id": meeting_id})["data"]
            assert fresh["version"] >= moved["version"]
            assert fresh["agenda"]["current_item_id"] == second
        finally:
            chair.sio.disconnect()
            delegate.sio.disconnect()
