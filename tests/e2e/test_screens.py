"""Screen fixes from the field test (issue 10 §4), each seen in Chromium: the poll panel,
board and ballot; the tablet's attendance and quorum; the chair console while presenting
and in a speaker's overtime. Screenshots go to $SHOTS_DIR (screens-*.png)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from tests.e2e.room_helpers import (
    CANDIDATES,
    close_poll,
    folds_without_mark,
    hidden_text,
    low_contrast,
    small_targets,
    stray_literals,
    upload_pdf,
)
from tests.e2e.room_helpers import (
    VOTING_AGENDA as AGENDA,
)

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def new_poll(chair: Any, title: str, **choices: str) -> None:
    """Fill the chair's form: kind, rule...; no timer, no running tally; create and open."""
    chair.locator("[data-action=poll-new]").click()
    dialog = chair.locator("dialog.pc-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=title]").fill(title)
    if "options" in choices:
        dialog.locator("input[name=kind][value=multiple]").check()
        dialog.locator(".pc-options").fill(choices["options"])
        dialog.locator("input[name=min_choices]").fill(choices["min"])
        dialog.locator("input[name=max_choices]").fill(choices["max"])
    if "rule" in choices:
        dialog.locator("select[name=rule]").select_option(choices["rule"])
    dialog.locator("[data-action=poll-create-open]").click()
    expect(dialog).to_be_hidden()


def test_poll_screens(
    meeting_room: Any,
    screenshot: Any,
    js_errors: list[str],
) -> None:
    room = meeting_room("Kỳ họp thử màn hình biểu quyết", "Hội trường tầng 3", AGENDA, bridge=True)
    chair = room.chair()
    tablet = room.tablet("delegate01")
    operator = room.tablet("bridge")
    projector = room.projector()
    screens = {"chair": chair, "tablet": tablet, "operator": operator, "projector": projector}
    chair.locator("[data-action=start]").click()
    expect(chair.locator(".room-current .current-title-text")).to_have_text(AGENDA[0][0])
    chair.locator("[data-action=next]").click()
    for page in (chair, tablet, operator):
        expect(page.locator(".current-title-text").first).to_have_text(AGENDA[1][0])

    # An open poll without a running tally: nothing under the progress bar but the bar.
    # Rule "more than half of the ballots cast" needs the quorum, which nobody present gives.
    new_poll(chair, "Thông qua Tờ trình", rule="cast")
    current = chair.locator(".poll-chair .pc-current")
    expect(current).to_have_attribute("data-status", "open")
    board = projector.locator(".poll-board")
    expect(board).to_have_attribute("data-state", "open")
    expect(operator.locator(".poll-board")).to_have_attribute("data-state", "open")
    expect(tablet.locator(".poll-ballot .pt-choice")).to_have_count(3)
    for name, page in screens.items():
        assert stray_literals(page) == [], name
    screenshot(chair, "screens-chair-poll-open")
    screenshot(projector, "screens-projector-poll-open")

    close_poll(current)
    current.locator("[data-action=poll-publish]").click()
    expect(current).to_have_attribute("data-status", "published")
    # "KHÔNG ĐỦ TÚC SỐ — KHÔNG CÓ KẾT QUẢ" readable on the operator's light tablet card,
    # on the dark wall and on the delegate's tablet.
    outcome = operator.locator(".poll-board .pr-outcome")
    expect(outcome).to_have_attribute("data-outcome", "no_quorum")
    expect(outcome).to_contain_text("KHÔNG ĐỦ TÚC SỐ")
    expect(board.locator(".pr-outcome")).to_have_attribute("data-outcome", "no_quorum")
    expect(tablet.locator(".poll-ballot .pr-outcome")).to_have_attribute(
        "data-outcome", "no_quorum"
    )
    assert low_contrast(operator, ".poll-board") == []
    assert low_contrast(projector, ".poll-board") == []
    assert low_contrast(tablet, ".poll-ballot") == []
    assert low_contrast(chair, ".poll-chair") == []
    # The whole outcome and the named list fit the card and the wall, nothing overlaps.
    expect(operator.locator(".poll-board .pr-named-row")).to_have_count(10)
    assert hidden_text(operator, ".poll-board") == []
    assert hidden_text(projector, ".poll-board") == []
    screenshot(operator, "screens-operator-no-quorum")
    screenshot(projector, "screens-projector-no-quorum")

    # The chair takes the result off the wall and the tablets, and can show it again.
    current.locator("[data-action=poll-hide]").click()
    expect(board).to_have_attribute("data-state", "none")
    expect(operator.locator(".poll-board")).to_have_attribute("data-state", "none")
    expect(tablet.locator(".room-slot-poll")).to_be_hidden()
    expect(projector.locator(".pj-item-title")).to_have_text(AGENDA[1][0])
    expect(current.locator(".pc-hidden")).to_have_text("Đã gỡ khỏi màn chiếu")
    screenshot(chair, "screens-chair-poll-hidden")
    # A projector that reloads keeps it off.
    projector.reload()
    projector.wait_for_selector("html[data-conn='connected']")
    expect(projector.locator(".pj-item-title")).to_have_text(AGENDA[1][0])
    expect(projector.locator(".poll-board")).to_have_attribute("data-state", "none")
    current.locator("[data-action=poll-show]").click()
    board = projector.locator(".poll-board")
    expect(board).to_have_attribute("data-state", "published")
    expect(board.locator(".pr-outcome")).to_have_attribute("data-outcome", "no_quorum")
    current.locator("[data-action=poll-hide]").click()
    expect(board).to_have_attribute("data-state", "none")

    # An election where at least one name must be chosen: no "Bỏ phiếu trắng" that cannot
    # be pressed; the voter is told what is missing.
    new_poll(chair, "Bầu Ủy viên (chọn 1 đến 2)", options="\n".join(CANDIDATES), min="1", max="2")
    expect(current).to_have_attribute("data-status", "open")
    ballot = tablet.locator(".poll-ballot")
    expect(ballot.locator(".pt-choice")).to_have_count(3)
    expect(ballot.get_by_text("Bỏ phiếu trắng")).to_have_count(0)
    next_button = ballot.locator("[data-action=next]")
    expect(next_button).to_be_disabled()
    expect(next_button).to_have_text("Tiếp tục")
    hint = ballot.locator(".pt-multi-hint")
    expect(hint).to_have_text("Chọn ít nhất 1 phương án để tiếp tục")
    expect(next_button).to_have_attribute("aria-describedby", hint.get_attribute("id") or "")
    screenshot(tablet, "screens-tablet-election-empty")
    ballot.locator(".pt-choice", has_text=CANDIDATES[0]).click()
    expect(next_button).to_be_enabled()
    expect(hint).to_have_count(0)
    assert small_targets(tablet) == []

    # The first poll did not vanish from the console: it is listed with its exports.
    earlier = chair.locator(".pc-earlier")
    expect(earlier.locator("summary")).to_have_text("Các cuộc biểu quyết trước (1)")
    earlier.locator("summary").click()
    row = earlier.locator(".pc-earlier-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Thông qua Tờ trình")
    expect(row).to_contain_text("Đã công bố")
    href = row.locator("a", has_text="Biên bản PDF").get_attribute("href")
    assert href and chair.context.request.get(href).ok
    assert folds_without_mark(chair) == []
    for name, page in screens.items():
        assert stray_literals(page) == [], name
    screenshot(chair, "screens-chair-earlier-polls", full_page=True)
    assert js_errors == []


def quorum_shown_as_server_says(tablet: Any) -> dict[str, Any]:
    """The tablet's box says what the server's attendance part says; → that quorum."""
    quorum: dict[str, Any] = tablet.evaluate("window.__meetingStore.state.attendance.quorum")
    box = tablet.locator(".tablet-attendance .quorum")
    expect(box).to_have_attribute("data-reached", "1" if quorum["reached"] else "0")
    expect(box.locator("strong")).to_have_text(
        "Đủ túc số" if quorum["reached"] else "Chưa đủ túc số"
    )
    expect(box.locator(".quorum-detail")).to_contain_text(
        f"{quorum['voting_present']}/{quorum['voting_total']} đại biểu có mặt, "
        f"cần {quorum['required']}"
    )
    return quorum


def test_tablet_shows_attendance_and_quorum(
    meeting_room: Any,
    screenshot: Any,
    js_errors: list[str],
) -> None:
    room = meeting_room("Kỳ họp thử điểm danh trên máy tính bảng", "Phòng họp số 2", AGENDA)
    mid = room.id
    chair = room.chair()
    tablet1 = room.tablet("delegate01")
    tablet2 = room.tablet("delegate02", "portrait")
    # The chair opening the console is present; the chair does not vote.
    for tablet in (tablet1, tablet2):
        expect(tablet.locator(".tablet-attendance .att-present")).to_have_text("1/12")
        assert quorum_shown_as_server_says(tablet)["reached"] is False

    # A check-in on one tablet reaches the other at once (attendance.updated).
    tablet1.locator("[data-action=checkin]").click()
    expect(tablet2.locator(".tablet-attendance .att-present")).to_have_text("2/12")
    assert quorum_shown_as_server_says(tablet2)["voting_present"] == 1
    # The secretary marks five more delegates present: six of ten, more than half.
    for name in [
        "Phạm Thị Bình",
        "Hoàng Văn Cường",
        "Vũ Thị Dung",
        "Đặng Văn Đức",
        "Bùi Thị Giang",
    ]:
        row = chair.locator(".person-row", has_text=name)
        row.locator("[data-status=present]").click()
        expect(row.locator("[data-status=present]")).to_have_attribute("aria-pressed", "true")
    for tablet in (tablet1, tablet2):
        expect(tablet.locator(".tablet-attendance .att-present")).to_have_text("7/12")
        expect(tablet.locator(".tablet-attendance .quorum")).to_have_attribute("data-reached", "1")
        quorum = quorum_shown_as_server_says(tablet)
        assert quorum["reached"] is True and quorum["voting_present"] == 6
    # The chair's console and the tablet agree.
    expect(chair.locator(".room-attendance .quorum")).to_have_attribute("data-reached", "1")
    screenshot(tablet1, "screens-tablet-quorum-landscape")
    screenshot(tablet2, "screens-tablet-quorum-portrait", full_page=True)

    # After a reload the snapshot alone brings it back.
    tablet2.reload()
    tablet2.wait_for_selector("html[data-conn='connected']")
    expect(tablet2.locator(".tablet-attendance .att-present")).to_have_text("7/12")
    quorum_shown_as_server_says(tablet2)
    assert small_targets(tablet1) == [] and small_targets(tablet2) == []
    for page in (tablet1, tablet2):
        assert stray_literals(page) == []

    # Once closed, the meeting is in the chair's folded "Đã kết thúc (n)" group, which
    # shows its arrow (it looked empty without one).
    chair.locator("[data-action=start]").click()
    chair.get_by_role("button", name="Bế mạc", exact=True).click()
    chair.get_by_role("button", name="Bấm lần nữa để bế mạc").click()
    expect(tablet1.locator(".tablet-current")).to_contain_text("Cuộc họp đã bế mạc")
    chair.goto("/#/")
    past = chair.locator("details.meeting-group[data-scope=past]")
    expect(past.locator("summary")).to_contain_text(re.compile(r"Đã kết thúc \(\d+\)"))
    assert folds_without_mark(chair) == []
    mark = past.locator("summary").evaluate("s => getComputedStyle(s, '::before').content")
    past.locator("summary").click()
    expect(past.locator(f".meeting-card[data-meeting-id='{mid}']")).to_be_visible()
    # Open, the arrow points down.
    opened = past.locator("summary").evaluate("s => getComputedStyle(s, '::before').content")
    assert opened != mark
    screenshot(chair, "screens-home-past-open")
    assert js_errors == []


def three_page_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    for i in range(3):
        doc.new_page(width=595, height=842).insert_text((60, 400), f"Trang {i + 1}", fontsize=64)
    doc.save(path)
    return path


def jump_clock(page: Any, seconds: int) -> None:
    """The page's clock runs `seconds` ahead until the next event with the server's time
    corrects it: the speaker's turn is in overtime for this screen, before the server's own
    limit acts (another part of the system ends a turn at its limit)."""
    page.evaluate(
        """(ms) => { const now = Date.now.bind(Date); Date.now = () => now() + ms; }""",
        seconds * 1000,
    )


def test_chair_presenting_keeps_the_floor(
    meeting_room: Any,
    screenshot: Any,
    js_errors: list[str],
    tmp_path: Path,
) -> None:
    room = meeting_room("Kỳ họp thử trình chiếu và phát biểu", "Phòng họp số 2", AGENDA)
    mid = room.id
    chair = room.chair()
    doc_id = upload_pdf(chair, mid, three_page_pdf(tmp_path / "to-trinh.pdf"))
    tablet1 = room.tablet("delegate01")
    tablet2 = room.tablet("delegate02")
    chair.locator("[data-action=start]").click()
    expect(chair.locator(".room-current .current-title-text")).to_have_text(AGENDA[0][0])

    chair.reload()  # the document list of the console comes with the page
    chair.wait_for_selector("html[data-conn='connected']")
    chair.locator(f".dv-item[data-doc-id='{doc_id}'] .dv-present").click()
    viewer = chair.locator(".dv-overlay:not([hidden])")
    expect(viewer.locator(f".dv[data-loaded-doc='{doc_id}']")).to_be_visible(timeout=20_000)
    badge = viewer.locator("[data-action=floor]")
    expect(badge).to_have_text("Hàng chờ phát biểu: 0")

    # A delegate asks for the floor while the chair presents: a toast over the document
    # and the count in the viewer's toolbar.
    tablet1.locator(".dv-overlay:not([hidden]) .dv-close").click()  # it followed the chair
    tablet1.locator("[data-action=request]").click()
    toast = chair.locator(".toast", has_text="Lê Văn An đăng ký phát biểu")
    expect(toast).to_be_visible()
    assert hidden_text(chair, ".toast-region") == []
    expect(badge).to_have_text("Hàng chờ phát biểu: 1")
    screenshot(chair, "screens-chair-presenting-request")

    # Back to the console without stopping: the presentation goes on and says so.
    badge.click()
    expect(chair.locator(".dv-overlay")).to_be_hidden()
    presenting = chair.locator(".dv-presenting")
    expect(presenting).to_contain_text("Bạn đang trình chiếu")
    expect(
        tablet2.locator(f".dv-overlay:not([hidden]) .dv[data-loaded-doc='{doc_id}']")
    ).to_be_visible(timeout=20_000)
    chair.locator(".queue-row").first.locator("[data-action=grant]").click()
    expect(chair.locator(".speaker-now .speaker-name")).to_have_text("Lê Văn An")

    # Back in the document, in the speaker's overtime: the turn can be ended from there.
    presenting.locator("[data-action=back-to-viewer]").click()
    expect(viewer.locator(f".dv[data-loaded-doc='{doc_id}']")).to_be_visible(timeout=20_000)
    expect(badge).to_contain_text("Đang phát biểu: Lê Văn An")
    jump_clock(chair, 6 * 60)
    expect(chair.locator(".speaker-now .speaker-timer")).to_have_class(re.compile("is-overrun"))
    end_in_viewer = viewer.locator("[data-action=viewer-end-turn]")
    expect(end_in_viewer).to_be_visible()
    expect(end_in_viewer).to_be_enabled()
    assert small_targets(chair) == []
    screenshot(chair, "screens-chair-presenting-overtime")
    end_in_viewer.click()
    expect(tablet2.locator(".tablet-speaking")).to_be_hidden()
    expect(end_in_viewer).to_be_hidden()

    # Stop presenting from the console.
    badge.click()
    presenting.locator("[data-action=stop-presenting]").click()
    expect(presenting).to_have_count(0)
    tablet2.wait_for_function("() => window.__meetingStore.state.presenter === null")
    expect(chair.locator(".dv-item-live")).to_have_count(0)

    # The console's own button in overtime: always there while a turn is active.
    tablet2.locator(".dv-overlay:not([hidden]) .dv-close").click()
    tablet2.locator("[data-action=request]").click()
    chair.locator(".queue-row").first.locator("[data-action=grant]").click()
    expect(chair.locator(".speaker-now .speaker-name")).to_have_text("Phạm Thị Bình")
    jump_clock(chair, 6 * 60)  # the grant's server_now set the clock right again
    expect(chair.locator(".speaker-now .speaker-timer")).to_have_class(re.compile("is-overrun"))
    end_turn = chair.locator(".speaker-now [data-action=end-turn]")
    expect(end_turn).to_be_visible()
    expect(end_turn).to_be_enabled()
    box = end_turn.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44, box
    screenshot(chair, "screens-chair-overtime")
    end_turn.click()
    expect(chair.locator(".history-summary")).to_have_text("Đã phát biểu (2)")
    assert stray_literals(chair) == []
    assert js_errors == []
