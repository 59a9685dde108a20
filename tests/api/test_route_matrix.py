"""Every REST route × every role × a meeting of the unit admin's own unit and of another.

The route table (api/registry.py ROUTES) gives each route's permission; the hand-written
table of tests/permission_table.py, shared with the command matrix, gives what each role
holds. From those the expected answer is
derived and checked against real requests, always sent with a malformed query and body:
a caller who may not use the route must get 401/403/404, never the 400 that would tell
them the schema; one who may gets past authorization (usually to that 400).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from meetings.api.registry import PUBLIC, ROUTES, Route
from meetings.db import db, transaction
from meetings.models import Meeting, Unit, User
from meetings.permissions import GLOBAL_PERMS, ROLE_PERMS, Perm, manages_unit
from tests.conftest import csrf_token
from tests.documents.conftest import write_blank_pdf
from tests.permission_table import holds
from tests.realtime.room import ROLE_OF, ROLE_USERS, make_room

ANONYMOUS = "anonymous"
# Answers that mean "authorization refused": with this code, or 404 with this message.
REFUSED_CODES = {"not_authenticated", "permission_denied"}
NO_STANDING = {"Không tìm thấy cuộc họp.", "Không tìm thấy tài liệu."}
# Routes that change what later requests see run last: withdrawing the test document,
# and signing out the role's client.
LAST = ["documents.withdraw_document", "auth.logout"]


@dataclass(frozen=True)
class Standing:
    """Who each role's account is: an admin at all, and manager of which test meeting."""

    admins: frozenset[str]
    manages: frozenset[tuple[str, bool]]  # (role, own_unit)


def standing(app: Any, meetings: dict[bool, int]) -> Standing:
    with app.app_context():
        users = {
            r: db.scalar(select(User).where(User.username == u)) for r, u in ROLE_USERS.items()
        }
        admins = frozenset(r for r, u in users.items() if u and (u.is_system_admin or u.admin_of))
        manages = frozenset(
            (r, own)
            for r, u in users.items()
            for own, meeting_id in meetings.items()
            if u and manages_unit(u, db.get(Meeting, meeting_id).host_unit)  # type: ignore[union-attr]
        )
        db.remove()
    return Standing(admins, manages)


def held(role: str, own_unit: bool, who: Standing) -> frozenset[Perm]:
    """What `role` holds in a test meeting, by the hand-written table (not permissions.py):
    its meeting role's permissions, and a manager's where its account manages the host."""
    perms = holds(role) - {Perm.SIGNED_IN} if role in ROLE_OF else frozenset()
    if (role, own_unit) in who.manages:
        perms = perms | (holds("unit_admin") - {Perm.SIGNED_IN})
    return perms


def expected(route: Route, role: str, own_unit: bool, who: Standing) -> int | None:
    """The refusal's status, or None where the route must let the caller through."""
    perm = route.permission
    if perm is PUBLIC:
        return None
    if role == ANONYMOUS:
        return 401
    if perm in GLOBAL_PERMS:
        # Any admin holds the global management rights (permissions.has_global).
        return None if perm is Perm.SIGNED_IN or role in who.admins else 403
    perms = held(role, own_unit, who)
    if not perms:
        return 404
    if perm not in perms:
        # A document one may not see is 404 whatever else one holds (visible_document).
        return 403
    return None


def move_to_other_district(app: Any, meeting_id: int) -> None:
    with app.app_context(), transaction() as s:
        meeting = s.get(Meeting, meeting_id)
        assert meeting is not None
        host = s.get(Unit, meeting.host_unit_id)
        assert host is not None
        other = s.scalar(
            select(Unit).where(Unit.parent_id == host.parent_id, Unit.id != host.id).limit(1)
        )
        assert other is not None
        meeting.host_unit_id = other.id
    with app.app_context():
        db.remove()


def upload_pdf(client: FlaskClient, meeting_id: int, pdf: Path) -> int:
    response = client.post(
        f"/api/meetings/{meeting_id}/documents",
        data={"file": (io.BytesIO(pdf.read_bytes()), "a.pdf"), "sensitivity": "internal"},
        headers={"X-CSRFToken": csrf_token(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["document"]["id"])


def url_of(route: Route, meeting_id: int, document_id: int) -> str:
    ids = {"meeting_id": meeting_id, "document_id": document_id}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), route.rule)


def test_every_route_against_every_role(app: Any, login_as: Any, tmp_path: Path) -> None:
    make_room(app)  # creates the unit admin account on first use
    clients: dict[str, FlaskClient] = {r: login_as(u) for r, u in ROLE_USERS.items()}
    clients[ANONYMOUS] = app.test_client()
    tokens = {role: csrf_token(c) for role, c in clients.items()}
    pdf = write_blank_pdf(tmp_path / "blank.pdf", 1)
    meetings = {True: make_room(app).meeting_id, False: make_room(app).meeting_id}
    move_to_other_district(app, meetings[False])
    documents = {own: upload_pdf(clients["secretary"], m, pdf) for own, m in meetings.items()}
    who = standing(app, meetings)
    assert ("unit_admin", True) in who.manages and ("unit_admin", False) not in who.manages

    failures: list[Any] = []
    order = sorted(
        ROUTES.values(),
        key=lambda r: (LAST.index(r.endpoint) + 1 if r.endpoint in LAST else 0, r.endpoint),
    )
    for route in order:
        scoped = "<int:meeting_id>" in route.rule or "<int:document_id>" in route.rule
        for own_unit in (True, False) if scoped else (True,):
            url = url_of(route, meetings[own_unit], documents[own_unit]) + "?unknown=1"
            # Refused callers first: an allowed withdraw changes what they would see.
            roles = sorted(clients, key=lambda r: expected(route, r, own_unit, who) is None)
            for role in roles:
                want = expected(route, role, own_unit, who)
                response = clients[role].open(
                    url,
                    method=route.method,
                    json={"unknown": 1},
                    headers={"X-CSRFToken": tokens[role]},
                )
                body = response.get_json(silent=True) or {}
                error = body.get("error") or {}
                refused = error.get("code") in REFUSED_CODES or (
                    response.status_code == 404 and error.get("message") in NO_STANDING
                )
                case = (route.endpoint, role, "own unit" if own_unit else "other unit")
                if want is None and (refused or response.status_code >= 500):
                    failures.append((*case, "should pass", response.status_code, error))
                elif want is not None and (response.status_code != want or not refused):
                    failures.append((*case, f"should be {want}", response.status_code, error))
    assert failures == [], "\n".join(map(str, failures))


def test_chair_permissions_are_listed() -> None:
    """The chair's set, written out: a new permission reaches the chair only by choice."""
    from meetings.models import MeetingRole

    assert {p.value for p in ROLE_PERMS[MeetingRole.CHAIR]} == {
        "meeting.view",
        "meeting.edit",
        "agenda.drive",
        "attendance.checkin",
        "attendance.mark",
        "speaker.request",
        "speaker.manage",
        "poll.manage",
        "document.view",
        "document.manage",
        "present",
        "annotate",
        "shared_marks.clear",
        "conference.join",
        "conference.control",
        "recording.download",
    }
