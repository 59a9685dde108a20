"""Per-person marks on shared renders and on downloaded PDFs."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pymupdf

from meetings.documents.fonts import covers_vietnamese, vietnamese_font
from meetings.documents.render import render_page
from meetings.documents.watermark import Mark, mark_image, mark_pdf

from .conftest import write_vietnamese_pdf

NHUNG = Mark("Nguyễn Thị Hồng Nhung", "Sở Nội vụ tỉnh Hà Nam", "30/11/2025 14:05")
DUC = Mark("Trần Đức Ưng", "UBND huyện Kim Bảng", "30/11/2025 14:06")


def samples(data: bytes) -> tuple[int, int, bytes]:
    pix = pymupdf.Pixmap(data)
    return pix.width, pix.height, bytes(pix.samples)


def diff_fraction(a: bytes, b: bytes) -> float:
    return sum(1 for x, y in zip(a, b, strict=True) if x != y) / len(a)


def test_font_covers_vietnamese() -> None:
    assert covers_vietnamese(vietnamese_font())


def test_mark_changes_pixels_but_keeps_size(tmp_path: Path) -> None:
    doc = pymupdf.open(write_vietnamese_pdf(tmp_path / "v.pdf", 1))
    base = render_page(doc, 0, 1000)
    marked = mark_image(base, NHUNG)
    w0, h0, s0 = samples(base)
    w1, h1, s1 = samples(marked)
    assert (w0, h0) == (w1, h1)
    changed = diff_fraction(s0, s1)
    assert 0.01 < changed < 0.5  # visible, yet most of the page is untouched
    # Faint: no marked pixel darker than mid-grey where the page was white.
    darkest = min(v for v, b in zip(s1, s0, strict=True) if b == 255)
    assert darkest > 100
    # Per person: another name gives another image; the same person the same image.
    assert mark_image(base, DUC) != marked
    assert mark_image(base, NHUNG) == marked
    assert samples(mark_image(render_page(doc, 0, 1000, "jpeg"), NHUNG, "jpeg"))[:2] == (w0, h0)


def test_watermarked_pdf_text_names_the_person(tmp_path: Path) -> None:
    src = write_vietnamese_pdf(tmp_path / "v.pdf", 3)
    doc = pymupdf.open(src)
    doc[1].set_rotation(90)
    doc.save(tmp_path / "r.pdf")
    before = (tmp_path / "r.pdf").read_bytes()
    out = pymupdf.open(stream=mark_pdf(tmp_path / "r.pdf", NHUNG), filetype="pdf")
    assert (tmp_path / "r.pdf").read_bytes() == before  # the stored original is untouched
    assert out.page_count == 3
    for page in out:
        text = unicodedata.normalize("NFC", page.get_text())
        assert "Tài liệu cấp cho Nguyễn Thị Hồng Nhung · Sở Nội vụ tỉnh Hà Nam" in text
        assert "QUYẾT ĐỊNH" in text  # original text still there
    # The footer sits at the bottom of the page as the reader sees it, rotated or not.
    for page in out:
        hits = page.search_for("Tài liệu cấp cho")
        assert hits
        box = hits[0] * page.rotation_matrix
        assert box.y0 > page.rect.height * 0.9
