"""The parts of docs/protocol.md a third-party client needs besides the schemas:
authentication, idempotency keys, who receives which event, enums and timers, roles and
permissions, error codes. Tables come from the code (enums, permissions.py, errors.py), so
they cannot drift; protocol_doc.render() puts them together.
"""

from __future__ import annotations

import enum
import typing

from meetings.errors import CONFLICT_REASONS, DETAIL_KEYS, ERROR_CODES
from meetings.events.catalogue import EVENTS
from meetings.models import MeetingRole
from meetings.models.annotations import AnnotationKind, AnnotationScope
from meetings.models.documents import DocumentStatus, Sensitivity
from meetings.models.meetings import MeetingStatus
from meetings.models.polls import Eligibility, MajorityRule, PercentBase, PollKind, PollStatus
from meetings.models.room import AttendanceStatus, SpeakerStatus
from meetings.permissions import GLOBAL_PERMS, MANAGER_PERMS, ROLE_PERMS, SITUATIONAL_PERMS, Perm
from meetings.realtime import idempotency
from meetings.services.room.agenda import AgendaOp

AUTHENTICATION = """\
## Authentication for clients that are not browsers

A browser does all of this by itself. Another client (a script, a native app) keeps one
cookie jar for REST and Socket.IO and follows these steps:

1. `GET /api/session` answers `{"authenticated": false, "user": null, "csrf_token": "…"}`
   and sets the session cookie `phs_session`. Keep the cookie: the token is valid only with
   it. Every REST write (`POST`, `PUT`, `PATCH`, `DELETE`) sends the token in the header
   `X-CSRFToken`; without it, or with an old one, the answer is 403 `csrf_failed`.
2. `POST /api/auth/login` with the JSON body `{"username": "…", "password": "…"}` (no other
   field; at most 64 and 256 characters) and the header `X-CSRFToken`. It answers 200
   `{"user": {…}}` and replaces the `phs_session` cookie (HttpOnly, SameSite=Lax, Secure
   when the server runs behind TLS). Errors: 401 `invalid_credentials` (an unknown user and
   a wrong password answer alike), 423 `account_locked` after repeated failures (the
   message says until when), 400 `invalid_payload`, 403 `csrf_failed`.
3. Signing in starts a new session, so **the CSRF token changes**: the one from step 1 is
   refused from now on. Call `GET /api/session` again; it answers `authenticated: true`,
   the user and the new `csrf_token`.
4. Open the Socket.IO connection with the cookie (header `Cookie: phs_session=…`; the
   websocket transport is fine). Without a valid session it is refused with
   `connect_error` data `{"message": "not_authenticated"}`. The connection keeps the
   identity it was opened with; every command still checks the account, so a deactivated
   account's commands answer `not_authenticated`. Then send `meeting.join`.
5. `POST /api/auth/logout` with `X-CSRFToken` answers `{"ok": true}` and ends the session:
   REST calls and new Socket.IO connections with that cookie are refused as above. The
   sockets the login still has open are ended too: the server sends them
   `session.ended` and disconnects them. A client that is disconnected without asking
   calls `GET /api/session`: if it is no longer authenticated, it must sign in again.
"""

IDEMPOTENCY = """\
## Retrying a command: `idempotency_key`

An ack can be lost (Wi-Fi drop, a worker restarting), and then the client cannot know
whether its command ran. Any command's payload may carry `idempotency_key`: a string of
1–{max_len} characters among `A–Z a–z 0–9 . _ : -` (a UUID fits). The server removes it before
the payload is validated, so it never counts as an unknown field; any other type or form
is `invalid_payload`.

- A repeat of the same command by the same person with the same key within
  {window} minutes gets the first answer back, unchanged, and runs nothing (so no event
  is sent again). `agenda.create` makes one item, `agenda.next` moves once,
  `speaker.request` answers its request instead of `conflict`.
- Another person using the same key, another command, or another key: a new command.
- Not kept, so a retry runs again: answers {transient}, and answers over
  {max_kib} KiB (only reads such as snapshots are that large).
- A retry that arrives while the first try still runs waits up to {wait} s for its answer,
  then answers `conflict` with reason `request_in_progress`.
- Commands bound to the connection ({bound}) are keyed per connection as well: after a
  reconnect the same key runs again, so the new connection is joined.
- Answers are kept by the server across workers (in Redis when several workers share a
  message queue). Ballots and annotations also carry their own client-generated ids.
"""

DELIVERY_INTRO = """\
## Who receives which event

Events go to Socket.IO rooms, never to everyone connected. `meeting.join` puts the
connection in the meeting's room and, for each permission with an audience of its own, in
that audience's room (the permissions are read at join time: join again after a role
change). Versioned events (`version` is a number) change the meeting's state and reach
everyone in the meeting's room; unversioned ones (`version: null`) are not state, or are for
an audience only, and a client that missed one gets the state back from its next snapshot.
"""

# Events emitted directly (not through the outbox), with who receives them. A test scans the
# source for direct emits, so an event added this way must be described here.
DIRECT_DELIVERY: dict[str, str] = {
    "annotation.laser": "everyone in the meeting's room except the connection that sent it",
    "conference.stats": "connections that sent `conference.state` holding "
    "`conference.control` (the chair's console)",
    "document.progress": "connections of people holding `document.manage` that joined the "
    "meeting (upload progress; `upload_id` tells whose)",
    "meeting.beacon": "everyone who joined the meeting, every few seconds, from the worker "
    "holding the connection (not through the message queue)",
    "session.ended": "every connection of the login that just logged out, on every worker; "
    "then the socket is closed (`meeting_id` and `version` are null)",
}

TIMERS = """\
### Timers

Clocks of tablets are wrong; every state that has a running timer carries `server_now`
(ISO 8601, UTC). A client keeps `offset = server_now − local time at receipt` and reads the
server's time as `local time + offset`.

- Agenda item: `elapsed = elapsed_seconds + (now − started_at)` while `started_at` is set
  (the item is running), else `elapsed_seconds`. Its time is
  `(planned_minutes + extra_minutes) × 60` seconds; `overrun` is `elapsed` above it at
  `server_now`.
- Floor: the current turn has spoken `now − current.started_at` seconds; its limit is
  `current.limit_seconds`, or `limit_seconds` of the speakers state when that is null;
  `warning` and `overrun` are as of `server_now`.
- Poll: an open poll with `deadline_at` closes by itself then (ballots after it answer
  `closed`).
"""


def _values(kind: type[enum.Enum] | object) -> str:
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        values = [m.value for m in kind]
    else:
        values = list(typing.get_args(kind))
    return ", ".join(f"`{v}`" for v in values)


ENUMS: list[tuple[str, type[enum.Enum] | object]] = [
    ("`meeting.status` (snapshot, `meeting.updated`, `agenda.status`)", MeetingStatus),
    ("`meeting.my_role`, roster roles", MeetingRole),
    ("`op` of `agenda.updated`", AgendaOp),
    ("attendance `status`", AttendanceStatus),
    ("speaker request `status`", SpeakerStatus),
    ("poll `status`", PollStatus),
    ("poll `kind`", PollKind),
    ("poll `eligibility`", Eligibility),
    ("poll `majority`", MajorityRule),
    ("poll `percent_base`", PercentBase),
    ("annotation `kind`", AnnotationKind),
    ("annotation `scope`", AnnotationScope),
    ("document `sensitivity`", Sensitivity),
    ("document `status`", DocumentStatus),
]


def authentication() -> str:
    return AUTHENTICATION


def idempotency_section() -> str:
    return IDEMPOTENCY.format(
        max_len=64,
        window=idempotency.WINDOW_SECONDS // 60,
        transient=", ".join(f"`{c}`" for c in sorted(idempotency.TRANSIENT)),
        max_kib=idempotency.MAX_ANSWER_BYTES // 1024,
        wait=int(idempotency.WAIT_SECONDS),
        bound=", ".join(f"`{c}`" for c in sorted(idempotency.CONNECTION_BOUND)),
    )


def delivery() -> str:
    out = [DELIVERY_INTRO, "| Event | Received by | Versioned |", "|---|---|---|"]
    for name in sorted(EVENTS):
        spec = EVENTS[name]
        if name in DIRECT_DELIVERY:
            who, versioned = DIRECT_DELIVERY[name], "no"
        elif spec.audience is not None:
            who = f"people holding `{spec.audience.value}` who joined the meeting"
            versioned = "no"
        else:
            who, versioned = "everyone who joined the meeting", "yes"
        out.append(f"| `{name}` | {who} | {versioned} |")
    return "\n".join(out) + "\n"


def enums() -> str:
    out = [
        "## Enumerations and timers\n",
        "Generated from the code's enums and literal types.\n",
        "| Field | Values |",
        "|---|---|",
    ]
    out += [f"| {field} | {_values(kind)} |" for field, kind in ENUMS]
    out.append("")
    out.append(TIMERS)
    return "\n".join(out)


def roles() -> str:
    columns = [*MeetingRole]
    header = " | ".join(f"`{r.value}`" for r in columns)
    out = [
        "## Roles and permissions\n",
        "Generated from `meetings/permissions.py`. Each command names one permission (see the "
        "index). A person's permissions in a meeting come from their role in it; system "
        "administrators, and administrators of the host unit or a unit above it, also hold "
        "the *manager* column. "
        "`meeting.join` answers them in `meeting.my_role` and `meeting.my_permissions`.\n",
        f"| Permission | {header} | manager |",
        "|---|" + "---|" * (len(columns) + 1),
    ]
    for perm in Perm:
        if perm in GLOBAL_PERMS:
            continue
        marks = ["✓" if perm in ROLE_PERMS[r] else "" for r in columns]
        marks.append("✓" if perm in MANAGER_PERMS else "")
        out.append(f"| `{perm.value}` | " + " | ".join(marks) + " |")
    out.append("")
    out.append("Held for a while, beyond the role:\n")
    out += [f"- `{perm.value}`: {why}." for perm, why in SITUATIONAL_PERMS.items()]
    out.append(
        "\n`my_permissions` is computed when the snapshot is built; a situational permission "
        "can change with the agenda (compare the current item's `presenter` with your name, "
        "or simply send the command: the server decides).\n"
    )
    out.append(
        "Account-wide permissions (`"
        + "`, `".join(sorted(p.value for p in GLOBAL_PERMS))
        + "`) concern REST administration; every signed-in person holds `signed_in`.\n"
    )
    return "\n".join(out)


def error_tables() -> str:
    out = [
        "## Error codes\n",
        "Every code a client can receive (`meetings/errors.py`; the server refuses to send "
        "any other). Socket.IO acks carry the code; REST answers with the HTTP status.\n",
        "| Code | HTTP status (REST) | Meaning |",
        "|---|---|---|",
    ]
    for code in sorted(ERROR_CODES):
        spec = ERROR_CODES[code]
        out.append(f"| `{code}` | {spec.status} | {spec.meaning} |")
    out += [
        "",
        "### `error.details`\n",
        "Optional object; present only where listed.\n",
        "| Key | When and what |",
        "|---|---|",
    ]
    out += [f"| `{key}` | {what} |" for key, what in DETAIL_KEYS.items()]
    out += [
        "",
        "### `conflict` reasons (`error.details.reason`)\n",
        "| Reason | Meaning |",
        "|---|---|",
    ]
    out += [f"| `{reason}` | {what} |" for reason, what in sorted(CONFLICT_REASONS.items())]
    return "\n".join(out) + "\n"
