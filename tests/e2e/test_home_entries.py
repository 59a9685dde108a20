""" "My meetings" on the home page takes each role to its screen in one tap."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.room_helpers import small_targets

AGENDA = [("Khai mạc", "Chủ tọa", 5)]


def test_bridge_operator_taps_into_the_bridge_page(
    meeting_room: Any, login_as: Any, screenshot: Any, js_errors: list[str]
) -> None:
    room = meeting_room("Họp trực tuyến với các xã", "Hội trường huyện", AGENDA, bridge=True)
    home = login_as("bridge", has_touch=True)  # a tablet at the commune hall
    card = home.locator(f"[data-section=my-meetings] .meeting-card[data-meeting-id='{room.id}']")
    enter = card.locator("[data-action=bridge]")
    expect(enter).to_have_text("Vào điểm cầu")
    expect(enter).to_have_class(re.compile(r"\bbtn-primary\b"))
    # The tablet view (documents, agenda) stays one tap away, but second.
    expect(card.locator("[data-action=tablet]")).to_have_class(re.compile(r"\bbtn-secondary\b"))
    screenshot(home, "home-bridge-operator")
    assert small_targets(home) == []  # every button a finger can hit (44 px and more)

    enter.tap()
    expect(home).to_have_url(re.compile(rf"#/meetings/{room.id}/bridge$"))
    home.wait_for_selector("[data-view=meeting-bridge]")
    expect(home).to_have_title(re.compile(r"^Điểm cầu truyền hình"))
    screenshot(home, "home-bridge-operator-landed")
    assert js_errors == []


def test_a_delegate_has_no_bridge_entry(meeting_room: Any, login_as: Any) -> None:
    room = meeting_room("Họp không có điểm cầu của tôi", "Phòng họp số 3", AGENDA, bridge=True)
    home = login_as("delegate01")
    card = home.locator(f"[data-section=my-meetings] .meeting-card[data-meeting-id='{room.id}']")
    expect(card.locator("[data-action=tablet]")).to_have_text("Vào họp")
    expect(card.locator("[data-action=bridge]")).to_have_count(0)
