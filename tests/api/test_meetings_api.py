"""Meetings REST: create/edit/cancel, "my meetings", iCalendar export and personal feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar

from meetings.models.meetings import MeetingStatus
from tests.conftest import csrf_token, post
from tests.realtime.room import ROLE_USERS, Room, ack_ok, clear, events, make_room


def send(client: Any, method: str, url: str, json: Any = None) -> Any:
    return client.open(url, method=method, json=json, headers={"X-CSRFToken": csrf_token(client)})


def user_id(client: Any) -> int:
    return int(client.get("/api/session").get_json()["user"]["id"])


def district_and_people(app: Any) -> Room:
    return make_room(app, waiting_request=False)  # also creates the district admin account


def body(room: Room, **extra: Any) -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=1)
    return {
        "title": "Họp giao ban tuần",
        "kind": "briefing",
        "host_unit_id": room.district_id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "room": "Phòng họp A",
        "participants": [
            {"user_id": room.users["chair"], "role": "chair"},
            {"user_id": room.users["delegate01"], "role": "delegate"},
            {"user_id": room.users["delegate02"], "role": "observer"},
            {
                "user_id": room.users["bridge"],
                "role": "bridge_operator",
                "bridge_unit_id": room.commune_ids[1],
            },
        ],
        "bridge_unit_ids": [room.commune_ids[1], room.commune_ids[1]],
        "agenda": [
            {"title": "Báo cáo", "planned_minutes": 20, "children": [{"title": "Phụ lục"}]},
            {"title": "Kết luận"},
        ],
        **extra,
    }


def test_unit_admin_creates_and_joins_as_secretary(app: Any, login_as: Any) -> None:
    room = district_and_people(app)
    admin = login_as(ROLE_USERS["unit_admin"])
    response = post(admin, "/api/meetings", body(room, join_as="secretary"))
    assert response.status_code == 201, response.get_json()
    meeting = response.get_json()
    assert meeting["my_role"] == "secretary" and meeting["status"] == "scheduled"
    assert meeting["bridge_unit_ids"] == [room.commune_ids[1]]
    assert [(i["title"], i["parent_id"] is not None) for i in meeting["agenda"]] == [
        ("Báo cáo", False),
        ("Phụ lục", True),
        ("Kết luận", False),
    ]
    listed = admin.get("/api/meetings?scope=upcoming").get_json()["meetings"]
    assert meeting["id"] in [m["id"] for m in listed]
    # A delegate sees it among their upcoming meetings with their role.
    delegate = login_as("delegate01")
    mine = {m["id"]: m for m in delegate.get("/api/meetings").get_json()["meetings"]}
    assert mine[meeting["id"]]["my_role"] == "delegate"
    assert meeting["id"] not in [
        m["id"] for m in login_as("delegate04").get("/api/meetings").get_json()["meetings"]
    ]
    assert delegate.get(f"/api/meetings/{meeting['id']}").status_code == 200
    assert login_as("delegate04").get(f"/api/meetings/{meeting['id']}").status_code == 404


def test_create_refusals(app: Any, login_as: Any) -> None:
    room = district_and_people(app)
    delegate = login_as("delegate01")
    assert post(delegate, "/api/meetings", body(room)).status_code == 403
    admin = login_as(ROLE_USERS["unit_admin"])
    province_id: int | None = 1
    with app.app_context():
        from sqlalchemy import select

        from meetings.db import db
        from meetings.models import Unit

        province_id = db.scalar(select(Unit.id).where(Unit.depth == 0))
        db.remove()
    # A district admin cannot host at the province.
    assert post(admin, "/api/meetings", body(room, host_unit_id=province_id)).status_code == 404
    bad_cases: list[dict[str, Any]] = [
        body(room, ends_at=body(room)["starts_at"]),
        body(room, kind="party"),
        body(room, title="x" * 301),
        body(room, starts_at="2026-12-01T08:00:00"),  # no offset: ambiguous
        body(room, unexpected=True),
        body(room, participants=[{"user_id": room.users["chair"], "role": "bridge_operator"}]),
        body(room, participants=[{"user_id": room.users["chair"], "role": "chair"}] * 2),
    ]
    for case in bad_cases:
        response = post(admin, "/api/meetings", case)
        assert response.status_code == 400, case
        assert response.get_json()["error"]["code"] == "invalid_payload"


def test_edit_emits_and_cancel(app: Any, login_as: Any, socket_for: Any) -> None:
    room = make_room(app, waiting_request=False)
    sec = login_as("secretary")
    watcher = socket_for("delegate01")
    ack_ok(watcher.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True))
    clear(watcher)
    response = send(
        sec,
        "PATCH",
        f"/api/meetings/{room.meeting_id}",
        {"title": "Họp thử (đổi tên)", "quorum_rule": "two_thirds", "speaker_limit_seconds": 240},
    )
    assert response.status_code == 200, response.get_json()
    event = events(watcher, "meeting.updated")[-1]
    assert event["data"]["title"] == "Họp thử (đổi tên)"
    assert event["data"]["quorum_rule"] == "two_thirds"
    # Delegates cannot edit; the meeting is in progress so it cannot be cancelled.
    delegate = login_as("delegate01")
    assert (
        send(delegate, "PATCH", f"/api/meetings/{room.meeting_id}", {"room": "x"}).status_code
        == 403
    )
    assert post(sec, f"/api/meetings/{room.meeting_id}/cancel").status_code == 409
    # Adding a participant updates everyone's attendance roster.
    participants = send(sec, "GET", f"/api/meetings/{room.meeting_id}").get_json()["participants"]
    roster = [{k: p[k] for k in ("user_id", "role", "bridge_unit_id")} for p in participants] + [
        {"user_id": room.users["delegate04"], "role": "guest"}
    ]
    assert (
        send(sec, "PATCH", f"/api/meetings/{room.meeting_id}", {"participants": roster}).status_code
        == 200
    )
    people = events(watcher, "attendance.updated")[-1]["data"]["people"]
    assert room.users["delegate04"] in [p["user_id"] for p in people]

    scheduled = make_room(app, status=MeetingStatus.SCHEDULED)
    response = post(sec, f"/api/meetings/{scheduled.meeting_id}/cancel")
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert post(sec, f"/api/meetings/{scheduled.meeting_id}/cancel").status_code == 409
    past = sec.get("/api/meetings?scope=past").get_json()["meetings"]
    assert scheduled.meeting_id in [m["id"] for m in past]
    assert sec.get("/api/meetings?scope=someday").status_code == 400


def test_meeting_ics(app: Any, login_as: Any) -> None:
    room = make_room(app)
    delegate = login_as("delegate01")
    response = delegate.get(f"/api/meetings/{room.meeting_id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    (event,) = cal.walk("VEVENT")
    assert str(event["summary"]) == "Họp thử nghiệm"
    assert str(event["uid"]) == f"meeting-{room.meeting_id}@phong-hop-so"
    assert "Khai mạc" in str(event["description"])
    assert (
        login_as("delegate04").get(f"/api/meetings/{room.meeting_id}/calendar.ics").status_code
        == 404
    )


def test_personal_feed_token(app: Any, login_as: Any) -> None:
    room = make_room(app)
    delegate = login_as("delegate01")
    issued = post(delegate, "/api/calendar/token").get_json()
    assert issued["url"].endswith(f"/api/calendar/{issued['token']}.ics")
    anonymous = app.test_client()
    feed = anonymous.get(f"/api/calendar/{issued['token']}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    uids = [str(e["uid"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert f"meeting-{room.meeting_id}@phong-hop-so" in uids
    assert anonymous.get("/api/calendar/" + "x" * 43 + ".ics").status_code == 404
    # A new token revokes the old one; revoking removes access.
    again = post(delegate, "/api/calendar/token").get_json()
    assert anonymous.get(f"/api/calendar/{issued['token']}.ics").status_code == 404
    assert anonymous.get(f"/api/calendar/{again['token']}.ics").status_code == 200
    assert send(delegate, "DELETE", "/api/calendar/token").get_json() == {"ok": True}
    assert anonymous.get(f"/api/calendar/{again['token']}.ics").status_code == 404
    # Only a hash is stored.
    with app.app_context():
        from sqlalchemy import select

        from meetings.db import db
        from meetings.models import CalendarToken

        hashes = list(db.scalars(select(CalendarToken.token_hash)))
        db.remove()
    assert again["token"] not in hashes and issued["token"] not in hashes
    assert user_id(delegate) == room.users["delegate01"]
