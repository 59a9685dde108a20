"""The web side without a media node: node authentication, TURN credentials, recording
downloads and permissions (in-process app and Socket.IO test clients)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import pytest

from meetings.app import create_app
from meetings.extensions import socketio
from meetings.media_bridge import conference_state, nodes
from meetings.media_bridge.turn import ice_servers, turn_credentials
from tests.conftest import login, make_config
from tests.realtime.room import ack_error, make_room


@pytest.fixture
def media_app(seeded_url: str, tmp_path: Path) -> Any:
    conference_state.reset()
    nodes.registry.clear()
    config = make_config(
        tmp_path,
        seeded_url,
        media_node_key="node-secret",
        turn_urls=("stun:stun.hanam.example:3478", "turn:turn.hanam.example:3478?transport=udp"),
        turn_secret="turn-secret",
        turn_ttl=3600,
        recordings_dir=tmp_path / "recordings",
    )
    yield create_app(config)
    conference_state.reset()
    nodes.registry.clear()


@pytest.fixture
def login_as(media_app: Any) -> Any:
    """A test client of media_app signed in as a demo user."""

    def make(username: str) -> Any:
        client = media_app.test_client()
        login(client, username)
        return client

    return make


@pytest.fixture
def socket_for(media_app: Any, login_as: Any) -> Any:
    def make(username: str) -> Any:
        return socketio.test_client(media_app, flask_test_client=login_as(username))

    return make


def test_node_key_is_checked(media_app: Any) -> None:
    wrong = socketio.test_client(
        media_app, namespace="/media", auth={"node_id": "n1", "key": "nope"}
    )
    assert not wrong.is_connected("/media")
    right = socketio.test_client(
        media_app, namespace="/media", auth={"node_id": "n1", "key": "node-secret"}
    )
    assert right.is_connected("/media")
    assert nodes.registry.by_sid(next(iter(nodes.registry._sids))) is not None
    ack = right.emit(
        "node.register",
        {"protocol": 1, "node_id": "n1", "units": [], "peers": [], "meetings": []},
        namespace="/media",
        callback=True,
    )
    assert ack == {"ok": True, "data": {}}
    assert [n.node_id for n in nodes.registry.all()] == ["n1"]
    bad = right.emit(
        "node.register", {"protocol": 9, "node_id": "n1"}, namespace="/media", callback=True
    )
    assert bad["ok"] is False
    right.disconnect(namespace="/media")
    assert nodes.registry.all() == []


def test_no_key_configured_refuses_every_node(seeded_url: str, tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path, seeded_url))
    client = socketio.test_client(app, namespace="/media", auth={"node_id": "n1", "key": ""})
    assert not client.is_connected("/media")


def test_turn_credentials_follow_the_coturn_scheme() -> None:
    cred = turn_credentials("s3cret", "42", 600, now=1_000_000)
    assert cred["username"] == "1000600:42"
    expected = base64.b64encode(hmac.new(b"s3cret", b"1000600:42", hashlib.sha1).digest()).decode()
    assert cred["credential"] == expected
    assert ice_servers((), "s", "1", 60) == []
    assert ice_servers(("turn:x",), None, "1", 60) == []  # TURN without a secret is useless


def test_ice_servers_route(media_app: Any, login_as: Any) -> None:
    room = make_room(media_app)
    url = f"/api/meetings/{room.meeting_id}/conference/ice-servers"
    body = login_as("bridge").get(url).get_json()
    stun, turn = body["ice_servers"]
    assert stun == {"urls": ["stun:stun.hanam.example:3478"]}
    expiry, user = turn["username"].split(":")
    assert int(expiry) > time.time() + 3000 and user.isdigit()
    assert body["ttl"] == 3600
    refused = login_as("delegate01").get(url)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "permission_denied"


def test_recordings_for_secretary_only(media_app: Any, login_as: Any, tmp_path: Path) -> None:
    room = make_room(media_app)
    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / f"m{room.meeting_id}-r20261130T090000.webm").write_bytes(b"\x1a\x45\xdf\xa3data")
    (folder / f"m{room.meeting_id + 1000}-r1.webm").write_bytes(b"other meeting")
    base = f"/api/meetings/{room.meeting_id}/recordings"
    secretary = login_as("secretary")
    listed = secretary.get(base).get_json()["recordings"]
    assert [r["recording_id"] for r in listed] == ["r20261130T090000"]
    assert listed[0]["bytes"] == 8 and listed[0]["in_progress"] is False
    file = secretary.get(f"{base}/r20261130T090000")
    assert file.status_code == 200 and file.data.startswith(b"\x1a\x45\xdf\xa3")
    assert file.mimetype == "video/webm" and "attachment" in file.headers["Content-Disposition"]
    assert secretary.get(f"{base}/r1").status_code == 404
    assert secretary.get(f"{base}/..%2Fsecret_key").status_code == 404
    assert login_as("bridge").get(base).status_code == 403
    assert login_as("delegate01").get(f"{base}/r20261130T090000").status_code == 403


def test_join_without_a_node_and_who_may_join(media_app: Any, socket_for: Any) -> None:
    room = make_room(media_app)
    offer = {"type": "offer", "sdp": "v=0\r\n"}
    payload = {"meeting_id": room.meeting_id, "offer": offer}
    bridge = socket_for("bridge")
    assert ack_error(bridge.emit("conference.join", payload, callback=True)) == "unavailable"
    delegate = socket_for("delegate01")
    assert (
        ack_error(delegate.emit("conference.join", payload, callback=True)) == "permission_denied"
    )
    # The conference part is for those who may join it; a delegate's is null.
    snap = delegate.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)["data"]
    assert snap["conference"] is None
    snap = bridge.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)["data"]
    conf = snap["conference"]
    assert conf["node"] == {"available": False, "node_id": None} and conf["on_air"] is None
    assert {s["unit_id"] for s in conf["sites"]} >= set(room.commune_ids)
    assert all(s["state"] == "offline" for s in conf["sites"])
