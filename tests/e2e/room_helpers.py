"""Shared by the meeting-room browser tests: a fresh meeting per test, layout checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

DELEGATES = [f"delegate{i:02d}" for i in range(1, 11)]
_serial = count(1)


def csrf(context: Any) -> str:
    return str(context.request.get("/api/session").json()["csrf_token"])


def schedule_meeting(
    new_context: Any,
    demo_password: str,
    *,
    title: str,
    room: str,
    agenda: list[tuple[str, str, int]],
) -> dict[str, Any]:
    """A fresh meeting scheduled through REST by the secretary (a unit admin of the
    province): chair, secretary, ten delegates, the given agenda."""
    context = new_context()
    response = context.request.post(
        "/api/auth/login",
        data={"username": "secretary", "password": demo_password},
        headers={"X-CSRFToken": csrf(context)},
    )
    assert response.ok, response.text()[:300]
    demo = context.request.get("/api/meetings?scope=upcoming").json()["meetings"]
    demo = [m for m in demo if m["title"].startswith("Phiên họp UBND tỉnh")] or demo
    assert demo, "the demo meeting is missing"
    detail = context.request.get(f"/api/meetings/{demo[0]['id']}").json()
    users = {p["username"]: p["user_id"] for p in detail["participants"]}
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    body = {
        "title": f"{title} {next(_serial)}",
        "host_unit_id": detail["host_unit"]["id"],
        "room": room,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "participants": [
            {"user_id": users["chair"], "role": "chair"},
            {"user_id": users["secretary"], "role": "secretary"},
            *({"user_id": users[name], "role": "delegate"} for name in DELEGATES),
        ],
        "agenda": [
            {"title": item, "presenter": presenter, "planned_minutes": minutes}
            for item, presenter, minutes in agenda
        ],
    }
    response = context.request.post(
        "/api/meetings", data=body, headers={"X-CSRFToken": csrf(context)}
    )
    assert response.status == 201, response.text()[:500]
    meeting = dict(response.json())
    context.close()
    return meeting


def small_targets(page: Any, minimum: int = 44) -> list[str]:
    return list(
        page.evaluate(
            """(min) => [...document.querySelectorAll('button, input, a[href], select, summary')]
                .filter((el) => el.offsetParent !== null && !el.closest('.app-header'))
                .map((el) => ({el: el.outerHTML.slice(0, 90), r: el.getBoundingClientRect()}))
                .filter(({r}) => r.height < min || r.width < min)
                .map(({el, r}) => `${el} ${Math.round(r.width)}x${Math.round(r.height)}`)""",
            minimum,
        )
    )


def fits_without_scrolling(page: Any) -> None:
    size = page.evaluate(
        """() => {
            const root = document.documentElement;
            return {w: root.scrollWidth, h: root.scrollHeight, iw: innerWidth, ih: innerHeight};
        }"""
    )
    assert size["w"] <= size["iw"] and size["h"] <= size["ih"], size
