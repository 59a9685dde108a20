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


def _xobject_names(doc: pymupdf.Document, resources_xref: int) -> list[str]:
    kind, value = doc.xref_get_key(resources_xref, "XObject")
    assert kind == "dict", (kind, value)
    return [part.split()[0] for part in value.strip("<>").split("/")[1:]]


def test_pages_sharing_resources_share_one_placed_mark(tmp_path: Path) -> None:
    # Pages sharing one /Resources (as most saved files do) must not each add their own
    # overlay name to it: every later page would scan them all (quadratic, 5 s at 300).
    src = pymupdf.open(write_vietnamese_pdf(tmp_path / "v.pdf", 40))
    src[5].set_rotation(90)  # another geometry: its own placement
    src.save(tmp_path / "shared.pdf", garbage=3)
    doc = pymupdf.open(tmp_path / "shared.pdf")
    shared = int(doc.xref_get_key(doc[0].xref, "Resources")[1].split()[0])
    assert {doc.xref_get_key(p.xref, "Resources")[1] for p in doc} == {f"{shared} 0 R"}
    # Page 7 has resources of its own where the first overlay's name means something else.
    other = doc.get_new_xref()
    doc.update_object(other, "<</Type/XObject/Subtype/Form/BBox[0 0 1 1]>>")
    doc.update_stream(other, b"")
    own = doc.get_new_xref()
    doc.update_object(
        own, doc.xref_object(shared, compressed=True)[:-2] + f"/XObject<</fzFrm0 {other} 0 R>>>>"
    )
    doc.xref_set_key(doc[7].xref, "Resources", f"{own} 0 R")
    doc.save(tmp_path / "mixed.pdf")

    out = pymupdf.open(stream=mark_pdf(tmp_path / "mixed.pdf", NHUNG), filetype="pdf")
    for page in out:
        text = unicodedata.normalize("NFC", page.get_text())
        assert "Tài liệu cấp cho Nguyễn Thị Hồng Nhung" in text, page.number
        assert "QUYẾT ĐỊNH" in text
    shared_out = int(out.xref_get_key(out[0].xref, "Resources")[1].split()[0])
    assert len(_xobject_names(out, shared_out)) == 2  # one per geometry, not one per page
    own_out = int(out.xref_get_key(out[7].xref, "Resources")[1].split()[0])
    names = _xobject_names(out, own_out)
    assert len(names) == 2 and "fzFrm0" in names  # the page's own form is kept
    # Page 7 still draws its own fzFrm0, and the mark under another name.
    assert (
        out.xref_get_key(own_out, "XObject/fzFrm0")[1]
        != out.xref_get_key(shared_out, "XObject/fzFrm0")[1]
    )
