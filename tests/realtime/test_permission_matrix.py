"""Every registered command × every meeting role, from the command's own example.

The expected table (tests/permission_table.py) is written by hand from the role descriptions
(not derived from permissions.py), so a change to ROLE_PERMS that lets someone new run a
command fails here.
"""

from __future__ import annotations

from typing import Any

from meetings.models.meetings import MeetingStatus
from meetings.realtime import load_commands
from meetings.realtime.registry import COMMANDS
from tests.permission_table import ALLOWED
from tests.realtime.room import ROLE_USERS, Room, make_room, version

load_commands()
NAMES = sorted(COMMANDS)


def adapt(example: dict[str, Any], room: Room) -> dict[str, Any]:
    """The registered example, pointed at this test meeting's real objects."""
    payload = dict(example)
    if "meeting_id" in payload:
        payload["meeting_id"] = room.meeting_id
    if "item_id" in payload and payload["item_id"] is not None:
        payload["item_id"] = room.item_ids[1]
    if "request_id" in payload:
        payload["request_id"] = room.request_id
    if "user_id" in payload:
        payload["user_id"] = room.users["delegate06"]
    if "item_ids" in payload:
        payload["item_ids"] = list(reversed(room.item_ids))
    if "request_ids" in payload:
        payload["request_ids"] = [room.request_id]
    return payload


def test_table_covers_every_permission() -> None:
    assert set(ALLOWED) >= {c.permission for c in COMMANDS.values()}


# Where an allowed role is still refused by the state of a fresh test meeting.
STATE_REFUSALS = {
    "speaker.withdraw": "not_found",  # the waiting request belongs to someone else
    "speaker.end": "conflict",  # nobody has the floor yet
    "agenda.previous": "conflict",  # the first item is current
    "agenda.resume": "conflict",  # no break to resume from
}
MINE = ("agenda.", "attendance.", "speaker.", "meeting.")


def fresh_for(name: str, app: Any) -> Room:
    status = MeetingStatus.SCHEDULED if name == "meeting.start" else MeetingStatus.IN_PROGRESS
    return make_room(app, status=status)


def test_every_command_against_every_role(app: Any, socket_for: Any) -> None:
    make_room(app)  # creates the unit admin account on first use
    # One login per role for the whole walk: argon2 makes logins the slow part.
    clients = {role: socket_for(user) for role, user in ROLE_USERS.items()}
    failures: list[Any] = []
    for name in NAMES:
        cmd = COMMANDS[name]
        allowed = ALLOWED[cmd.permission]
        room = make_room(app)
        payload = adapt(cmd.example, room)
        cmd.schema.model_validate(payload)  # the adapted example is still valid
        for role in sorted(set(ROLE_USERS) - allowed):
            before = version(app, room.meeting_id)
            ack = clients[role].emit(name, payload, callback=True)
            expected = "not_found" if role == "outsider" else "permission_denied"
            if ack["ok"] or ack["error"]["code"] != expected:
                failures.append((name, role, "should be refused", ack))
            if version(app, room.meeting_id) != before:
                failures.append((name, role, "state changed", None))
        for role in sorted(allowed):
            fresh = fresh_for(name, app)  # each allowed role acts on a meeting of its own
            ack = clients[role].emit(name, adapt(cmd.example, fresh), callback=True)
            if ack["ok"]:
                continue
            code = ack["error"]["code"]
            if code in ("permission_denied", "not_authenticated") or (
                ack["error"]["message"] == "Không tìm thấy cuộc họp."
            ):
                failures.append((name, role, "should be allowed", ack))
            elif name.startswith(MINE) and STATE_REFUSALS.get(name) != code:
                failures.append((name, role, "example should succeed", ack))
    assert failures == []
