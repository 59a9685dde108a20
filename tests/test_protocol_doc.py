from __future__ import annotations

from pathlib import Path

from meetings.realtime.protocol_doc import render
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
