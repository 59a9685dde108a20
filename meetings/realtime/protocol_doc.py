"""Generate docs/protocol.md from the command registry and event catalogue.

    python -m meetings.realtime.protocol_doc > docs/protocol.md

A test compares the file with this output, so the document cannot drift from the code.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from meetings.events.catalogue import EVENTS
from meetings.realtime import load_commands, protocol_sections
from meetings.realtime.registry import COMMANDS, COMMON_ERRORS, Command
from meetings.realtime.snapshot import PART_SCHEMAS, snapshot_schema

INTRO = """\
# Giao thức thời gian thực — Real-time protocol

_Generated from the command registry by `python -m meetings.realtime.protocol_doc`;
`tests/test_protocol_doc.py` fails when this file and the code disagree._

## Connection

- Socket.IO (Engine.IO v4) at path `/socket.io`, default namespace, same origin as the web
  page. The connection is authenticated by the session cookie set by `POST /api/auth/login`
  (see [Authentication](#authentication-for-clients-that-are-not-browsers)); without a valid
  session the server refuses the connection (`connect_error` with message
  `not_authenticated`).
- The browser client is the npm package `socket.io-client`, served at
  `/vendor/socket.io-client/dist/socket.io.esm.min.js`.
- REST (login, meetings, documents, uploads, exports) is described by the OpenAPI 3
  document the server serves at [`/api/openapi.json`](/api/openapi.json). Its errors use
  the same codes as the commands, in `{"error": {"code", "message", "details"?}}` with the
  HTTP status of the [error table](#error-codes).

## Commands

A client sends a command as a Socket.IO event named `<collection>.<verb>` with one JSON
object as payload, and always asks for an acknowledgement. Every command is answered:

```json
{"ok": true, "data": <result>}
{"ok": false, "error": {"code": "permission_denied", "message": "…"}}
```

Payloads are validated strictly: unknown fields, wrong types (no coercion: `"1"` is not an
integer) and over-long strings are `invalid_payload`. `message` is Vietnamese and meant for
logs; clients translate `code`. Commands on a meeting the person has no part in answer
`not_found`, so meeting ids reveal nothing. An unknown command name answers `unknown_command`.

Errors every command may return: {common}.

## Events, versions and snapshots

Server events are named `<collection>.<op>` and reach the connections that joined the
meeting with `meeting.join` (some only part of them: see
[who receives which event](#who-receives-which-event)). Each carries an envelope:

```json
{"meeting_id": 1, "version": 42, "data": <payload>}
```

`version` is the meeting's state version, which grows by one with every change and is
committed before the event is sent. A client keeps the version of its last snapshot or
event. When an event arrives with `version > last + 1`, the client missed something (Wi-Fi
drop, reconnect) and sends `meeting.snapshot` to get the full state; events with
`version <= last` are stale and ignored. After a reconnect a client sends `meeting.join`
again (room membership does not survive a reconnect) and replaces its state with the
snapshot it gets back.
"""


# Nested models are written once, in "Schema definitions" at the end of the document, and
# referred to as {"$ref": "#/$defs/Name"}: inlined, the document ran to 20,000 lines.
_DEFS: dict[str, Any] = {}


def _schema(model: Any) -> str:
    """A model or any type pydantic knows (`Model | None`, `list[Model]`)."""
    schema = TypeAdapter(model).json_schema()
    defs = schema.get("$defs", {})
    if all(_DEFS.get(name, body) == body for name, body in defs.items()):
        _DEFS.update(defs)
        schema.pop("$defs", None)
    # else: two different models share a name; this schema keeps its own copies
    return json.dumps(schema, ensure_ascii=False, indent=2)


def _definitions() -> list[str]:
    out = [
        "## Schema definitions\n",
        'The models the schemas above refer to as `{"$ref": "#/$defs/<Name>"}`.\n',
    ]
    for name in sorted(_DEFS):
        body = json.dumps(_DEFS[name], ensure_ascii=False, indent=2)
        out += [f"### `{name}`\n", "```json\n" + body + "\n```\n"]
    return out


def _result(cmd: Command) -> list[str]:
    """The schema of the ack's `data`; payload checks in the tests hold the server to it."""
    if cmd.result is snapshot_schema:
        return ["Result (`data`): the full snapshot, see [Snapshot](#snapshot).\n"]
    if cmd.result_schema is None:
        return ["Result: no data (`data` is `null`).\n"]
    return ["Result (`data`) schema:\n", "```json\n" + _schema(cmd.result_schema) + "\n```\n"]


# How each event changes a client's copy of the snapshot (by top-level part).
SNAPSHOT_EFFECTS = {
    "meeting.updated": "`meeting`: replace every field but `my_role` and `my_permissions`",
    "agenda.updated": "`agenda`: replace (`op` only says what changed)",
    "attendance.updated": "`attendance`: replace",
    "speaker.updated": "`speakers`: replace",
    "poll.created": "`poll.drafts`: add (managers only)",
    "poll.updated": "`poll.drafts`: replace the draft with this `id`",
    "poll.deleted": "`poll.drafts`: remove the draft with this `poll_id`",
    "poll.opened": "`poll.current`: this poll (remove it from `drafts`); its `me` comes "
    "with `poll.get`",
    "poll.progress": "`poll.current`: `voted_count`, `eligible_count`, `quorum`, `running_tally`",
    "poll.closed": "`poll.current`: replace if the same `id` (keep `me`)",
    "poll.published": "`poll.current`: replace if the same `id` (keep `me`)",
    "poll.cancelled": "`poll.current`: replace if the same `id` (keep `me`)",
    "poll.hidden": "`poll.current`: replace if the same `id` (keep `me`); off the screens",
    "presenter.changed": "`presenter`: replace with `data.presenter`",
    "annotation.created": "`shared_marks`: add `data.annotation` (if null: fetch a snapshot)",
    "annotation.deleted": "`shared_marks`: remove the mark with this `id`",
    "annotation.cleared": "`shared_marks`: remove the marks listed in `ids`",
    "conference.updated": "`conference`: replace",
}


def _snapshot_section() -> list[str]:
    parts = ", ".join(f"`{name}`" for name in sorted(PART_SCHEMAS))
    out = [
        "## Snapshot\n",
        "`meeting.join` and `meeting.snapshot` answer the whole state of the meeting as this "
        f"person may see it: `meeting_id`, `version` and one part per domain ({parts}). "
        "`meeting.my_role`/`my_permissions`, `poll.current.me` and `poll.drafts` depend on "
        "who asks. Events then change the copy as below; any other event is not part of the "
        "snapshot.\n",
        "| Event | Effect on the snapshot |\n|---|---|",
    ]
    out += [f"| `{name}` | {effect} |" for name, effect in SNAPSHOT_EFFECTS.items()]
    out += ["", "Snapshot schema:\n", "```json\n" + _schema(snapshot_schema()) + "\n```\n"]
    return out


def _block(value: Any) -> str:
    return "```json\n" + json.dumps(value, ensure_ascii=False, indent=2) + "\n```"


def render() -> str:
    load_commands()
    _DEFS.clear()
    common = ", ".join(f"`{c}`" for c in COMMON_ERRORS)
    out = [INTRO.replace("{common}", common)]
    out.append(protocol_sections.authentication())
    out.append(protocol_sections.idempotency_section())
    out.append(protocol_sections.delivery())
    out.append(protocol_sections.enums())
    out.append(protocol_sections.roles())
    out.append("## Command index\n")
    out.append("| Command | Permission | Summary |\n|---|---|---|")
    for name in sorted(COMMANDS):
        cmd = COMMANDS[name]
        out.append(
            f"| [`{name}`](#{name.replace('.', '')}) | `{cmd.permission.value}` | {cmd.summary} |"
        )
    out.append("")
    for name in sorted(COMMANDS):
        cmd = COMMANDS[name]
        errors = ", ".join(f"`{e}`" for e in cmd.all_errors)
        out.append(f"### `{name}`\n")
        out.append(f"{cmd.summary}\n")
        out.append(f"- Permission: `{cmd.permission.value}`")
        out.append(f"- Errors: {errors}")
        out.append("\nPayload schema:\n")
        out.append("```json\n" + _schema(cmd.schema) + "\n```\n")
        out.append("Example:\n")
        out.append(_block(cmd.example) + "\n")
        out.extend(_result(cmd))
    out.append("## Events\n")
    for name in sorted(EVENTS):
        spec = EVENTS[name]
        out.append(f"### `{name}`\n")
        out.append(f"{spec.summary}\n")
        if spec.audience is not None:
            out.append(
                f"Sent only to people holding `{spec.audience.value}`, without a version "
                "(`version` is `null`); a client that missed one gets the state back in the "
                "snapshot of its next `meeting.join`.\n"
            )
        out.append("`data` schema:\n")
        out.append("```json\n" + _schema(spec.schema) + "\n```\n")
        out.append("Example envelope:\n")
        unversioned = spec.audience is not None or name in protocol_sections.DIRECT_DELIVERY
        version = None if unversioned or not spec.meeting_scoped else 42
        meeting_id = 1 if spec.meeting_scoped else None
        envelope = {"meeting_id": meeting_id, "version": version, "data": spec.example}
        out.append(_block(envelope) + "\n")
    out.extend(_snapshot_section())
    out.append(protocol_sections.error_tables())
    out.extend(_definitions())
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
