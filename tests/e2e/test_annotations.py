"""Annotations in real browsers: drawing with pointer events on a tablet and finding the
mark after a reload; the presenter's stroke on a second tablet and on the projector;
drawing offline and syncing exactly once; a page with 1,000 marks drawn in time."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from meetings.documents.fonts import vietnamese_font
from tests.e2e.room_helpers import MeetingRoom, csrf, demo_meeting_id, upload_pdf

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

VISIBLE = ".dv-overlay:not([hidden])"
FIT_LABEL = re.compile(r"^Vừa (chiều rộng|trang)$")


def make_pdf(path: Path, pages: int = 4) -> Path:
    doc = pymupdf.open()
    font = vietnamese_font()
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 90), "TỜ TRÌNH", fontsize=28, fontname="dv", fontfile=font)
        page.insert_text((60, 130), "Kế hoạch đầu tư công năm 2027 của tỉnh", fontsize=16,
                         fontname="dv", fontfile=font)  # fmt: skip
        page.insert_text((60, 400), f"Trang {i + 1}", fontsize=64, fontname="dv", fontfile=font)
    doc.save(path)
    return path


def _open(page: Any, doc_id: int) -> Any:
    item = page.locator(f".dv-item[data-doc-id='{doc_id}'] .dv-item-open")
    expect(item).to_be_visible(timeout=20_000)
    if page.locator(VISIBLE).count():  # following someone's presentation: leave it
        page.locator(f"{VISIBLE} .dv-close").click()
    item.click()
    viewer = page.locator(f"{VISIBLE} .dv[data-loaded-doc='{doc_id}']")
    expect(viewer).to_be_visible(timeout=20_000)
    return viewer


def _settled_box(page: Any) -> Any:
    """The layer's box once layout has settled: on a busy machine the page image can
    arrive and resize the page between measuring and drawing (a person draws on what
    they see, so the test must too)."""
    layer = page.locator(f"{VISIBLE} .an-layer")
    box = layer.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(100)
        again = layer.bounding_box()
        if again == box:
            return box
        box = again
    raise AssertionError("the page layout never settled")


def _draw(
    page: Any, fx: float = 0.2, fy: float = 0.3, length: float = 0.5, steps: int = 40
) -> None:
    """A wavy stroke with the mouse (pointer events) across the visible page."""
    box = _settled_box(page)
    x0, y0 = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, steps + 1):
        x = x0 + box["width"] * length * i / steps
        y = y0 + (12 if i % 2 else -12)
        page.mouse.move(x, y)
    page.mouse.up()


def _tool(page: Any, name: str) -> None:
    page.locator(f"{VISIBLE} .an-btn[data-action='{name}']").click()


def _count(page: Any) -> int:
    return int(page.locator(f"{VISIBLE} .an-layer").get_attribute("data-count") or 0)


def _synced(page: Any) -> None:
    expect(page.locator("html[data-annot-pending='0']")).to_have_count(1, timeout=15_000)


def _ink_pixels(page: Any) -> int:
    """Strongly red pixels on the marks canvas (the pen's default colour)."""
    return int(
        page.locator(f"{VISIBLE} .an-base").evaluate(
            """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let n = 0; for (let i = 0; i < d.length; i += 4)
                        if (d[i + 3] > 200 && d[i] > 150 && d[i + 1] < 90) n++; return n; }"""
        )
    )


def _mine(page: Any, mid: int, doc_id: int) -> list[dict[str, Any]]:
    r = page.context.request.get(f"/api/meetings/{mid}/documents/{doc_id}/annotations")
    assert r.ok, r.text()
    return list(r.json()["mine"])


@pytest.fixture
def doc(login_as: Any, tmp_path: Path) -> tuple[MeetingRoom, int]:
    """The demo meeting, and a new document in it."""
    chair = login_as("chair", viewport="laptop", wait_connected=False)
    mid = demo_meeting_id(chair.context)
    doc_id = upload_pdf(chair, mid, make_pdf(tmp_path / f"to-trinh-{uuid.uuid4().hex[:6]}.pdf"))
    chair.context.close()
    return MeetingRoom(mid, login_as), doc_id


def test_draw_reload_and_the_mark_is_still_there(
    doc: tuple[MeetingRoom, int], screenshot: Any, js_errors: list[str]
) -> None:
    room, doc_id = doc
    tablet = room.tablet("delegate01")
    _open(tablet, doc_id)
    _tool(tablet, "pen")
    _draw(tablet)
    _tool(tablet, "highlighter")
    _draw(tablet, fy=0.15, length=0.6, steps=10)
    expect(tablet.locator(f"{VISIBLE} .an-layer[data-count='2']")).to_be_visible()
    _synced(tablet)
    screenshot(tablet, "annotations-tablet-drawn")
    saved = _mine(tablet, room.id, doc_id)
    assert sorted(a["kind"] for a in saved) == ["highlighter", "ink"]
    ink = next(a for a in saved if a["kind"] == "ink")
    assert 0.19 < ink["points"][0] < 0.21 and 0.28 < ink["points"][1] < 0.32

    tablet.reload()
    tablet.wait_for_selector("html[data-conn='connected']")
    _open(tablet, doc_id)
    expect(tablet.locator(f"{VISIBLE} .an-layer[data-count='2']")).to_be_visible()
    assert _ink_pixels(tablet) > 100
    # The list jumps to the marked page.
    _tool(tablet, "list")
    items = tablet.locator(".an-list-item")
    expect(items).to_have_count(2)
    screenshot(tablet, "annotations-tablet-list")
    # Sticky note: tap with the note tool, type, save; undo removes the last mark.
    tablet.locator(".an-list-head .an-btn").click()
    _tool(tablet, "note")
    box = tablet.locator(f"{VISIBLE} .an-layer").bounding_box()
    tablet.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.5)
    tablet.locator(".an-note-text").fill("Đề nghị làm rõ nguồn vốn")
    tablet.locator(".an-dialog [data-action='save']").click()
    expect(tablet.locator(f"{VISIBLE} .an-note")).to_have_count(1)
    screenshot(tablet, "annotations-tablet-note")
    _tool(tablet, "undo")
    expect(tablet.locator(f"{VISIBLE} .an-note")).to_have_count(0)
    _synced(tablet)
    assert len(_mine(tablet, room.id, doc_id)) == 2
    # Eraser removes a stroke it passes over.
    _tool(tablet, "eraser")
    _draw(tablet, fx=0.3, fy=0.3, length=0.1, steps=5)
    expect(tablet.locator(f"{VISIBLE} .an-layer[data-count='1']")).to_be_visible()
    _synced(tablet)
    assert [a["kind"] for a in _mine(tablet, room.id, doc_id)] == ["highlighter"]
    assert js_errors == []


def test_finger_tap_creates_a_sticky_note(
    doc: tuple[MeetingRoom, int], screenshot: Any, js_errors: list[str]
) -> None:
    """A real touch tap (touchstart/touchend, then the click the browser makes of them):
    the note box opened by the tap's pointerup must survive that tap's own click."""
    room, doc_id = doc
    tablet = room.tablet("delegate04", has_touch=True)
    _open(tablet, doc_id)
    _tool(tablet, "note")
    box = _settled_box(tablet)
    # Near a corner of the page: the box opens in the middle, so the tap's click lands on
    # the backdrop around it, as a finger on a real tablet does.
    x, y = box["x"] + box["width"] * 0.08, box["y"] + box["height"] * 0.9
    tablet.touchscreen.tap(x, y)
    dialog = tablet.locator(".an-dialog")
    expect(dialog).to_be_visible()
    card = dialog.bounding_box()
    assert not (
        card["x"] <= x <= card["x"] + card["width"] and card["y"] <= y <= card["y"] + card["height"]
    )
    tablet.wait_for_timeout(500)  # the tap's click arrives within milliseconds
    expect(dialog).to_be_visible()
    tablet.locator(".an-note-text").fill("Ghi chú bằng ngón tay")
    screenshot(tablet, "annotations-tablet-note-touch")
    tablet.locator(".an-dialog [data-action='save']").tap()
    expect(tablet.locator(f"{VISIBLE} .an-note")).to_have_count(1)
    _synced(tablet)
    kinds: list[str] = []
    for _ in range(60):  # the pending counter can read 0 before the queue has sent it
        kinds = [a["kind"] for a in _mine(tablet, room.id, doc_id)]
        if kinds:
            break
        tablet.wait_for_timeout(250)
    assert kinds == ["note"]
    # A tap outside the box (press and release on the backdrop) still cancels it.
    _tool(tablet, "note")
    tablet.touchscreen.tap(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
    expect(dialog).to_be_visible()
    tablet.touchscreen.tap(box["x"] + 30, box["y"] + box["height"] - 30)
    expect(dialog).to_have_count(0)
    expect(tablet.locator(f"{VISIBLE} .an-note")).to_have_count(1)
    assert js_errors == []


def test_fit_button_says_what_it_does(
    doc: tuple[MeetingRoom, int], screenshot: Any, js_errors: list[str]
) -> None:
    """The fit button names the fit it switches to, and its label follows each press."""
    room, doc_id = doc
    for viewport in ("tablet", "portrait"):
        page = room.tablet("delegate05", viewport)
        viewer = _open(page, doc_id)
        button = page.locator(f"{VISIBLE} .dv-toolbar button", has_text=FIT_LABEL)
        sheet = page.locator(f"{VISIBLE} .an-layer")
        labels = []
        for _ in range(2):
            label = button.inner_text().strip()
            labels.append(label)
            before = _settled_box(page)
            button.click()
            expect(button).not_to_have_text(label)
            after = _settled_box(page)
            # "Vừa chiều rộng" makes the page wider; "Vừa trang" shows it whole.
            if label == "Vừa chiều rộng":
                assert after["width"] > before["width"] + 20, (viewport, before, after)
            else:
                assert after["height"] < before["height"] - 20, (viewport, before, after)
        assert sorted(labels) == ["Vừa chiều rộng", "Vừa trang"], (viewport, labels)
        assert viewer.get_attribute("data-fit") in ("width", "page")
        assert sheet.count() == 1
        screenshot(page, f"documents-fit-{viewport}")
        page.context.close()
    assert js_errors == []


def test_presenter_stroke_reaches_tablet_and_projector(
    doc: tuple[MeetingRoom, int], screenshot: Any, js_errors: list[str]
) -> None:
    room, doc_id = doc
    chair, tablet, projector = room.chair(), room.tablet("delegate02", "portrait"), room.projector()
    chair.locator(f".dv-item[data-doc-id='{doc_id}'] .dv-present").click()
    for page in (chair, tablet, projector):
        expect(
            page.locator(f"{VISIBLE} .dv[data-loaded-doc='{doc_id}'][data-loaded-page='0']")
        ).to_be_visible(timeout=20_000)
    _tool(chair, "pen")
    chair.locator(f"{VISIBLE} .an-btn[data-action='room']").click()
    _draw(chair, steps=60)
    ended = time.monotonic()
    for page in (tablet, projector):
        # Generous: this checks that the stroke arrives, not how fast (a loaded CI machine
        # once took longer than 5 s); the time is printed, and measured by the benchmark.
        expect(page.locator(f"{VISIBLE} .an-layer[data-count='1']")).to_be_visible(timeout=20_000)
    elapsed_ms = (time.monotonic() - ended) * 1000
    print(f"presenter stroke visible on tablet and projector {elapsed_ms:.0f} ms after pointerup")
    assert _ink_pixels(tablet) > 100 and _ink_pixels(projector) > 100
    # The laser streams while it moves, and is not stored.
    _tool(chair, "laser")
    box = chair.locator(f"{VISIBLE} .an-layer").bounding_box()
    chair.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    chair.mouse.down()
    chair.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.55, steps=10)
    expect(projector.locator(".an-laser:not([hidden])")).to_be_visible()
    screenshot(projector, "annotations-projector-shared-laser")
    chair.mouse.up()
    expect(projector.locator(".an-laser")).to_be_hidden()
    screenshot(tablet, "annotations-tablet-shared-mark")
    screenshot(chair, "annotations-chair-presenting")
    # The chair clears the page: it goes from every screen.
    chair.locator(f"{VISIBLE} .an-btn[data-action='clear']").click()
    for page in (tablet, projector):
        expect(page.locator(f"{VISIBLE} .an-layer[data-count='0']")).to_be_visible()
    chair.locator(f"{VISIBLE} .dv-toolbar").get_by_role("button", name="Dừng trình chiếu").click()
    assert js_errors == []


def test_offline_drawing_syncs_exactly_once(
    doc: tuple[MeetingRoom, int], screenshot: Any, js_errors: list[str]
) -> None:
    room, doc_id = doc
    tablet = room.tablet("delegate03")
    _open(tablet, doc_id)
    _tool(tablet, "pen")
    tablet.context.set_offline(True)
    expect(tablet.locator("html[data-conn='connected']")).to_have_count(0, timeout=30_000)
    _draw(tablet)
    _draw(tablet, fy=0.5)
    expect(tablet.locator(f"{VISIBLE} .an-layer[data-count='2']")).to_be_visible()
    expect(tablet.locator("html[data-annot-pending='2']")).to_have_count(1)
    expect(tablet.locator(".an-pending")).to_be_visible()
    screenshot(tablet, "annotations-tablet-offline")
    tablet.context.set_offline(False)
    tablet.wait_for_selector("html[data-conn='connected']", timeout=30_000)
    _synced(tablet)
    saved = _mine(tablet, room.id, doc_id)
    assert len(saved) == 2, saved
    # Reconnect, the online event and a manual flush together: still no duplicate.
    tablet.evaluate("() => window.dispatchEvent(new Event('online'))")
    tablet.wait_for_timeout(500)
    assert len(_mine(tablet, room.id, doc_id)) == 2
    assert js_errors == []


def test_a_page_with_1000_marks_draws_in_time(
    doc: tuple[MeetingRoom, int], screenshot: Any, js_errors: list[str]
) -> None:
    room, doc_id = doc
    tablet = room.tablet("delegate04")
    token = csrf(tablet.context)
    for batch in range(5):
        ops = []
        for i in range(200):
            n = batch * 200 + i
            x, y = 0.05 + (n % 25) * 0.036, 0.05 + (n // 25) * 0.022
            pts = [
                v for j in range(40) for v in (min(1, x + j * 0.0008), min(1, y + 0.004 * (j % 5)))
            ]
            ops.append(
                {
                    "op": "create",
                    "op_id": str(uuid.uuid4()),
                    "annotation": {
                        "id": str(uuid.uuid4()),
                        "document_id": doc_id,
                        "page": 0,
                        "kind": "ink",
                        "color": "#1565c0",
                        "width": 1.5,
                        "points": pts,
                    },
                }
            )
        r = tablet.context.request.post(
            f"/api/meetings/{room.id}/annotations/sync",
            data=json.dumps({"ops": ops}),
            headers={"X-CSRFToken": token, "Content-Type": "application/json"},
        )
        assert r.ok and all(x["ok"] for x in r.json()["results"])
    _open(tablet, doc_id)
    layer = tablet.locator(f"{VISIBLE} .an-layer[data-count='1000']")
    expect(layer).to_be_visible(timeout=20_000)
    # Redraw a few times (what a resize or zoom does) and keep the slowest.
    slowest = 0.0
    for _ in range(5):
        tablet.evaluate("() => window.dispatchEvent(new Event('resize'))")
        ms = float(layer.get_attribute("data-draw-ms") or 0)
        slowest = max(slowest, ms)
    print(f"1000 marks: {slowest:.1f} ms per full redraw")
    screenshot(tablet, "annotations-tablet-1000")
    assert slowest < 50  # well within a frame budget at 20 fps even on this machine
    assert js_errors == []
