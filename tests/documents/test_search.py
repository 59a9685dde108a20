"""Diacritic-insensitive Vietnamese search."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pymupdf
import pytest

from meetings.documents.render import words
from meetings.documents.search import find_hits, find_word_hits, fold, normalize

from .conftest import write_vietnamese_pdf


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("quyết định", "quyet dinh"),
        ("QUYẾT  ĐỊNH\n", "quyet dinh"),
        ("Đà Nẵng", "da nang"),
        ("Ủy ban nhân dân tỉnh Hà Nam", "uy ban nhan dan tinh ha nam"),
        ("người ở ữ ỹ ặ Ợ", "nguoi o u y a o"),
        (unicodedata.normalize("NFD", "Quyết định"), "quyet dinh"),  # decomposed input
    ],
)
def test_normalize(text: str, key: str) -> None:
    assert normalize(text) == key


def test_fold_keeps_length() -> None:
    s = "QUYẾT ĐỊNH số 12/QĐ-UBND\nngày 30/11"
    assert len(fold(s)) == len(s)


def test_find_hits_with_snippets() -> None:
    pages = [
        "Trang bìa",
        "Căn cứ Luật Tổ chức chính quyền địa phương;\n"
        "Ủy ban nhân dân tỉnh ban hành Quyết\nđịnh số 12.",
        "Phụ lục: danh mục quyết định đã ban hành",
    ]
    hits = find_hits(pages, "quyet dinh")
    assert [h.page for h in hits] == [1, 2]
    h = hits[0]
    assert pages[1][h.start : h.end] == "Quyết\nđịnh"  # across a line break
    assert h.snippet[h.snippet_hit[0] : h.snippet_hit[1]] == "Quyết định"
    assert "ban hành Quyết định số 12." in h.snippet
    assert hits[1].snippet[slice(*hits[1].snippet_hit)] == "quyết định"


def test_query_with_diacritics_and_case() -> None:
    assert len(find_hits(["Quyết định; QUYẾT ĐỊNH; quyet dinh"], "Quyết Định")) == 3
    assert find_hits(["Hà Nam"], "   ") == []
    assert find_hits(["Hà Nam"], "Hà Nội") == []
    assert len(find_hits(["đ " * 100], "d", limit=7)) == 7


def test_word_box_hits(tmp_path: Path) -> None:
    doc = pymupdf.open(write_vietnamese_pdf(tmp_path / "v.pdf", 1))
    boxes = words(doc[0])
    hits = find_word_hits(boxes, "quyet dinh")
    assert len(hits) == 1
    assert [w.text for w in hits[0]] == ["QUYẾT", "ĐỊNH"]
    assert all(0 <= v <= 1 for w in hits[0] for v in (w.x0, w.y0, w.x1, w.y1))
    assert [w.text for w in find_word_hits(boxes, "ha nam")[0]] == ["HÀ", "NAM"]
    assert [[w.text for w in h] for h in find_word_hits(boxes, "dinh")] == [["ĐỊNH"]]
