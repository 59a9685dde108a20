"""`idempotency_key` on any command: a retry after a lost ack gets the first answer back."""

from __future__ import annotations

import inspect
import os
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from meetings.app import create_app
from meetings.db import db
from meetings.models import AgendaItem, SpeakerRequest
from meetings.realtime import load_commands
from meetings.realtime.idempotency import CONNECTION_BOUND, KEY_FIELD, LocalStore, RedisStore
from meetings.realtime.registry import COMMANDS
from tests.conftest import login, make_config
from tests.realtime.room import Room, ack_error, ack_ok, clear, events, version


def key() -> str:
    return str(uuid.uuid4())


def count(app: Any, model: Any, meeting_id: int) -> int:
    with app.app_context():
        n = db.scalar(select(func.count()).select_from(model).where(model.meeting_id == meeting_id))
        db.remove()
    return int(n or 0)


def current_item(app: Any, meeting_id: int) -> int | None:
    with app.app_context():
        from meetings.models import Meeting

        value = db.scalar(select(Meeting.current_item_id).where(Meeting.id == meeting_id))
        db.remove()
    return value


def test_agenda_create_retried_creates_one_item(room: Room, as_role: Any, app: Any) -> None:
    sec = as_role("secretary")
    before = count(app, AgendaItem, room.meeting_id)
    payload = {"meeting_id": room.meeting_id, "title": "Mục mới", KEY_FIELD: key()}
    first = sec.emit("agenda.create", payload, callback=True)
    v = version(app, room.meeting_id)
    again = sec.emit("agenda.create", payload, callback=True)
    assert ack_ok(first)["id"] and again == first
    assert count(app, AgendaItem, room.meeting_id) == before + 1
    assert version(app, room.meeting_id) == v  # the retry emitted nothing
    # A new key is a new command.
    ack_ok(sec.emit("agenda.create", {**payload, KEY_FIELD: key()}, callback=True))
    assert count(app, AgendaItem, room.meeting_id) == before + 2


def test_agenda_next_retried_moves_once(room: Room, as_role: Any, app: Any) -> None:
    chair, delegate = as_role("chair"), as_role("delegate")
    ack_ok(delegate.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True))
    clear(delegate)
    payload = {"meeting_id": room.meeting_id, KEY_FIELD: key()}
    assert ack_ok(chair.emit("agenda.next", payload, callback=True)) is None
    moved_to = current_item(app, room.meeting_id)
    assert moved_to == room.sub_item_id
    assert chair.emit("agenda.next", payload, callback=True) == {"ok": True, "data": None}
    assert current_item(app, room.meeting_id) == moved_to
    assert len(events(delegate, "agenda.updated")) == 1


def test_speaker_request_retried_is_not_a_conflict(room: Room, as_role: Any, app: Any) -> None:
    delegate = as_role("delegate")
    payload = {"meeting_id": room.meeting_id, "topic": "Ngân sách", KEY_FIELD: key()}
    before = count(app, SpeakerRequest, room.meeting_id)
    first = ack_ok(delegate.emit("speaker.request", payload, callback=True))
    assert ack_ok(delegate.emit("speaker.request", payload, callback=True)) == first
    assert count(app, SpeakerRequest, room.meeting_id) == before + 1
    # Without the key, the second request is the documented conflict.
    plain = {"meeting_id": room.meeting_id, "topic": "Ngân sách"}
    assert ack_error(delegate.emit("speaker.request", plain, callback=True)) == "conflict"


def test_same_key_from_another_person_is_their_own_command(
    room: Room, as_role: Any, app: Any
) -> None:
    shared = key()
    payload = {"meeting_id": room.meeting_id, "topic": "Ý kiến", KEY_FIELD: shared}
    mine = ack_ok(as_role("delegate").emit("speaker.request", payload, callback=True))
    theirs = ack_ok(as_role("observer").emit("speaker.request", payload, callback=True))
    assert mine["id"] != theirs["id"]
    assert theirs["user_id"] == room.users["delegate02"] != mine["user_id"]


@pytest.mark.parametrize("bad", [5, "", "x" * 65, "có dấu", None, ["k"]])
def test_invalid_key_is_invalid_payload_and_changes_nothing(
    room: Room, as_role: Any, app: Any, bad: Any
) -> None:
    chair = as_role("chair")
    v = version(app, room.meeting_id)
    ack = chair.emit("agenda.next", {"meeting_id": room.meeting_id, KEY_FIELD: bad}, callback=True)
    assert ack_error(ack) == "invalid_payload"
    assert KEY_FIELD in ack["error"]["message"]
    assert version(app, room.meeting_id) == v


def test_payload_stays_strict_with_a_key(room: Room, as_role: Any, app: Any) -> None:
    chair = as_role("chair")
    v = version(app, room.meeting_id)
    bad = {"meeting_id": room.meeting_id, "extra": 1, KEY_FIELD: key()}
    assert ack_error(chair.emit("agenda.next", bad, callback=True)) == "invalid_payload"
    assert version(app, room.meeting_id) == v


def test_error_answers_are_replayed_but_retry_of_join_on_new_connection_runs(
    room: Room, as_role: Any, socket_for: Any
) -> None:
    chair = as_role("chair")
    k = key()
    first = chair.emit(
        "agenda.previous", {"meeting_id": room.meeting_id, KEY_FIELD: k}, callback=True
    )
    assert ack_error(first) == "conflict"  # the first item is current
    ack_ok(chair.emit("agenda.next", {"meeting_id": room.meeting_id}, callback=True))
    # The same key still answers what it answered first, though the command would now work.
    again = chair.emit(
        "agenda.previous", {"meeting_id": room.meeting_id, KEY_FIELD: k}, callback=True
    )
    assert again == first
    # meeting.join is bound to its connection: the same key on a new socket joins it.
    join = {"meeting_id": room.meeting_id, KEY_FIELD: key()}
    old = socket_for("delegate01")
    ack_ok(old.emit("meeting.join", join, callback=True))
    new = socket_for("delegate01")
    ack_ok(new.emit("meeting.join", join, callback=True))
    clear(new)
    ack_ok(chair.emit("agenda.next", {"meeting_id": room.meeting_id}, callback=True))
    assert events(new, "agenda.updated"), "the retried join did not join the new connection"


def test_connection_bound_list_covers_every_handler_that_uses_the_connection() -> None:
    load_commands()
    bound = {
        name
        for name, cmd in COMMANDS.items()
        if any(
            word in inspect.getsource(cmd.handler)
            for word in ("ctx.sid", "join_room", "run_join", "run_leave")
        )
    }
    assert bound, "the source scan found nothing"
    assert bound <= CONNECTION_BOUND


def test_no_command_schema_uses_the_key_name() -> None:
    load_commands()
    assert [n for n, c in COMMANDS.items() if KEY_FIELD in c.schema.model_fields] == []


def test_local_store_is_bounded_in_bytes() -> None:
    shelf = LocalStore(max_bytes=10_000)
    for i in range(1000):
        assert shelf.claim(f"1:agenda.next:{i}") is None
        shelf.put(f"1:agenda.next:{i}", '{"ok": true, "data": null}' + " " * 50)
    assert shelf.size_bytes <= 10_000
    assert shelf.peek("1:agenda.next:999") is not None  # the newest are kept
    assert shelf.peek("1:agenda.next:0") is None  # the oldest went


REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")
def test_retry_reaching_another_worker_gets_the_first_answer(
    room: Room, seeded_url: str, tmp_path: Any
) -> None:
    """Two app instances (two workers) sharing Redis, as with a message queue."""
    from meetings.extensions import socketio

    assert REDIS_URL is not None
    workers = [create_app(make_config(tmp_path / str(i), seeded_url)) for i in range(2)]
    sockets = []
    for worker in workers:
        worker.extensions["idempotency"] = RedisStore(REDIS_URL)
        http = worker.test_client()
        login(http, "secretary")
        sockets.append(socketio.test_client(worker, flask_test_client=http))
    try:
        payload = {"meeting_id": room.meeting_id, "title": "Qua hai máy", KEY_FIELD: key()}
        before = count(workers[0], AgendaItem, room.meeting_id)
        first = ack_ok(sockets[0].emit("agenda.create", payload, callback=True))
        assert ack_ok(sockets[1].emit("agenda.create", payload, callback=True)) == first
        assert count(workers[0], AgendaItem, room.meeting_id) == before + 1
    finally:
        for sc in sockets:
            sc.disconnect()


def test_retry_overtaking_the_first_try_waits_then_reports_in_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from meetings.realtime import idempotency

    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    shelf = LocalStore()
    assert idempotency._claim(shelf, "s") is None  # the first try runs
    assert idempotency._claim(shelf, "s") == idempotency.PENDING  # still running: give up
    shelf.put("s", '{"ok": true, "data": 1}')
    assert idempotency._claim(shelf, "s") == '{"ok": true, "data": 1}'
    # A first try that failed transiently lets go: the waiting retry takes the slot.
    assert idempotency._claim(shelf, "t") is None
    shelf.release("t")
    assert idempotency._claim(shelf, "t") is None
