"""Generate docs/protocol.md from the command registry and event catalogue.

    python -m meetings.realtime.protocol_doc > docs/protocol.md

A test compares the file with this output, so the document cannot drift from the code.
"""

from __future__ import annotations

import json
from typing import Any

from meetings.realtime import load_commands, protocol_sections
from meetings.realtime.events import EVENTS
from meetings.realtime.registry import COMMANDS, COMMON_ERRORS

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


def _schema(model: Any) -> str:
    return json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2)


def _block(value: Any) -> str:
    return "```json\n" + json.dumps(value, ensure_ascii=False, indent=2) + "\n```"


def render() -> str:
    load_commands()
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
        if cmd.result:
            out.append(f"- Result (`data`): {cmd.result}")
        out.append("\nPayload schema:\n")
        out.append("```json\n" + _schema(cmd.schema) + "\n```\n")
        out.append("Example:\n")
        out.append(_block(cmd.example) + "\n")
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
        version = None if spec.audience is not None else 42
        out.append(_block({"meeting_id": 1, "version": version, "data": spec.example}) + "\n")
    out.append(protocol_sections.error_tables())
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
