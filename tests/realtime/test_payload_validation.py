"""The protocol contract is enforced where payloads leave the server: every event (all emit
paths) and every ack's `data` is checked against its declared schema, and a violation
fails the test that caused it (tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from meetings.events import contract
from meetings.events.catalogue import EVENTS, meeting_room
from meetings.realtime import load_commands
from meetings.realtime.events import emit_event
from meetings.realtime.registry import COMMANDS
from meetings.realtime.snapshot import snapshot_schema
from meetings.services.room import attendance
from meetings.services.room import speakers as speaker_service
from tests.conftest import fail_on_violations
from tests.realtime.room import Room, ack_ok

ROOT = Path(__file__).resolve().parents[2]


def _delegate_runs(as_role: Any, room: Room, command: str) -> Any:
    return ack_ok(as_role("delegate").emit(command, {"meeting_id": room.meeting_id}, callback=True))


def _caught(fragment: str) -> None:
    """A violation naming `fragment` was recorded, and it would fail the test."""
    found = list(contract.VIOLATIONS)
    assert any(fragment in v for v in found), found
    with pytest.raises(pytest.fail.Exception):
        fail_on_violations()
    assert not contract.VIOLATIONS  # taken: this test itself passes


def test_an_extra_field_in_an_emitted_event_is_caught(
    room: Room, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = speaker_service.speakers_state
    monkeypatch.setattr(
        speaker_service, "speakers_state", lambda meeting: {**real(meeting), "surprise": 1}
    )
    _delegate_runs(as_role, room, "speaker.request")
    _caught("event speaker.updated")


def test_a_wrong_type_in_an_ack_is_caught(
    room: Room, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attendance, "checkin", lambda *_args: "yes")
    _delegate_runs(as_role, room, "attendance.checkin")
    _caught("ack of attendance.checkin")


def test_data_from_a_command_declared_without_data_is_caught(
    room: Room, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speaker_service, "withdraw", lambda *_args: None)
    handler = COMMANDS["speaker.withdraw"]
    monkeypatch.setitem(
        COMMANDS, "speaker.withdraw", handler.__class__(**{**vars(handler), "handler": _data})
    )
    delegate = as_role("delegate")
    body = {"meeting_id": room.meeting_id, "request_id": 1}
    ack_ok(delegate.emit("speaker.withdraw", body, callback=True))
    _caught("declared without data")


def _data(_ctx: Any, _body: Any) -> dict[str, int]:
    return {"unexpected": 1}


def test_direct_emits_are_checked_too(app: Any) -> None:
    room = meeting_room(1)
    with app.app_context():
        emit_event("no.such_event", {"meeting_id": 1, "version": 1, "data": {}}, to=room)
        _caught("not in the event catalogue")
        emit_event("annotation.laser", {"document_id": 3, "page": 0}, to=room)
        _caught("envelope")
        bad_version = {"meeting_id": 1, "version": "7", "data": EVENTS["meeting.updated"].example}
        emit_event("meeting.updated", bad_version, to=room)
        _caught("event meeting.updated envelope")
        emit_event("document.progress", {"upload_id": "u", "stage": "ready"}, to=room)
        _caught("event document.progress")


def test_every_emit_goes_through_the_checked_path() -> None:
    """Only events.py may emit (socketio.emit, server.emit...): any other call would skip
    the checks; events.emit_event is the way out."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "meetings").rglob("*.py")
        if path.name != "events.py" and re.search(r"\.emit\(", path.read_text())
    ]
    assert offenders == []


def _objects_allow_extras(schema: dict[str, Any]) -> list[str]:
    """Names of object schemas (with declared properties) that accept unknown fields."""
    loose = []
    for name, sub in [("(root)", schema), *schema.get("$defs", {}).items()]:
        if "properties" in sub and sub.get("additionalProperties") is not False:
            loose.append(name)
    return loose


def test_every_event_result_and_snapshot_schema_is_strict() -> None:
    load_commands()
    loose = {}
    for name, spec in EVENTS.items():
        loose[f"event {name}"] = _objects_allow_extras(spec.schema.model_json_schema())
    for name, cmd in COMMANDS.items():
        if cmd.result_schema is not None:
            schema = TypeAdapter(cmd.result_schema).json_schema()
            loose[f"result of {name}"] = _objects_allow_extras(schema)
    loose["snapshot"] = _objects_allow_extras(snapshot_schema().model_json_schema())
    assert {k: v for k, v in loose.items() if v} == {}


def test_every_command_declares_a_result_schema_not_prose() -> None:
    load_commands()
    for name, cmd in COMMANDS.items():
        assert not isinstance(cmd.result, str), f"{name}: result is free text"
        if cmd.result_schema is not None:
            TypeAdapter(cmd.result_schema).json_schema()  # a schema pydantic can render
