"""The agenda editor in a real browser: a secretary writes three items with sub-items,
picks a presenter among the participants, drops two PDFs onto items, reorders (drag and
buttons), renames, sets a document confidential, replaces one with a new version (a tablet
is told), and sees the warning when the agenda runs past the planned end."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from meetings.documents.fonts import vietnamese_font

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

WAIT = 20_000  # generous: the machine is shared


def make_pdf(path: Path, pages: int, heading: str, title: str | None = None) -> Path:
    doc = pymupdf.open()
    font = vietnamese_font()
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 90), heading, fontsize=24, fontname="dv", fontfile=font)
        page.insert_text((60, 400), f"Trang {i + 1}", fontsize=48, fontname="dv", fontfile=font)
    if title is not None:
        doc.set_metadata({"title": title})
    doc.save(path)
    return path


def drop_files(page: Any, selector: str, files: list[Path]) -> None:
    """Drop files onto an element the way a browser does (dragenter, dragover, drop with a
    DataTransfer holding File objects)."""
    payload = [{"name": f.name, "b64": base64.b64encode(f.read_bytes()).decode()} for f in files]
    page.evaluate(
        """([selector, files]) => {
          const target = document.querySelector(selector);
          const dt = new DataTransfer();
          for (const f of files) {
            const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name, { type: "application/pdf" }));
          }
          for (const type of ["dragenter", "dragover", "drop"]) {
            const init = { bubbles: true, cancelable: true, dataTransfer: dt };
            target.dispatchEvent(new DragEvent(type, init));
          }
        }""",
        [selector, payload],
    )


def drag_row(page: Any, source_id: str | None, target_id: str | None) -> None:
    """Drag an agenda row by its grip onto the top half of another row (HTML5 drag events
    as the browser sends them: dragstart on the grip, dragover and drop on the target)."""
    page.evaluate(
        """([source, target]) => {
          const grip = document.querySelector(`li.ae-item[data-id="${source}"] .ae-row > .ae-grip`);
          const row = document.querySelector(`li.ae-item[data-id="${target}"]`);
          const box = row.getBoundingClientRect();
          const dt = new DataTransfer();
          const at = { bubbles: true, cancelable: true, dataTransfer: dt,
                       clientX: box.left + 20, clientY: box.top + 5 };
          grip.dispatchEvent(new DragEvent("dragstart", at));
          row.dispatchEvent(new DragEvent("dragover", at));
          row.dispatchEvent(new DragEvent("drop", at));
          grip.dispatchEvent(new DragEvent("dragend", at));
        }""",
        [source_id, target_id],
    )


def item_row(page: Any, title: str) -> Any:
    return page.locator(f'li.ae-item[data-title="{title}"]')


def titles(page: Any) -> list[str]:
    return list(
        page.locator("li.ae-item input.ae-title").evaluate_all("els => els.map(e => e.value)")
    )


def numbers(page: Any) -> list[str]:
    return list(page.locator("li.ae-item .ae-num").all_inner_texts())


def add_item(page: Any, title: str, minutes: int) -> None:
    count = page.locator("li.ae-item").count()
    page.locator(".ae-add-title").fill(title)
    page.locator(".ae-add .ae-minutes").fill(str(minutes))
    page.locator(".ae-add-btn").click()
    expect(page.locator("li.ae-item")).to_have_count(count + 1, timeout=WAIT)


def add_sub_items(page: Any, parent: str, subs: list[str]) -> None:
    row = page.locator(f'li.ae-item:not(.ae-sub)[data-title="{parent}"]')
    row.locator(".ae-add-sub").click()
    for sub in subs:
        count = page.locator("li.ae-item").count()
        row.locator(".ae-sub-title").fill(sub)
        row.locator(".ae-sub-title").press("Enter")
        expect(page.locator("li.ae-item")).to_have_count(count + 1, timeout=WAIT)
    row.locator(".ae-subform button", has_text="Xong").click()


def test_secretary_prepares_the_agenda(
    meeting_room: Any, login_as: Any, screenshot: Any, js_errors: list[str], tmp_path: Path
) -> None:
    m = meeting_room("Họp soạn chương trình", "Phòng họp số 3", [])  # two hours planned
    page = login_as("secretary", path=f"/meetings/{m.id}/agenda", viewport="tablet")
    expect(page.locator(".ae-layout")).to_be_visible(timeout=WAIT)
    expect(page.locator(".prepare-tabs .tab[aria-current=page]")).to_have_text(
        "Chương trình và tài liệu"
    )
    expect(page.locator(".ae-empty")).to_be_visible()

    # Three items, then sub-items: numbered 1, 2, 2.1, 2.2, 3, 3.1.
    add_item(page, "Khai mạc", 10)
    add_item(page, "Báo cáo kinh tế - xã hội", 30)
    add_item(page, "Thảo luận và kết luận", 40)
    add_sub_items(page, "Báo cáo kinh tế - xã hội", ["Sở Tài chính báo cáo", "Sở Kế hoạch báo cáo"])
    add_sub_items(page, "Thảo luận và kết luận", ["Ý kiến các đại biểu"])
    expect(page.locator("li.ae-item .ae-num")).to_have_text(["1", "2", "2.1", "2.2", "3", "3.1"])
    time = page.locator("[data-testid=agenda-time]")
    expect(time).to_contain_text("95 / 120 phút")
    expect(page.locator(".ae-time-warn")).to_be_hidden()

    # The presenter is a person picked from the participants (delegate01 is Lê Văn An).
    report = item_row(page, "Báo cáo kinh tế - xã hội")
    report.locator(".ae-presenter").fill("Lê Văn An")
    report.locator(".ae-presenter").press("Enter")
    expect(report.locator(".ae-presenter-kind")).to_have_attribute(
        "data-kind", "person", timeout=WAIT
    )
    expect(report.locator(".ae-presenter-kind")).to_have_text("Thành viên cuộc họp")
    # A typed name of someone outside the meeting is free text.
    opening = item_row(page, "Khai mạc")
    opening.locator(".ae-presenter").fill("GS. Nguyễn Khách Mời")
    opening.locator(".ae-presenter").press("Enter")
    expect(opening.locator(".ae-presenter-kind")).to_have_attribute(
        "data-kind", "outside", timeout=WAIT
    )

    # Two PDFs dropped onto items; the one without a title is named after its file.
    report_id = report.get_attribute("data-id")
    discussion = item_row(page, "Thảo luận và kết luận")
    discussion_id = discussion.get_attribute("data-id")
    plain = make_pdf(tmp_path / "bao_cao_kt-xh_2026.pdf", 3, "BÁO CÁO")
    titled = make_pdf(tmp_path / "du-thao.pdf", 2, "DỰ THẢO", title="Dự thảo kết luận")
    drop_files(page, f'li.ae-item[data-id="{report_id}"] .ae-docs', [plain])
    drop_files(page, f'li.ae-item[data-id="{discussion_id}"] .ae-docs', [titled])
    report_doc = report.locator(".ae-doc")
    expect(report_doc).to_have_count(1, timeout=WAIT)
    expect(report_doc.locator(".ae-doc-title")).to_have_value("bao cao kt-xh 2026")
    expect(discussion.locator(".ae-doc .ae-doc-title")).to_have_value(
        "Dự thảo kết luận", timeout=WAIT
    )
    screenshot(page, "agenda-editor-tablet")

    # Rename, and make it confidential (no download).
    report_doc.locator(".ae-doc-title").fill("Báo cáo tình hình KT-XH năm 2026")
    report_doc.locator(".ae-doc-title").press("Enter")
    expect(report_doc.locator(".ae-doc-title")).to_have_class(
        "input ae-doc-title is-saved", timeout=WAIT
    )
    report_doc.locator(".ae-sensitivity").select_option("confidential")
    expect(report_doc.locator(".ae-no-download")).to_be_visible(timeout=WAIT)

    # Reorder: item 3 dragged above item 2 by its grip, then back down with the button.
    drag_row(page, discussion.get_attribute("data-id"), report_id)
    expect(page.locator("li.ae-item .ae-num")).to_have_text(
        ["1", "2", "2.1", "3", "3.1", "3.2"], timeout=WAIT
    )
    assert titles(page)[1] == "Thảo luận và kết luận"
    item_row(page, "Thảo luận và kết luận").locator(".ae-down").click()
    expect(page.locator("li.ae-item input.ae-title").first).to_have_value("Khai mạc")
    page.wait_for_function(
        """() => [...document.querySelectorAll('li.ae-item input.ae-title')]
                 .map((e) => e.value).indexOf('Thảo luận và kết luận') === 4""",
        timeout=WAIT,
    )
    # The documents moved with their items.
    expect(item_row(page, "Báo cáo kinh tế - xã hội").locator(".ae-doc")).to_have_count(1)

    # Replace the report with a new version; a delegate's tablet is told.
    tablet = login_as("delegate01", path=f"/meetings/{m.id}/tablet", viewport="tablet")
    expect(tablet.locator(".dv-card")).to_be_visible(timeout=WAIT)
    expect(
        tablet.locator(".dv-item-title", has_text="Báo cáo tình hình KT-XH năm 2026")
    ).to_be_visible(timeout=WAIT)
    v2 = make_pdf(tmp_path / "bao-cao-v2.pdf", 5, "BÁO CÁO (SỬA)")
    report_doc = item_row(page, "Báo cáo kinh tế - xã hội").locator(".ae-doc")
    report_doc.locator("input[type=file]").set_input_files(str(v2))
    expect(report_doc.locator(".ae-version")).to_have_text("Phiên bản 2", timeout=WAIT)
    expect(report_doc.locator(".ae-doc-title")).to_have_value("Báo cáo tình hình KT-XH năm 2026")
    expect(report_doc.locator(".ae-doc-meta")).to_contain_text("5 trang")
    expect(
        tablet.locator(
            ".toast", has_text="Tài liệu “Báo cáo tình hình KT-XH năm 2026” đã có phiên bản mới"
        )
    ).to_be_visible(timeout=WAIT)
    screenshot(tablet, "agenda-editor-tablet-new-version")

    # Past the planned end: a warning, and the change is kept.
    minutes = item_row(page, "Thảo luận và kết luận").locator(".ae-minutes")
    minutes.fill("90")
    minutes.press("Enter")
    expect(time).to_contain_text("145 / 120 phút", timeout=WAIT)
    warn = page.locator(".ae-time-warn")
    expect(warn).to_be_visible()
    expect(warn).to_contain_text("25 phút")
    expect(time).to_have_attribute("data-over", "1")
    screenshot(page, "agenda-editor-over-time")

    # The same screen in portrait.
    portrait = login_as("secretary", path=f"/meetings/{m.id}/agenda", viewport="portrait")
    expect(portrait.locator("li.ae-item")).to_have_count(6, timeout=WAIT)
    expect(portrait.locator(".ae-doc")).to_have_count(2, timeout=WAIT)
    screenshot(portrait, "agenda-editor-portrait")
    screenshot(portrait, "agenda-editor-portrait-full", full_page=True)

    # Delete with confirmation: the first tap only arms the button.
    closing = item_row(page, "Khai mạc")
    closing.locator(".ae-delete").click()
    expect(page.locator("li.ae-item")).to_have_count(6)
    expect(closing.locator(".ae-delete")).to_have_text("Chạm lần nữa để xóa")
    closing.locator(".ae-delete").click()
    expect(page.locator("li.ae-item")).to_have_count(5, timeout=WAIT)
    expect(page.locator("li.ae-item .ae-num").first).to_have_text("1")
    assert js_errors == []
