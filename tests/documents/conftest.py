"""Fixtures for the document pipeline: one worker pool per session, generated PDFs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from meetings.documents.fonts import vietnamese_font
from meetings.documents.ingest import IngestPool

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("PDF_CORPUS", ROOT.parent / "shared" / "corpus" / "pdfjs"))

VI_LINES = [
    "ỦY BAN NHÂN DÂN TỈNH HÀ NAM",
    "QUYẾT ĐỊNH về việc phê duyệt kế hoạch",
    "đầu tư công trung hạn giai đoạn 2026–2030",
]


def write_vietnamese_pdf(path: Path, pages: int = 3, *, title: str = "Kế hoạch") -> Path:
    doc = pymupdf.open()
    font = vietnamese_font()
    for i in range(pages):
        page = doc.new_page(width=595, height=842)
        y = 80.0
        for line in VI_LINES:
            page.insert_text((60, y), line, fontsize=14, fontname="dv", fontfile=font)
            y += 24
        page.insert_text((60, y), f"Trang {i + 1}", fontsize=12, fontname="dv", fontfile=font)
    doc.set_metadata({"title": title})
    doc.save(path)
    return path


def write_blank_pdf(path: Path, pages: int, width: float = 595, height: float = 842) -> Path:
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page(width=width, height=height)
    doc.save(path)
    return path


@pytest.fixture(scope="session")
def pool() -> Iterator[IngestPool]:
    with IngestPool(2, timeout=60, stall_timeout=20) as p:
        yield p


@pytest.fixture
def vi_pdf(tmp_path: Path) -> Path:
    return write_vietnamese_pdf(tmp_path / "quyet-dinh.pdf")
