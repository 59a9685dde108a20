"""The "Authentication" section of docs/protocol.md, followed step by step by a client that
is not a browser (requests + python-socketio) against a real server process."""

from __future__ import annotations

import importlib.util
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests  # type: ignore[import-untyped]
import socketio

from scripts.bench._server import Server, prepare_database, running

PASSWORD = "Demo@2026"
TIMEOUT = 30  # generous: the machine is shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("client")
    url = f"sqlite:///{workdir / 'client.db'}"
    prepare_database(url, workdir)
    with running(1, database_url=url, redis_url=None, workdir=workdir) as servers:
        yield servers[0]


def cookie_header(http: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def connect(base: str, cookie: str | None) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    headers = {"Cookie": cookie} if cookie else {}
    sio.connect(base, headers=headers, transports=["websocket"], wait_timeout=TIMEOUT)
    return sio


def refusal(base: str, cookie: str | None) -> Any:
    """The `connect_error` data of a refused connection."""
    sio = socketio.Client(reconnection=False)
    seen: list[Any] = []
    sio.on("connect_error", seen.append)
    headers = {"Cookie": cookie} if cookie else {}
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(base, headers=headers, transports=["websocket"], wait_timeout=TIMEOUT)
    assert seen, "refused without a connect_error"
    return seen[0]


def command(sio: socketio.Client, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    ack: dict[str, Any] = sio.call(name, payload, timeout=TIMEOUT)
    return ack


def test_documented_login_socket_and_logout_flow(server: Server) -> None:
    base = server.url
    http = requests.Session()
    # 1. The session probe: not signed in yet, and a CSRF token for the login.
    probe = http.get(f"{base}/api/session", timeout=TIMEOUT).json()
    assert probe["authenticated"] is False and probe["user"] is None
    first_token = probe["csrf_token"]
    assert "phs_session" in http.cookies  # the token is bound to this cookie
    # A write without the token is refused with csrf_failed.
    refused = http.post(
        f"{base}/api/auth/login", json={"username": "chair", "password": PASSWORD}, timeout=TIMEOUT
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
    # 2. Login: JSON body, the token in X-CSRFToken; the answer names the user.
    bad = http.post(
        f"{base}/api/auth/login",
        json={"username": "chair", "password": "wrong"},
        headers={"X-CSRFToken": first_token},
        timeout=TIMEOUT,
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (401, "invalid_credentials")
    login = http.post(
        f"{base}/api/auth/login",
        json={"username": "chair", "password": PASSWORD},
        headers={"X-CSRFToken": first_token},
        timeout=TIMEOUT,
    )
    assert login.status_code == 200, login.text
    assert login.json()["user"]["username"] == "chair"
    cookie_flags = login.headers["Set-Cookie"].lower()
    assert "phs_session=" in cookie_flags and "httponly" in cookie_flags
    assert "samesite=lax" in cookie_flags
    # 3. The token changes at login: the old one is refused, the probe gives the new one.
    after = http.get(f"{base}/api/session", timeout=TIMEOUT).json()
    assert after["authenticated"] is True and after["user"]["username"] == "chair"
    token = after["csrf_token"]
    assert token != first_token
    stale = http.post(
        f"{base}/api/auth/logout", headers={"X-CSRFToken": first_token}, timeout=TIMEOUT
    )
    assert (stale.status_code, stale.json()["error"]["code"]) == (403, "csrf_failed")
    # 4. Socket.IO: without the cookie the connection is refused, with it accepted.
    assert refusal(base, None) == {"message": "not_authenticated"}
    sio = connect(base, cookie_header(http))
    ended = threading.Event()
    sio.on("disconnect", lambda *_: ended.set())
    try:
        meetings = http.get(f"{base}/api/meetings", timeout=TIMEOUT).json()["meetings"]
        mid = meetings[0]["id"]
        snap = command(sio, "meeting.join", {"meeting_id": mid})
        assert snap["ok"], snap
        assert snap["data"]["meeting"]["my_role"] == "chair"
        unknown = command(sio, "no.such", {})
        assert unknown["error"]["code"] == "unknown_command"
        keyed = {"meeting_id": mid, "idempotency_key": str(uuid.uuid4())}
        assert command(sio, "meeting.snapshot", keyed)["ok"]
        # 5. Logout (with the current token): the REST session ends ...
        out = http.post(f"{base}/api/auth/logout", headers={"X-CSRFToken": token}, timeout=TIMEOUT)
        assert out.status_code == 200 and out.json() == {"ok": True}
        assert http.get(f"{base}/api/session", timeout=TIMEOUT).json()["authenticated"] is False
        # ... and a new socket with the logged-out cookie is refused.
        assert refusal(base, cookie_header(http)) == {"message": "not_authenticated"}
        if importlib.util.find_spec("meetings.realtime.sessions") is not None:
            # With logout ending live sockets (the `outages` work), the open one closes too.
            assert ended.wait(TIMEOUT), "the socket outlived its logout"
    finally:
        sio.disconnect()


def test_openapi_document_is_served(server: Server) -> None:
    doc = requests.get(f"{server.url}/api/openapi.json", timeout=TIMEOUT).json()
    assert {"/api/session", "/api/auth/login", "/api/auth/logout"} <= set(doc["paths"])
    text = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text("utf-8")
    assert "/api/openapi.json" in text and "GET /api/session" in text
