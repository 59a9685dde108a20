from __future__ import annotations

import ast
import enum
import importlib
import pkgutil
from pathlib import Path

from meetings import models
from meetings.errors import CONFLICT_REASONS, ERROR_CODES
from meetings.permissions import Perm
from meetings.realtime.events import EVENTS
from meetings.realtime.protocol_doc import render
from meetings.realtime.protocol_sections import DIRECT_DELIVERY, ENUMS
from meetings.realtime.registry import COMMANDS

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


def _direct_emits() -> set[str]:
    """Event names passed as a literal to socketio.emit(...) anywhere in meetings/."""
    names = set()
    for path in (DOC.parent.parent / "meetings").rglob("*.py"):
        for call in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "emit"
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == "socketio"
                and call.args
                and isinstance(call.args[0], ast.Constant)
            ):
                names.add(str(call.args[0].value))
    return names


def test_every_direct_emit_says_who_receives_it() -> None:
    """Events that bypass the outbox have no room rule of their own: the doc must say."""
    render()
    direct = _direct_emits()
    assert direct, "the scan found no direct emit"
    assert direct == set(DIRECT_DELIVERY)
    assert direct <= set(EVENTS)


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
