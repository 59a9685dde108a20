"""Idempotency keys: a retried command gets its first answer instead of running twice.

A tablet whose ack was lost (Wi-Fi drop, worker restart) cannot know whether its command
ran. It may add `idempotency_key` to ANY command's payload; a repeat with the same key by
the same person, for the same command, within WINDOW_SECONDS gets the first answer back and
changes nothing. The key is removed before the command's own schema validates, so payloads
stay strict.

Where answers live: in Redis when the server runs with a message queue, because a retry
after a reconnect may reach another worker (sticky sessions bind a connection, not a
person); otherwise in this process, bounded in bytes. Not in the database: the answer must
be readable while the database is the thing that failed, and the rows would need purging.
If Redis is unreachable the command simply runs (as it would without a key).

Connection-bound commands (joining rooms, WebRTC signalling) are keyed per connection too:
a retry from a new connection must run again, or that connection would never be joined.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol

import redis
from flask import current_app

from meetings.auth import current_user
from meetings.errors import AppError, conflict

log = logging.getLogger(__name__)

KEY_FIELD = "idempotency_key"
KEY_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
WINDOW_SECONDS = 600  # longer than any reconnect a tablet sits through
WAIT_SECONDS = 10.0  # a retry that overtakes the first try waits this long for its answer
MAX_ANSWER_BYTES = 256 * 1024  # larger answers come from reads (snapshots): not kept
MAX_LOCAL_BYTES = 16 * 1024 * 1024
# Answers a retry must not get back: the next try may well succeed.
TRANSIENT = frozenset({"internal_error", "unavailable", "not_authenticated"})
# Commands whose effect belongs to the connection (a room joined, a WebRTC peer).
CONNECTION_BOUND = frozenset(
    {
        "meeting.join",
        "meeting.leave",
        "conference.join",
        "conference.candidate",
        "conference.report",
        "conference.state",
        "annotation.laser",
    }
)
PENDING = "pending"

Ack = dict[str, Any]
Dispatch = Callable[[str, Any, str | None], Ack]


class Store(Protocol):
    def claim(self, slot: str) -> str | None:
        """Take the slot (None) or return what it holds: PENDING or a stored answer."""

    def peek(self, slot: str) -> str | None: ...

    def put(self, slot: str, answer: str) -> None: ...

    def release(self, slot: str) -> None: ...


class LocalStore:
    """One process's answers, oldest first; expired or over-budget entries are dropped."""

    def __init__(self, max_bytes: int = MAX_LOCAL_BYTES) -> None:
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._bytes = 0
        self._max = max_bytes
        self._lock = threading.Lock()

    def _drop(self, slot: str) -> None:
        _, value = self._items.pop(slot)
        self._bytes -= len(value) + len(slot)

    def _set(self, slot: str, value: str) -> None:
        if slot in self._items:
            self._drop(slot)
        self._items[slot] = (time.monotonic() + WINDOW_SECONDS, value)
        self._bytes += len(value) + len(slot)
        while self._items:
            oldest, (expires, _) = next(iter(self._items.items()))
            if expires > time.monotonic() and self._bytes <= self._max:
                break
            self._drop(oldest)

    def peek(self, slot: str) -> str | None:
        with self._lock:
            found = self._items.get(slot)
            if found is None or found[0] <= time.monotonic():
                return None
            return found[1]

    def claim(self, slot: str) -> str | None:
        with self._lock:
            found = self._items.get(slot)
            if found is not None and found[0] > time.monotonic():
                return found[1]
            self._set(slot, PENDING)
            return None

    def put(self, slot: str, answer: str) -> None:
        with self._lock:
            self._set(slot, answer)

    def release(self, slot: str) -> None:
        with self._lock:
            if slot in self._items:
                self._drop(slot)

    @property
    def size_bytes(self) -> int:
        return self._bytes


class RedisStore:
    """Answers shared by every worker; Redis expires them."""

    PREFIX = "phs:idem:"

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def claim(self, slot: str) -> str | None:
        key = self.PREFIX + slot
        if self._redis.set(key, PENDING, nx=True, ex=WINDOW_SECONDS):
            return None
        return self.peek(slot) or PENDING

    def peek(self, slot: str) -> str | None:
        value = self._redis.get(self.PREFIX + slot)
        return value.decode() if isinstance(value, bytes) else None

    def put(self, slot: str, answer: str) -> None:
        self._redis.set(self.PREFIX + slot, answer, ex=WINDOW_SECONDS)

    def release(self, slot: str) -> None:
        self._redis.delete(self.PREFIX + slot)


def store() -> Store:
    """This app's store: Redis when a message queue is configured, else in-process."""
    found: Store | None = current_app.extensions.get("idempotency")
    if found is None:
        url = current_app.config["APP_CONFIG"].redis_url
        found = RedisStore(url) if url else LocalStore()
        current_app.extensions["idempotency"] = found
    return found


def _refusal(err: AppError) -> Ack:
    return {"ok": False, "error": err.body()["error"]}


def _claim(shelf: Store, slot: str) -> str | None:
    """None: the slot is ours, run the command. Else the first answer, or PENDING if the
    first try is still running after WAIT_SECONDS."""
    first = shelf.claim(slot)
    deadline = time.monotonic() + WAIT_SECONDS
    while first == PENDING and time.monotonic() < deadline:
        time.sleep(0.05)
        first = shelf.peek(slot)
        if first is None:  # the first try failed transiently and let go: try to run
            first = shelf.claim(slot)
    return first


def _replay(name: str, payload: Any, sid: str | None, run: Dispatch) -> Ack:
    key = payload.get(KEY_FIELD)
    body = {k: v for k, v in payload.items() if k != KEY_FIELD}
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        return _refusal(
            AppError(
                "invalid_payload",
                f"Dữ liệu không hợp lệ: {KEY_FIELD} phải là chuỗi 1–64 ký tự [A-Za-z0-9._:-].",
            )
        )
    try:
        user = current_user()
    except Exception:  # the database is down: the dispatcher answers that
        return run(name, body, sid)
    if user is None:
        return run(name, body, sid)
    scope = f"{sid}:" if name in CONNECTION_BOUND else ""
    slot = f"{user.id}:{name}:{scope}{key}"
    shelf = store()
    try:
        first = _claim(shelf, slot)
    except redis.RedisError:
        log.warning("idempotency store unreachable; running %s without it", name)
        return run(name, body, sid)
    if first == PENDING:
        return _refusal(
            conflict("Yêu cầu trước với cùng mã vẫn đang được xử lý.", "request_in_progress")
        )
    if first is not None:
        replayed: Ack = json.loads(first)
        return replayed
    try:
        answer = run(name, body, sid)
    except BaseException:
        shelf.release(slot)
        raise
    try:
        code = None if answer.get("ok") else answer.get("error", {}).get("code")
        text = json.dumps(answer, ensure_ascii=False, default=str)
        if code in TRANSIENT or len(text) > MAX_ANSWER_BYTES:
            shelf.release(slot)
        else:
            shelf.put(slot, text)
    except redis.RedisError:
        log.warning("idempotency store unreachable; answer of %s not kept", name)
    return answer


def idempotent(dispatch: Dispatch) -> Dispatch:
    """Wrap the command dispatcher; payloads without a key pass straight through."""

    @wraps(dispatch)
    def wrapped(name: str, payload: Any, sid: str | None) -> Ack:
        if not isinstance(payload, dict) or KEY_FIELD not in payload:
            return dispatch(name, payload, sid)
        return _replay(name, payload, sid, dispatch)

    return wrapped
