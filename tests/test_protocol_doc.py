from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from meetings.models.polls import PollStatus
from meetings.realtime import load_commands
from meetings.realtime.events import EVENTS
from meetings.realtime.protocol_doc import render
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
