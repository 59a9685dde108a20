"""The `/media` namespace: media nodes dial in, register, take orders and report events.

A node connects with `auth = {"node_id", "key"}`; the key is compared with
`MEDIA_NODE_KEY` in constant time and a wrong key refuses the connection. On every
(re)connect the node sends `node.register` with a full snapshot; the conference module
reconciles against it in a background task (after the ack, so the node is free to take
orders). Orders go out with `socketio.call()` and come back as
`{"ok": true, "data"}` / `{"ok": false, "error": {code, message}}` (docs/media-control.md).

The registry is a dict in this process (see the package docstring).
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from media.protocol import REGISTER_EVENT, STATUS_EVENTS
from meetings.config import Config
from meetings.extensions import socketio

log = logging.getLogger(__name__)

NAMESPACE = "/media"
PROTOCOL_VERSION = 1
ORDER_TIMEOUT = 10.0
_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")

# node -> web events handled by the conference module: name -> fn(node_id, payload)
NodeEventHandler = Callable[[str, dict[str, Any]], None]
NODE_EVENTS: dict[str, NodeEventHandler] = {}
# fn(node_id, snapshot) after a (re)registration; fn(node_id) when a node's link drops
REGISTER_HANDLERS: list[Callable[[str, dict[str, Any]], None]] = []
LOST_HANDLERS: list[Callable[[str], None]] = []


class NodeError(Exception):
    """An order failed: the node's error code, or `unavailable` / `timeout` from here."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Node:
    node_id: str
    sid: str
    units: tuple[str, ...] = ()
    registered: bool = False
    connected_at: float = field(default_factory=time.time)

    def serves(self, unit_code: str) -> bool:
        return not self.units or unit_code in self.units


class NodeRegistry:
    """Connected nodes of this web worker, by node id and by Socket.IO sid."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._nodes: dict[str, Node] = {}
        self._sids: dict[str, str] = {}

    def connected(self, sid: str, node_id: str) -> None:
        with self._lock:
            old = self._nodes.get(node_id)
            if old is not None:  # the same node came back before its old link timed out
                self._sids.pop(old.sid, None)
            self._nodes[node_id] = Node(node_id=node_id, sid=sid)
            self._sids[sid] = node_id

    def registered(self, sid: str, units: list[str]) -> Node | None:
        with self._lock:
            node = self.by_sid(sid)
            if node is not None:
                node.units = tuple(units)
                node.registered = True
            return node

    def disconnected(self, sid: str) -> Node | None:
        """Forget the link; returns the node only if this sid was its current link."""
        with self._lock:
            node_id = self._sids.pop(sid, None)
            node = self._nodes.get(node_id) if node_id else None
            if node is None or node.sid != sid:
                return None
            del self._nodes[node.node_id]
            return node

    def by_sid(self, sid: str) -> Node | None:
        node_id = self._sids.get(sid)
        return self._nodes.get(node_id) if node_id else None

    def get(self, node_id: str | None) -> Node | None:
        node = self._nodes.get(node_id) if node_id else None
        return node if node is not None and node.registered else None

    def all(self) -> list[Node]:
        return [n for n in self._nodes.values() if n.registered]

    def choose(self, unit_codes: list[str]) -> Node | None:
        """A node for a meeting: one naming the first unit it can, else one serving all."""
        nodes = sorted(self.all(), key=lambda n: n.connected_at)
        for code in unit_codes:
            for node in nodes:
                if code in node.units:
                    return node
        for node in nodes:
            if not node.units:
                return node
        return None

    def clear(self) -> None:
        with self._lock:
            self._nodes.clear()
            self._sids.clear()


registry = NodeRegistry()


def call(
    node_id: str | None, order: str, payload: dict[str, Any], timeout: float = ORDER_TIMEOUT
) -> Any:
    """Send an order and wait for its ack; returns `data` or raises NodeError."""
    node = registry.get(node_id)
    if node is None:
        raise NodeError("unavailable", f"media node {node_id} is not connected")
    try:
        ack = socketio.call(order, payload, to=node.sid, namespace=NAMESPACE, timeout=timeout)
    except Exception as exc:  # python-socketio TimeoutError, or the link dropped
        log.warning("media order %s to %s failed: %r", order, node_id, exc)
        raise NodeError("timeout", f"{order}: no answer from {node_id}") from exc
    if not isinstance(ack, dict):
        raise NodeError("internal_error", f"{order}: malformed ack from {node_id}")
    if ack.get("ok"):
        return ack.get("data") or {}
    error = ack.get("error") or {}
    raise NodeError(str(error.get("code") or "internal_error"), str(error.get("message") or ""))


# --- node.register payload --------------------------------------------------------------


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")  # newer nodes may say more


class PeerInfo(_Loose):
    peer_id: str
    meeting_id: str
    state: str


class MeetingInfo(_Loose):
    meeting_id: str
    slots: dict[str, str | None] = Field(default_factory=dict)
    muted: list[str] = Field(default_factory=list)
    peers: list[str] = Field(default_factory=list)


class NodeRegister(_Loose):
    protocol: int
    node_id: str
    units: list[str] = Field(default_factory=list)
    peers: list[PeerInfo] = Field(default_factory=list)
    meetings: list[MeetingInfo] = Field(default_factory=list)
    recordings: dict[str, dict[str, Any]] = Field(default_factory=dict)


def _fail(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


def _sid() -> str:
    sid: str = request.sid  # type: ignore[attr-defined]
    return sid


@socketio.on("connect", namespace=NAMESPACE)  # type: ignore[misc]
def _on_connect(auth: Any = None) -> bool:
    config: Config = current_app.config["APP_CONFIG"]
    expected = config.media_node_key
    if not expected or not isinstance(auth, dict):
        log.warning("media node refused: no key configured or no auth")
        return False
    key, node_id = auth.get("key"), auth.get("node_id")
    if not isinstance(key, str) or not hmac.compare_digest(key.encode(), expected.encode()):
        log.warning("media node refused: wrong key")
        return False
    if not isinstance(node_id, str) or not _ID.match(node_id):
        log.warning("media node refused: bad node id")
        return False
    registry.connected(_sid(), node_id)
    log.info("media node %s connected", node_id)
    return True


@socketio.on("disconnect", namespace=NAMESPACE)  # type: ignore[misc]
def _on_disconnect(_reason: Any = None) -> None:
    node = registry.disconnected(_sid())
    if node is None:
        return
    log.warning("media node %s disconnected", node.node_id)
    for handler in LOST_HANDLERS:
        try:
            handler(node.node_id)
        except Exception:
            log.exception("node-lost handler failed")


@socketio.on(REGISTER_EVENT, namespace=NAMESPACE)  # type: ignore[misc]
def _on_register(payload: Any = None) -> dict[str, Any]:
    sid = _sid()
    node = registry.by_sid(sid)
    if node is None:
        return _fail("not_authenticated", "connect first")
    try:
        info = NodeRegister.model_validate(payload)
    except ValidationError as exc:
        return _fail("invalid_payload", str(exc.errors()[:1]))
    if info.protocol != PROTOCOL_VERSION:
        return _fail("invalid_payload", f"protocol {info.protocol} unsupported")
    if info.node_id != node.node_id:
        return _fail("invalid_payload", "node_id differs from the one in auth")
    registry.registered(sid, info.units)
    log.info("media node %s registered: %d peers", node.node_id, len(info.peers))
    snapshot = {**info.model_dump(), "received_at": time.monotonic()}
    for handler in REGISTER_HANDLERS:
        socketio.start_background_task(_run_register_handler, handler, node.node_id, snapshot)
    return {"ok": True, "data": {}}


def _run_register_handler(
    handler: Callable[[str, dict[str, Any]], None], node_id: str, snapshot: dict[str, Any]
) -> None:
    from meetings.db import db

    try:
        handler(node_id, snapshot)
    except Exception:
        log.exception("node-register handler failed")
    finally:
        db.remove()


def _event_handler(name: str) -> Callable[[Any], None]:
    def handle(payload: Any = None) -> None:
        node = registry.by_sid(_sid())
        handler = NODE_EVENTS.get(name)
        if node is None or not node.registered or handler is None or not isinstance(payload, dict):
            return
        try:
            handler(node.node_id, payload)
        except Exception:
            log.exception("media event %s failed", name)

    return handle


for _name in STATUS_EVENTS:
    socketio.on_event(_name, _event_handler(_name), namespace=NAMESPACE)
