"""Voting in real browsers: the chair's poll panel, delegate tablets, the projector.

A meeting of its own (scheduled through REST by the secretary), so the shared demo meeting
and the order of tests do not matter. Screenshots go to $SHOTS_DIR (voting-*.png).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.room_helpers import CANDIDATES, close_poll, fits_without_scrolling, small_targets
from tests.e2e.room_helpers import VOTING_AGENDA as AGENDA

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def new_poll_form(chair: Any) -> Any:
    chair.locator("[data-action=poll-new]").click()
    dialog = chair.locator("dialog.pc-dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_named_and_secret_votes(
    meeting_room: Any,
    screenshot: Any,
    js_errors: list[str],
) -> None:
    room = meeting_room("Kỳ họp thử nghiệm biểu quyết", "Hội trường tầng 3", AGENDA)

    chair = room.chair()
    tablet1 = room.tablet("delegate01")
    tablet2 = room.tablet("delegate02", "portrait")
    projector = room.projector()

    chair.locator("[data-action=start]").click()
    chair.locator("[data-action=next]").click()
    expect(tablet1.locator(".current-title-text")).to_have_text(AGENDA[1][0])
    panel = chair.locator(".poll-chair")
    expect(panel).to_be_visible()
    expect(panel.locator(".pc-empty")).to_be_visible()

    # ---------------------------------------------------------------- a named yes/no vote
    dialog = new_poll_form(chair)
    # The title is the current item's; kind yes/no, named, all delegates, > half: defaults.
    expect(dialog.locator("input[name=title]")).to_have_value(AGENDA[1][0])
    expect(dialog.locator("input[name=kind][value=yes_no]")).to_be_checked()
    expect(dialog.locator("input[name=secret][value=named]")).to_be_checked()
    expect(dialog.locator("select[name=rule]")).to_have_value("absolute")
    dialog.locator("select[name=duration_seconds]").select_option("300")
    dialog.locator("input[name=show_running_tally]").check()
    screenshot(chair, "voting-chair-form")
    dialog.locator("[data-action=poll-create-open]").click()
    expect(dialog).to_be_hidden()

    current = panel.locator(".pc-current")
    expect(current).to_have_attribute("data-status", "open")
    expect(current.locator(".pb-count-n")).to_have_text("0/10")
    expect(current.locator(".pb-timer-text")).to_have_text(re.compile(r"^0[45]:\d\d$"))

    # The ballot comes up on both tablets by itself; the projector shows the live count.
    for tablet in (tablet1, tablet2):
        expect(tablet.locator(".poll-ballot .pt-choice")).to_have_count(3)
        expect(tablet.locator(".pt-choice[data-code=yes]")).to_contain_text("Tán thành")
        expect(tablet.locator(".pt-choice[data-code=no]")).to_contain_text("Không tán thành")
        expect(tablet.locator(".pt-choice[data-code=abstain]")).to_contain_text("Không biểu quyết")
    board = projector.locator(".poll-board")
    expect(board).to_have_attribute("data-state", "open")
    expect(board.locator(".pb-state")).to_be_visible()
    expect(board.locator(".pb-state")).to_have_text("Đang biểu quyết")
    expect(board.locator(".pb-count-n")).to_have_text("0/10")
    screenshot(tablet1, "voting-tablet-ballot-landscape")
    screenshot(tablet2, "voting-tablet-ballot-portrait")
    screenshot(projector, "voting-projector-open")
    fits_without_scrolling(projector)
    assert small_targets(tablet1) == []
    assert small_targets(tablet2) == []

    # Tablet 1: choose, then confirm (two steps); its own choice is shown afterwards.
    tablet1.locator(".pt-choice[data-code=yes]").click()
    expect(tablet1.locator(".pt-confirm .pt-chosen li")).to_have_text(re.compile("Tán thành"))
    screenshot(tablet1, "voting-tablet-confirm")
    tablet1.locator("[data-action=confirm]").click()
    expect(tablet1.locator(".pt-voted")).to_contain_text("Bạn đã biểu quyết")
    expect(tablet1.locator(".pt-mine .pt-chosen li")).to_contain_text("Tán thành")
    expect(current.locator(".pb-count-n")).to_have_text("1/10")
    expect(board.locator(".pb-count-n")).to_have_text("1/10")
    # The chair asked for the running tally (named poll).
    expect(current.locator(".pc-tally .pr-row[data-code=yes] .pr-count")).to_have_text("1")
    screenshot(tablet1, "voting-tablet-voted-named")

    # Reloaded mid-poll, the tablet knows from the snapshot that it already voted.
    tablet1.reload()
    tablet1.wait_for_selector("html[data-conn='connected']")
    expect(tablet1.locator(".pt-voted")).to_be_visible()
    expect(tablet1.locator(".pt-mine .pt-chosen li")).to_contain_text("Tán thành")
    expect(tablet1.locator(".pt-choice")).to_have_count(0)

    # Tablet 2: choose again before confirming, then vote against.
    tablet2.locator(".pt-choice[data-code=abstain]").click()
    tablet2.locator("[data-action=back]").click()
    tablet2.locator(".pt-choice[data-code=no]").click()
    tablet2.locator("[data-action=confirm]").click()
    expect(tablet2.locator(".pt-mine .pt-chosen li")).to_contain_text("Không tán thành")
    expect(board.locator(".pb-count-n")).to_have_text("2/10")
    screenshot(chair, "voting-chair-open")

    # Close (two taps), the chair sees the result first; the wall waits for publication.
    close_poll(current)
    expect(current.locator(".pr-outcome")).to_have_attribute("data-outcome", "rejected")
    expect(current.locator(".pr-row[data-code=yes] .pr-count")).to_have_text("1")
    expect(board).to_have_attribute("data-state", "closed")
    expect(board.locator(".pb-state")).to_contain_text("chờ công bố")
    expect(board.locator(".pr-outcome")).to_have_count(0)
    screenshot(chair, "voting-chair-closed")

    # Publish: the projector shows the chart, the outcome, the rule and the named list.
    current.locator("[data-action=poll-publish]").click()
    expect(current).to_have_attribute("data-status", "published")
    expect(board).to_have_attribute("data-state", "published")
    expect(board.locator(".pr-outcome")).to_be_visible()
    expect(board.locator(".pr-outcome")).to_have_text(re.compile("KHÔNG THÔNG QUA"))
    expect(board.locator(".pr-row[data-code=yes] .pr-count")).to_have_text("1")
    expect(board.locator(".pr-row[data-code=yes] .pr-percent")).to_have_text("10%")
    expect(board.locator(".pr-row[data-code=no] .pr-count")).to_have_text("1")
    expect(board.locator(".pr-rule")).to_contain_text("Quá nửa tổng số đại biểu")
    expect(board.locator(".pr-rule")).to_contain_text("cần 6 phiếu")
    expect(board.locator(".pr-named-row")).to_have_count(10)
    expect(board.locator(".pr-named-row", has_text="Lê Văn An")).to_contain_text("Tán thành")
    fits_without_scrolling(projector)
    screenshot(projector, "voting-projector-result-named")
    expect(tablet2.locator(".poll-ballot .pr-outcome")).to_have_attribute(
        "data-outcome", "rejected"
    )
    screenshot(tablet2, "voting-tablet-result-portrait")

    # Exports for the record.
    for suffix, kind in (("csv", "text/csv"), ("pdf", "application/pdf")):
        href = current.locator(f"[data-action=export-{suffix}]").get_attribute("href")
        response = chair.context.request.get(href)
        assert response.ok, (href, response.status)
        assert response.headers["content-type"].startswith(kind)

    # ---------------------------------------------------------------- a secret election
    chair.locator("[data-action=next]").click()
    expect(tablet1.locator(".current-title-text")).to_have_text(AGENDA[2][0])
    # The published result belongs to the previous item: the wall moves on with the agenda.
    expect(board).to_have_attribute("data-state", "none")
    dialog = new_poll_form(chair)
    dialog.locator("input[name=title]").fill("Bầu Ủy viên Ủy ban nhân dân tỉnh (chọn tối đa 2)")
    dialog.locator("input[name=kind][value=multiple]").check()
    dialog.locator(".pc-options").fill("\n".join(CANDIDATES))
    dialog.locator("input[name=min_choices]").fill("1")
    dialog.locator("input[name=max_choices]").fill("2")
    dialog.locator("input[name=secret][value=secret]").check()
    expect(dialog.locator("input[name=show_running_tally]")).to_be_disabled()
    dialog.locator("select[name=rule]").select_option("cast")
    dialog.locator("select[name=percent_base]").select_option("cast")
    screenshot(chair, "voting-chair-form-election")
    dialog.locator("[data-action=poll-save]").click()
    expect(dialog).to_be_hidden()
    draft = panel.locator(".pc-draft")
    expect(draft).to_have_count(1)
    expect(tablet1.locator(".pt-choice")).to_have_count(0)  # drafts never reach tablets
    draft.locator("[data-action=poll-open]").click()
    expect(current).to_have_attribute("data-status", "open")
    expect(board.locator(".pb-badge.is-secret")).to_be_visible()

    for tablet, picks in ((tablet1, CANDIDATES[:2]), (tablet2, CANDIDATES[1:2])):
        expect(tablet.locator(".pt-choice")).to_have_count(3)
        for name in picks:
            tablet.locator(".pt-choice", has_text=name).click()
        expect(tablet.locator(".pt-multi-count")).to_have_text(f"Đã chọn {len(picks)}/2")
        if tablet is tablet1:
            tablet.locator(".pt-choice", has_text=CANDIDATES[2]).click()  # a third: refused
            expect(tablet.locator(".pt-error")).to_contain_text("tối đa 2")
            screenshot(tablet, "voting-tablet-election")
        tablet.locator("[data-action=next]").click()
        expect(tablet.locator(".pt-confirm .pt-chosen li")).to_have_count(len(picks))
        tablet.locator("[data-action=confirm]").click()
        expect(tablet.locator(".pt-voted")).to_be_visible()
        expect(tablet.locator(".pt-receipt-code")).to_have_text(
            re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")
        )
        # A secret choice is not repeated on the tablet.
        expect(tablet.locator(".pt-mine .pt-chosen")).to_have_count(0)
    receipt = tablet2.locator(".pt-receipt-code").text_content()
    screenshot(tablet2, "voting-tablet-secret-receipt")
    expect(board.locator(".pb-count-n")).to_have_text("2/10")

    # Reloaded, the secret voter still has its receipt (kept on the tablet only).
    tablet2.reload()
    tablet2.wait_for_selector("html[data-conn='connected']")
    expect(tablet2.locator(".pt-voted")).to_be_visible()
    expect(tablet2.locator(".pt-receipt-code")).to_have_text(receipt or "")

    close_poll(current)
    current.locator("[data-action=poll-publish]").click()
    expect(board).to_have_attribute("data-state", "published")
    # Two ballots of ten: no quorum under "more than half of the ballots cast".
    expect(board.locator(".pr-outcome")).to_be_visible()
    expect(board.locator(".pr-outcome")).to_have_attribute("data-outcome", "no_quorum")
    expect(board.locator(f".pr-row:has-text('{CANDIDATES[1]}') .pr-count")).to_have_text("2")
    expect(board.locator(".pr-named-row")).to_have_count(0)
    fits_without_scrolling(projector)
    screenshot(projector, "voting-projector-result-secret")

    # The voter checks that the ballot was counted, without sending the code.
    tablet2.locator("[data-action=check-receipt]").click()
    expect(tablet2.locator(".pt-receipt-result")).to_have_attribute("data-check", "found")
    screenshot(tablet2, "voting-tablet-receipt-checked")
    screenshot(chair, "voting-chair-published", full_page=True)

    # English, second language: the published result follows the switch at once.
    tablet2.locator("button[data-lang=en]").first.click()
    expect(tablet2.locator(".poll-ballot .pr-outcome")).to_contain_text("NO QUORUM")
    expect(tablet2.locator(".pt-receipt-label")).to_have_text("Your secret-ballot receipt code")
    screenshot(tablet2, "voting-tablet-result-en")

    assert js_errors == []
