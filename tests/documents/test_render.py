"""Rendering: sizes, formats, bounds, disk cache, ETags, word boxes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pymupdf
import pytest

from meetings.documents.render import (
    MAX_HEIGHT,
    RenderCache,
    etag_for,
    render_page,
    snap_width,
    words,
)

from .conftest import write_vietnamese_pdf


@pytest.fixture
def pdf(tmp_path: Path) -> tuple[str, Path]:
    path = write_vietnamese_pdf(tmp_path / "v.pdf", 2)
    return hashlib.sha256(path.read_bytes()).hexdigest(), path


@pytest.mark.parametrize("width", [200, 777, 1200, 3000])
def test_width_and_formats(pdf: tuple[str, Path], width: int) -> None:
    doc = pymupdf.open(pdf[1])
    png = render_page(doc, 0, width, "png")
    jpg = render_page(doc, 0, width, "jpeg")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and jpg.startswith(b"\xff\xd8\xff")
    for data in (png, jpg):
        pix = pymupdf.Pixmap(data)
        assert pix.width == width and abs(pix.height - width * 842 / 595) < 1


def test_width_bounds(pdf: tuple[str, Path]) -> None:
    doc = pymupdf.open(pdf[1])
    for bad in (199, 3001, 0, -5):
        with pytest.raises(ValueError):
            render_page(doc, 0, bad)
    with pytest.raises(IndexError):
        render_page(doc, 2, 400)
    assert [snap_width(w) for w in (1, 200, 201, 1000, 1001, 99999)] == [
        200,
        200,
        300,
        1000,
        1100,
        3000,
    ]


def test_strip_page_is_bounded_in_height() -> None:
    doc = pymupdf.open()
    doc.new_page(width=10, height=14400)
    pix = pymupdf.Pixmap(render_page(doc, 0, 3000))
    assert pix.height <= MAX_HEIGHT and pix.width < 3000


def test_cache_and_etag(pdf: tuple[str, Path], tmp_path: Path) -> None:
    sha, path = pdf
    cache = RenderCache(tmp_path / "cache")
    first = cache.get(sha, path, 1, 1000)
    again = cache.get(sha, path, 1, 1000)
    assert not first.cached and again.cached
    assert first.data == again.data and first.etag == again.etag
    assert first.content_type == "image/png" and first.path.read_bytes() == first.data
    # A fresh cache object (another web worker) finds the file and gives the same ETag.
    other = RenderCache(tmp_path / "cache").get(sha, path, 1, 1000)
    assert other.cached and other.etag == first.etag == etag_for(sha, 1, 1000, "png")
    # Snapped width: 950 asks for the same 1000 px image.
    assert cache.get(sha, path, 1, 950).cached
    etags = {
        first.etag,
        cache.get(sha, path, 0, 1000).etag,
        cache.get(sha, path, 1, 1200).etag,
        cache.get(sha, path, 1, 1000, "jpeg").etag,
    }
    assert len(etags) == 4
    assert cache.get(sha, path, 1, 1000, "jpeg").content_type == "image/jpeg"
    for bad in ("../../etc", "x" * 64):
        with pytest.raises(ValueError):
            cache.get(bad, path, 0, 1000)
    cache.close()


def test_words_are_normalised_on_rotated_pages(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=600, height=800)
    page.insert_text((50, 100), "Hello world", fontsize=20)
    upright = {w.text: w for w in words(page)}
    assert upright["Hello"].x0 == pytest.approx(50 / 600, abs=0.01)
    assert upright["Hello"].y1 == pytest.approx(100 / 800, abs=0.02)
    page.set_rotation(90)  # displayed 800 wide, 600 high; text now runs downwards at right
    w = {w.text: w for w in words(page)}["Hello"]
    assert 0 <= w.x0 < w.x1 <= 1 and 0 <= w.y0 < w.y1 <= 1
    assert w.x0 > 0.8 and w.y0 == pytest.approx(50 / 600, abs=0.01)
    # The box covers the dark pixels of the rendered, rotated page.
    pix = page.get_pixmap()
    ink = [(x, y) for y in range(pix.height) for x in range(pix.width) if pix.pixel(x, y)[0] < 128]
    xs = [x / pix.width for x, _ in ink]
    ys = [y / pix.height for _, y in ink]
    assert w.x0 - 0.01 <= min(xs) and max(xs) <= w.x1 + 0.01
    assert w.y0 - 0.01 <= min(ys)
