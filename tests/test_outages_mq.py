"""Two real workers behind a redis-server of the test's own (never the shared one).

- Redis down for 20 s while the chair on worker A moves the agenda: the delegate on
  worker B learns the new version from the beacon (no later event needed) and its
  snapshot shows the move; the workers listen on Redis again within seconds of its return.
- Logout on worker A ends that login's sockets on A and on B, and no other login's."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from scripts.bench._server import Server, fresh_postgres, prepare_database, running
from tests.outage_tools import PrivateRedis
from tests.realtime.test_two_workers import Tablet, login

DB_URL = os.environ.get("TEST_DATABASE_URL")
CHANNEL = "flask-socketio"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(not DB_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server, Any]]:
    assert DB_URL
    work = tmp_path_factory.mktemp("mq")
    db_url = fresh_postgres(DB_URL, f"{make_url(DB_URL).database}_mq")
    prepare_database(db_url, work)
    with (
        PrivateRedis(work) as redis,
        running(2, database_url=db_url, redis_url=redis.url, workdir=work) as (a, b),
    ):
        yield a, b, redis


def _wait(predicate: Any, timeout: float, what: str) -> float:
    """Seconds until predicate() held; fails after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s")


def _meeting_id(a: Server) -> tuple[Any, int]:
    http, _ = login(a.url, "chair")
    meetings = http.get(f"{a.url}/api/meetings?scope=upcoming", timeout=20).json()["meetings"]
    return http, next(m["id"] for m in meetings if m["title"].startswith("Phiên họp UBND tỉnh"))


def _knows(tablet: Tablet, meeting_id: int, version: int) -> bool:
    """The tablet was told (event or beacon) that the meeting reached `version`."""
    for name, env in list(tablet.events):
        if env.get("meeting_id") != meeting_id:
            continue
        told = env["data"]["version"] if name == "meeting.beacon" else env.get("version")
        if isinstance(told, int) and told >= version:
            return True
    return False


def test_redis_outage_other_worker_catches_up(cluster: tuple[Server, Server, Any]) -> None:
    a, b, redis = cluster
    _, meeting_id = _meeting_id(a)
    _, chair_cookie = login(a.url, "chair")
    _, delegate_cookie = login(b.url, "delegate01")
    chair, delegate = Tablet(a.url, chair_cookie), Tablet(b.url, delegate_cookie)
    figures: dict[str, float] = {}
    try:
        assert chair.call("meeting.join", {"meeting_id": meeting_id})["ok"]
        snap = delegate.call("meeting.join", {"meeting_id": meeting_id})["data"]
        _wait(lambda: redis.subscribers(CHANNEL) == 2, 30, "both workers subscribed")
        if snap["meeting"]["status"] != "in_progress":
            assert chair.call("meeting.start", {"meeting_id": meeting_id})["ok"]

        redis.stop()
        outage_started = time.monotonic()
        ack = chair.call("agenda.next", {"meeting_id": meeting_id})
        assert ack["ok"], ack
        moved = chair.call("meeting.snapshot", {"meeting_id": meeting_id})["data"]
        # No Redis, so no event crosses to B, but B's beacon reads the shared database.
        figures["told_during_outage_s"] = _wait(
            lambda: _knows(delegate, meeting_id, moved["version"]), 15, "delegate told (outage)"
        )
        time.sleep(max(0.0, 20 - (time.monotonic() - outage_started)))  # as in the field
        redis.start()

        figures["stale_after_redis_s"] = _wait(
            lambda: _knows(delegate, meeting_id, moved["version"]), 15, "delegate told"
        )
        fresh = delegate.call("meeting.snapshot", {"meeting_id": meeting_id})["data"]
        assert fresh["agenda"]["current_item_id"] == moved["agenda"]["current_item_id"]
        assert fresh["version"] >= moved["version"]

        figures["resubscribed_s"] = _wait(
            lambda: redis.subscribers(CHANNEL) == 2, 15, "both workers listening again"
        )
        assert figures["resubscribed_s"] < 5.0, figures
        # Cross-worker delivery works again: the next move reaches B as an event.
        assert chair.call("agenda.previous", {"meeting_id": meeting_id})["ok"]
        back = chair.call("meeting.snapshot", {"meeting_id": meeting_id})["data"]
        delegate.wait_for("agenda.updated", lambda e: e["version"] == back["version"], timeout=15)
    finally:
        chair.sio.disconnect()
        delegate.sio.disconnect()
    print("redis outage figures:", {k: round(v, 2) for k, v in figures.items()})


def test_logout_ends_that_sessions_sockets_on_every_worker(
    cluster: tuple[Server, Server, Any],
) -> None:
    a, b, redis = cluster
    _wait(lambda: redis.subscribers(CHANNEL) == 2, 30, "both workers subscribed")
    http, cookie = login(a.url, "delegate02")
    _, other_cookie = login(b.url, "delegate02")  # the same person on another tablet
    on_a, on_b, other = Tablet(a.url, cookie), Tablet(b.url, cookie), Tablet(b.url, other_cookie)
    try:
        token = http.get(f"{a.url}/api/session", timeout=20).json()["csrf_token"]
        r = http.post(f"{a.url}/api/auth/logout", headers={"X-CSRFToken": token}, timeout=20)
        assert r.status_code == 200, r.text
        for tablet in (on_a, on_b):
            tablet.wait_for("session.ended", lambda e: e["data"] == {"reason": "logged_out"}, 15)
            _wait(lambda t=tablet: not t.sio.connected, 15, "socket closed by the server")
        # The other login of the same person stays signed in.
        assert other.sio.connected
        assert other.call("meeting.snapshot", {"meeting_id": 10**9})["error"]["code"] == (
            "not_found"
        )
        assert not any(name == "session.ended" for name, _ in other.events)
    finally:
        for tablet in (on_a, on_b, other):
            if tablet.sio.connected:
                tablet.sio.disconnect()
