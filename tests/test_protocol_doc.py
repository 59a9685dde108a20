from __future__ import annotations

import ast
import enum
import importlib
import json
import pkgutil
from pathlib import Path

from pydantic import TypeAdapter

from meetings import models
from meetings.errors import CONFLICT_REASONS, ERROR_CODES
from meetings.events.catalogue import EVENTS
from meetings.models.polls import PollStatus
from meetings.permissions import Perm
from meetings.realtime import load_commands
from meetings.realtime.protocol_doc import render
from meetings.realtime.protocol_sections import DIRECT_DELIVERY, ENUMS
from meetings.realtime.registry import COMMANDS
from meetings.realtime.snapshot import snapshot_schema

DOC = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"


def test_protocol_doc_matches_registry() -> None:
    expected = render()
    assert DOC.read_text("utf-8") == expected, (
        "docs/protocol.md is stale: run "
        "`.venv/bin/python -m meetings.realtime.protocol_doc > docs/protocol.md`"
    )


def test_every_command_is_documented_with_permission_and_example() -> None:
    text = DOC.read_text("utf-8")
    assert COMMANDS, "no commands registered"
    for name, cmd in COMMANDS.items():
        assert f"### `{name}`" in text
        assert cmd.summary and cmd.example is not None


ENVELOPE_KEYS = {"meeting_id", "version", "data"}


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text" assignments (event names kept in constants)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _dict_keys(node: ast.expr, scope: ast.AST) -> set[str] | None:
    """Keys of a dict literal, or of the dict literal last assigned to that name in scope."""
    if isinstance(node, ast.Name):
        assigned = [
            a.value
            for a in ast.walk(scope)
            if isinstance(a, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == node.id for t in a.targets)
        ]
        node = assigned[-1] if assigned else node
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant)}
    return None


def _is_emit(call: ast.Call) -> bool:
    """socketio.emit / server.emit, or a helper named emit_event."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr in ("emit", "emit_event")
    return isinstance(func, ast.Name) and func.id == "emit_event"


def _direct_emits() -> dict[str, set[str] | None]:
    """Events emitted by name outside the outbox anywhere in meetings/: name -> payload keys."""
    emits: dict[str, set[str] | None] = {}
    for path in (DOC.parent.parent / "meetings").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        constants = _string_constants(tree)
        for scope in ast.walk(tree):
            if not isinstance(scope, ast.FunctionDef):
                continue
            for call in ast.walk(scope):
                if not (isinstance(call, ast.Call) and len(call.args) >= 2 and _is_emit(call)):
                    continue
                first = call.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    name = first.value
                elif isinstance(first, ast.Name) and first.id in constants:
                    name = constants[first.id]
                else:
                    continue  # the outbox: names from the catalogue
                emits[name] = _dict_keys(call.args[1], scope)
    return emits


def test_every_direct_emit_says_who_receives_it_and_uses_the_envelope() -> None:
    """Events that bypass the outbox have no room rule of their own: the doc must say who
    gets them, and they travel in the same envelope as every other event."""
    render()
    direct = _direct_emits()
    assert direct, "the scan found no direct emit"
    assert set(direct) == set(DIRECT_DELIVERY)
    assert set(direct) <= set(EVENTS)
    assert {name: keys for name, keys in direct.items() if keys != ENVELOPE_KEYS} == {}


def test_every_model_enum_is_listed() -> None:
    listed = {kind for _, kind in ENUMS}
    found = {
        obj
        for module in pkgutil.iter_modules(models.__path__)
        for obj in vars(importlib.import_module(f"meetings.models.{module.name}")).values()
        if isinstance(obj, type)
        and issubclass(obj, enum.Enum)
        and obj.__module__.startswith("meetings.models")
    }
    assert found and found <= listed


def test_error_codes_reasons_roles_and_auth_are_documented() -> None:
    text = DOC.read_text("utf-8")
    for code in ERROR_CODES:
        assert f"| `{code}` |" in text, code
    for reason in CONFLICT_REASONS:
        assert f"| `{reason}` |" in text, reason
    for perm in Perm:
        assert f"`{perm.value}`" in text, perm
    for needle in ("GET /api/session", "X-CSRFToken", "/api/openapi.json", "idempotency_key"):
        assert needle in text, needle


def test_examples_parse_as_a_client_would() -> None:
    """Each documented example is valid against its schema strictly, as JSON on the wire."""
    load_commands()
    for name, spec in EVENTS.items():
        assert TypeAdapter(spec.schema).validate_json(json.dumps(spec.example), strict=True), name


def test_poll_event_examples_carry_the_statuses_the_server_sends() -> None:
    load_commands()
    examples = {n: s.example["poll"]["status"] for n, s in EVENTS.items() if "poll" in s.example}
    assert examples == {
        "poll.created": "draft",
        "poll.updated": "draft",
        "poll.opened": "open",
        "poll.closed": "closed",
        "poll.published": "published",
        "poll.cancelled": "cancelled",
        "poll.hidden": "published",
    }
    assert set(examples.values()) <= {s.value for s in PollStatus}


def test_results_and_snapshot_are_documented_with_schemas() -> None:
    text = DOC.read_text("utf-8")
    assert "## Snapshot" in text and '"my_permissions"' in text and '"drafts"' in text
    for name, cmd in COMMANDS.items():
        section = text.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        assert "Result" in section, name
        if cmd.result_schema is not None and cmd.result is not snapshot_schema:
            assert "Result (`data`) schema:" in section, name
