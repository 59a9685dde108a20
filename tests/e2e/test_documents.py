"""Documents in real browsers: upload with progress in the chair console, presenting, two
tablets following, leaving and rejoining follow mode, and the per-person mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymupdf
import pytest

from meetings.documents.fonts import vietnamese_font
from tests.e2e.room_helpers import demo_meeting_id

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

FLAGS = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP


def make_pdf(path: Path, pages: int) -> Path:
    doc = pymupdf.open()
    font = vietnamese_font()
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 90), "TỜ TRÌNH", fontsize=28, fontname="dv", fontfile=font)
        page.insert_text((60, 130), "Kế hoạch đầu tư công năm 2027", fontsize=16, fontname="dv",
                         fontfile=font)  # fmt: skip
        page.insert_text((60, 400), f"Trang {i + 1}", fontsize=64, fontname="dv", fontfile=font)
        page.draw_rect(pymupdf.Rect(60, 460, 535, 760), color=(0.7, 0.1, 0.1), width=2)
    doc.save(path)
    return path


def _shown_page(page: Any) -> str:
    return str(page.locator(".dv-overlay:not([hidden]) .dv").get_attribute("data-loaded-page"))


def test_upload_present_follow(
    login_as: Any, screenshot: Any, js_errors: list[str], tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "to-trinh-dau-tu-cong.pdf", 40)
    chair = login_as("chair", viewport="laptop")
    mid = demo_meeting_id(chair.context)
    chair.goto(f"/#/meetings/{mid}/chair")
    card = chair.locator(".dv-card")
    expect(card).to_be_visible(timeout=15_000)
    expect(chair.locator(".dv-upload-btn")).to_be_visible()
    # Record every progress label the row shows: upload percent, then processing stages.
    chair.evaluate(
        """() => { window.__stages = [];
        new MutationObserver((ms) => { for (const m of ms) {
          const s = m.target.dataset && m.target.dataset.stage; if (s) window.__stages.push(s); } })
          .observe(document.body,
                   {subtree: true, attributes: true, attributeFilter: ["data-stage"]}); }"""
    )
    chair.locator(".dv-upload-box input[type=file]").set_input_files(str(pdf))
    row = chair.locator(".dv-upload").first
    expect(row).to_be_visible()
    screenshot(chair, "documents-uploading")
    expect(row).to_have_attribute("data-state", "done", timeout=60_000)
    stages = chair.evaluate("() => window.__stages")
    assert "docs.uploading" in stages, stages
    assert any(s.startswith("docs.stage_") for s in stages), stages  # server-side stages
    item = chair.locator(".dv-item").filter(has_text="to-trinh-dau-tu-cong")
    expect(item).to_be_visible()
    screenshot(chair, "documents-chair-list")

    tablets = [
        login_as(u, path=f"/meetings/{mid}/tablet", viewport="portrait")
        for u in ("delegate01", "delegate02")
    ]
    for t in tablets:
        expect(t.locator(".dv-item").filter(has_text="to-trinh-dau-tu-cong")).to_be_visible()

    item.locator(".dv-present").click()
    expect(chair.locator(".dv-overlay:not([hidden])")).to_be_visible()
    for t in tablets:
        expect(t.locator(".dv-overlay:not([hidden]) .dv[data-loaded-page='0']")).to_be_visible(
            timeout=20_000  # a 40-page document on a busy machine
        )
    chair.get_by_role("button", name="Trang sau").click()
    chair.get_by_role("button", name="Trang sau").click()
    for t in tablets:
        expect(t.locator(".dv-overlay:not([hidden]) .dv[data-loaded-page='2']")).to_be_visible(
            timeout=20_000  # a 40-page document on a busy machine
        )
    screenshot(chair, "documents-chair-presenting")
    screenshot(tablets[0], "documents-tablet-following")

    # delegate01 browses alone: swipe left turns to the next page and leaves follow mode.
    t1, t2 = tablets
    stage = t1.locator(".dv-overlay:not([hidden]) .dv-stage")
    box = stage.bounding_box()
    y = box["y"] + box["height"] / 2
    t1.mouse.move(box["x"] + box["width"] * 0.8, y)
    t1.mouse.down()
    t1.mouse.move(box["x"] + box["width"] * 0.2, y, steps=8)
    t1.mouse.up()
    expect(t1.locator(".dv-overlay:not([hidden]) .dv[data-loaded-page='3']")).to_be_visible()
    follow = t1.get_by_role("button", name="Theo dõi trình chiếu")
    expect(follow).to_be_visible()
    t1.locator(".dv-thumb[data-index='9']").scroll_into_view_if_needed()
    t1.locator(".dv-thumb[data-index='9']").click()
    expect(t1.locator(".dv-overlay:not([hidden]) .dv[data-loaded-page='9']")).to_be_visible()
    chair.get_by_role("button", name="Trang sau").click()  # the room goes to page 4 (index 3)
    expect(t2.locator(".dv-overlay:not([hidden]) .dv[data-loaded-page='3']")).to_be_visible()
    chair.get_by_role("button", name="Trang sau").click()
    expect(t2.locator(".dv-overlay:not([hidden]) .dv[data-loaded-page='4']")).to_be_visible()
    assert _shown_page(t1) == "9"  # stayed where the delegate went
    screenshot(t1, "documents-tablet-browsing-alone")
    follow.click()  # one tap back to the room's page
    expect(t1.locator(".dv-overlay:not([hidden]) .dv[data-loaded-page='4']")).to_be_visible()
    expect(follow).to_be_hidden()
    # Virtualised thumbnails: far fewer images than pages.
    images = t1.locator(".dv-thumb img").count()
    assert 0 < images < 40, images
    # Requested width = element width × devicePixelRatio, snapped to 100 px.
    src = t1.locator(".dv-overlay:not([hidden]) .dv-img").get_attribute("src")
    width = t1.locator(".dv-overlay:not([hidden]) .dv-stage").evaluate("e => e.clientWidth")
    assert f"w={min(3000, -(-width // 100) * 100)}" in src, (src, width)
    chair.get_by_role("button", name="Dừng trình chiếu").click()
    screenshot(t2, "documents-tablet-after-stop")
    assert js_errors == []


def test_delegate_page_carries_their_name(
    login_as: Any, tmp_path: Path, js_errors: list[str]
) -> None:
    pdf = make_pdf(tmp_path / "bao-cao.pdf", 2)
    secretary = login_as("secretary")
    mid = demo_meeting_id(secretary.context)
    csrf = secretary.context.request.get("/api/session").json()["csrf_token"]
    r = secretary.context.request.post(
        f"/api/meetings/{mid}/documents",
        multipart={
            "file": {
                "name": "bao-cao.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf.read_bytes(),
            },
            "sensitivity": "internal",
        },
        headers={"X-CSRFToken": csrf},
    )
    assert r.status == 201, r.text()
    doc_id = r.json()["document"]["id"]
    d1 = login_as("delegate01")
    d2 = login_as("delegate02")
    a = d1.context.request.get(f"/api/documents/{doc_id}/pages/0.png?w=1000").body()
    b = d2.context.request.get(f"/api/documents/{doc_id}/pages/0.png?w=1000").body()
    plain = pymupdf.open(pdf)[0].get_pixmap(matrix=pymupdf.Matrix(1000 / 595, 1000 / 595))
    pa, pb = pymupdf.Pixmap(a), pymupdf.Pixmap(b)
    assert (pa.width, pa.height) == (plain.width, plain.height)
    assert pa.samples != pb.samples  # each person's own mark
    assert pa.samples != plain.samples
    # The same mark as text: the watermarked download names the delegate.
    download = d1.context.request.get(f"/api/documents/{doc_id}/download")
    assert download.ok
    text = pymupdf.open(stream=download.body(), filetype="pdf")[0].get_text(flags=FLAGS)
    assert "Lê Văn An" in text and "Phạm Thị Bình" not in text
    assert js_errors == []
