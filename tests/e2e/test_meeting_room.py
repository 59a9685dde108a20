"""The live meeting room in real browsers: chair console, delegate tablets, projector.

Each test schedules a meeting of its own through REST (the secretary is a unit admin of
the province), so the shared demo meeting and the order of tests do not matter.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.room_helpers import fits_without_scrolling, small_targets

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

AGENDA = [
    ("Khai mạc, giới thiệu đại biểu", "Chủ tọa", 10),
    ("Báo cáo tình hình kinh tế - xã hội", "Sở Kế hoạch và Đầu tư", 30),
    ("Tờ trình về kế hoạch đầu tư công năm 2027", "Sở Tài chính", 25),
    ("Bế mạc", "Chủ tọa", 5),
]


def current_title(page: Any) -> Any:
    return page.locator(".current-title-text")


def test_chair_drives_tablets_follow_floor_on_projector(
    meeting_room: Any,
    login_as: Any,
    screenshot: Any,
    js_errors: list[str],
) -> None:
    room = meeting_room("Phiên họp thử nghiệm phòng họp số", "Phòng họp số 2", AGENDA)
    meeting, mid = room.meeting, room.id

    # "My meetings": the chair gets the console, a delegate the tablet.
    chair_home = login_as("chair", viewport="laptop")
    card = chair_home.locator(f".meeting-card[data-meeting-id='{mid}']")
    expect(card).to_be_visible()
    expect(card.locator("[data-action=console]")).to_have_text("Điều hành")
    expect(card.locator("[data-action=projector]")).to_be_visible()
    expect(card.locator("[data-action=ical]")).to_have_attribute(
        "href", f"/api/meetings/{mid}/calendar.ics"
    )
    card.locator("[data-action=console]").click()
    chair = chair_home
    expect(chair.locator("[data-view=meeting-chair] .room-title")).to_have_text(meeting["title"])

    tablet1 = login_as("delegate01", viewport="tablet")
    card1 = tablet1.locator(f".meeting-card[data-meeting-id='{mid}']")
    expect(card1.locator("[data-action=tablet]")).to_have_text("Vào họp")
    expect(card1.locator("[data-action=console]")).to_have_count(0)
    screenshot(tablet1, "room-home-delegate-tablet")
    card1.locator("[data-action=tablet]").click()
    tablet2 = room.tablet("delegate02", "portrait")
    for tablet in (tablet1, tablet2):
        expect(tablet.locator(".tablet-current")).to_contain_text("Cuộc họp chưa bắt đầu")
    screenshot(chair, "room-chair-scheduled")

    # The chair, who opened the console, is present; check-in from a tablet shows up in
    # the chair's counts; the secretary's marks too.
    expect(chair.locator(".att-present")).to_have_text("1/12")
    tablet1.locator("[data-action=checkin]").click()
    expect(tablet1.locator("[data-checked-in]")).to_have_text("Đã điểm danh")
    expect(chair.locator(".att-present")).to_have_text("2/12")
    row = chair.locator(".person-row", has_text="Phạm Thị Bình")
    row.locator("[data-status=present]").click()
    expect(row.locator("[data-status=present]")).to_have_attribute("aria-pressed", "true")
    expect(chair.locator(".att-present")).to_have_text("3/12")
    expect(chair.locator(".quorum")).to_have_attribute("data-reached", "0")

    # The chair opens the meeting; both tablets follow without a tap.
    chair.locator("[data-action=start]").click()
    for tablet in (tablet1, tablet2):
        expect(current_title(tablet)).to_have_text(AGENDA[0][0])
        expect(tablet.locator(".tablet-current .timer")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    chair.locator("[data-action=next]").click()
    for tablet in (tablet1, tablet2):
        expect(current_title(tablet)).to_have_text(AGENDA[1][0])
        expect(tablet.locator(".agenda-row.is-current .agenda-title")).to_have_text(AGENDA[1][0])
    chair.locator("[data-action=extend-5]").click()
    expect(tablet1.locator(".tablet-current .timer-of")).to_have_text("/ 35:00")

    # A break during item 2, then "Tiếp tục", returns to item 2 (it jumped to item 3).
    chair.locator("[data-action=break]").click()
    expect(chair.locator(".room-current.is-break")).to_be_visible()
    expect(chair.locator("[data-action=next]")).to_contain_text("Tiếp tục")
    chair.locator("[data-action=next]").click()
    for tablet in (tablet1, tablet2):
        expect(current_title(tablet)).to_have_text(AGENDA[1][0])
    expect(tablet1.locator(".tablet-current .timer-of")).to_have_text("/ 35:00")

    # Reorder by drag and drop ("Bế mạc" above item 3), then back with the accessible button.
    rows = chair.locator(".agenda-list .agenda-row")
    rows.nth(3).drag_to(rows.nth(2), target_position={"x": 40, "y": 4})
    expect(tablet2.locator(".agenda-row .agenda-title").nth(2)).to_have_text(AGENDA[3][0])
    chair.get_by_role("button", name=f"Chuyển “{AGENDA[3][0]}” xuống dưới").click()
    expect(tablet2.locator(".agenda-row .agenda-title").nth(3)).to_have_text(AGENDA[3][0])

    # A delegate asks for the floor; the second tablet sees the queue grow.
    tablet1.locator("[data-action=request]").click()
    expect(tablet1.locator(".my-position-no")).to_have_text("1")
    expect(tablet2.locator(".queue-note")).to_have_text("1 người đang chờ phát biểu")
    tablet2.locator("[data-action=request]").click()
    expect(tablet2.locator(".my-position-no")).to_have_text("2")
    queue = chair.locator(".queue-row")
    expect(queue).to_have_count(2)
    expect(queue.nth(0)).to_contain_text("Lê Văn An")

    projector = room.projector()
    expect(projector.locator(".pj-item-title")).to_have_text(AGENDA[1][0])
    expect(projector.locator(".pj-floor")).to_have_attribute("data-state", "queue")
    screenshot(projector, "room-projector-queue")

    # The chair gives the floor: tablet, console and projector show the speaker and clock.
    queue.nth(0).locator("[data-action=grant]").click()
    expect(tablet1.locator(".my-turn-label")).to_have_text("Mời bạn phát biểu")
    expect(tablet2.locator(".my-position-no")).to_have_text("1")
    expect(tablet2.locator(".tablet-speaking .speaker-name")).to_have_text("Lê Văn An")
    expect(chair.locator(".speaker-now .speaker-name")).to_have_text("Lê Văn An")
    expect(projector.locator(".pj-floor")).to_have_attribute("data-state", "speaking")
    expect(projector.locator(".pj-speaker-name")).to_have_text("Lê Văn An")
    expect(projector.locator(".pj-speaker-timer")).to_have_text(re.compile(r"^00:0\d$"))
    expect(projector.locator(".pj-timer")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    # The clocks tick by themselves.
    first = projector.locator(".pj-speaker-timer").text_content()
    expect(projector.locator(".pj-speaker-timer")).not_to_have_text(first or "", timeout=3000)

    fits_without_scrolling(projector)
    screenshot(projector, "room-projector-1920")
    projector.set_viewport_size({"width": 1280, "height": 720})
    fits_without_scrolling(projector)
    screenshot(projector, "room-projector-1280")

    assert small_targets(tablet1) == []
    assert small_targets(tablet2) == []
    chair.evaluate("window.scrollTo(0, 0)")
    screenshot(chair, "room-chair-laptop")
    screenshot(chair, "room-chair-laptop-full", full_page=True)
    screenshot(tablet1, "room-tablet-landscape-speaking")
    screenshot(tablet2, "room-tablet-portrait-waiting")

    # End of turn: the history has the speaker; the projector shows the queue again.
    chair.locator("[data-action=end-turn]").click()
    expect(chair.locator(".history-summary")).to_have_text("Đã phát biểu (1)")
    expect(projector.locator(".pj-floor")).to_have_attribute("data-state", "queue")
    tablet2.locator("[data-action=withdraw]").click()
    expect(tablet2.locator("[data-action=request]")).to_be_visible()
    expect(chair.locator(".queue-row")).to_have_count(0)
    expect(chair.locator(".queue-list .empty-row")).to_be_visible()

    # English follows the catalogs.
    tablet2.get_by_role("button", name="English").click()
    expect(tablet2.locator("[data-action=request]")).to_have_text("Request to speak")
    expect(tablet2.locator(".tablet-current .current-label")).to_have_text("Now discussing")
    screenshot(tablet2, "room-tablet-portrait-en")

    # Closing the meeting reaches every screen.
    end = chair.locator("[data-action=next]")
    end.click()
    expect(current_title(tablet1)).to_have_text(AGENDA[2][0])
    chair.get_by_role("button", name="Bế mạc", exact=True).click()
    chair.get_by_role("button", name="Bấm lần nữa để bế mạc").click()
    expect(tablet1.locator(".tablet-current")).to_contain_text("Cuộc họp đã bế mạc")
    expect(projector.locator(".pj-main")).to_have_attribute("data-state", "closed")
    fits_without_scrolling(projector)
    screenshot(projector, "room-projector-closed")
    assert js_errors == []


def test_tablet_catches_up_after_wifi_loss(
    meeting_room: Any,
    screenshot: Any,
    js_errors: list[str],
) -> None:
    room = meeting_room("Phiên họp thử nghiệm phòng họp số", "Phòng họp số 2", AGENDA)
    chair = room.chair()
    # This tablet's clock is 37 minutes fast: its timers must still count from the server's.
    tablet = room.tablet("delegate03")
    tablet.add_init_script("""(() => {
        const skew = 37 * 60 * 1000, now = Date.now.bind(Date);
        Date.now = () => now() + skew;
    })()""")
    tablet.reload()
    tablet.wait_for_selector("html[data-conn='connected']")
    chair.locator("[data-action=start]").click()
    expect(current_title(tablet)).to_have_text(AGENDA[0][0])
    expect(tablet.locator(".tablet-current .timer")).to_have_text(re.compile(r"^00:0\d$"))
    assert tablet.evaluate("Date.now() - new Date().getTime()") > 30 * 60 * 1000
    joins_before = tablet.evaluate("window.__meetingStore.stats.joins")

    tablet.context.set_offline(True)
    expect(tablet.locator("html")).not_to_have_attribute("data-conn", "connected", timeout=15_000)
    chair.locator("[data-action=next]").click()
    expect(chair.locator(".room-current .current-title-text")).to_have_text(AGENDA[1][0])
    chair.locator("[data-action=next]").click()
    expect(chair.locator(".room-current .current-title-text")).to_have_text(AGENDA[2][0])
    expect(current_title(tablet)).to_have_text(AGENDA[0][0])  # still the old picture
    screenshot(tablet, "room-tablet-offline")

    tablet.context.set_offline(False)
    # No tap: the socket reconnects, re-joins and the snapshot brings the current item.
    expect(tablet.locator("html")).to_have_attribute("data-conn", "connected", timeout=20_000)
    expect(current_title(tablet)).to_have_text(AGENDA[2][0])
    expect(tablet.locator(".agenda-row.is-current .agenda-title")).to_have_text(AGENDA[2][0])
    assert tablet.evaluate("window.__meetingStore.stats.joins") > joins_before

    # And it keeps following live events afterwards.
    chair.locator("[data-action=previous]").click()
    expect(current_title(tablet)).to_have_text(AGENDA[1][0])

    # A meeting this delegate has no part in: a translated error, not a blank page.
    tablet.goto("/#/meetings/987654/tablet")
    expect(tablet.get_by_role("alert")).to_contain_text("Không tìm thấy dữ liệu yêu cầu.")
    assert js_errors == []
