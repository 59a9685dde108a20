"""Outages as a person sees them, in Chromium against a real server:
- a change whose event never reached the tablet (a lost message) shows up by itself
  within seconds: the server's version beacon reveals the gap, the page resyncs;
- logging out in one tab ends the other tabs' live connection: they show the login screen.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from playwright.sync_api import expect

from tests.e2e.room_helpers import csrf, schedule_meeting

STORE = "window.__meetingStore && window.__meetingStore.state"


def test_missed_change_is_caught_by_the_beacon(
    new_context: Any,
    login_as: Any,
    demo_password: str,
    live_server_instance: Any,
    js_errors: list[str],
    screenshot: Any,
) -> None:
    meeting = schedule_meeting(
        new_context,
        demo_password,
        title="Họp kiểm tra nhịp phiên bản",
        room="Phòng 2",
        agenda=[("Báo cáo", "Văn phòng", 10)],
    )
    mid = meeting["id"]
    tablet = login_as("delegate04", path=f"/meetings/{mid}/tablet")
    tablet.wait_for_function(f"Boolean({STORE})", timeout=30_000)
    version = tablet.evaluate(f"{STORE}.version")

    # Change the meeting in the database behind the server's back: no event is sent,
    # as when the message queue dropped it.
    renamed = f"{meeting['title']} (đã đổi tên)"
    with sqlite3.connect(live_server_instance.workdir / "e2e.db", timeout=30) as conn:
        conn.execute(
            "UPDATE meetings SET title = ?, state_version = state_version + 1 WHERE id = ?",
            (renamed, mid),
        )
    changed = time.monotonic()
    tablet.wait_for_function(
        """([version, title]) => {
            const state = window.__meetingStore && window.__meetingStore.state;
            return state && state.version > version && state.meeting.title === title;
        }""",
        arg=[version, renamed],
        timeout=20_000,
    )
    caught_s = time.monotonic() - changed
    assert tablet.evaluate("window.__meetingStore.stats.beaconGaps") >= 1
    print(f"missed change shown after {caught_s:.1f} s")
    screenshot(tablet, "outage-beacon-resynced-tablet")
    assert js_errors == []


def test_logout_in_one_tab_sends_the_other_to_login(
    login_as: Any, js_errors: list[str], screenshot: Any
) -> None:
    page = login_as("delegate06")
    second = page.context.new_page()  # another tab of the same browser: same login
    second.goto(page.url)
    expect(second.locator("html")).to_have_attribute("data-conn", "connected", timeout=30_000)

    response = page.context.request.post(
        "/api/auth/logout", data={}, headers={"X-CSRFToken": csrf(page.context)}
    )
    assert response.ok, response.text()[:300]
    for tab in (page, second):
        tab.wait_for_selector("[data-view=login]", timeout=20_000)
        expect(tab.locator("html")).to_have_attribute("data-conn", "offline")
    screenshot(second, "outage-logout-other-tab-login")
    assert js_errors == []
