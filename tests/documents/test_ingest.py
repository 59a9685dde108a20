"""Ingest outcomes: success, each error code, limits, and a pool that survives its workers."""

from __future__ import annotations

import hashlib
import os
import signal
import time
import unicodedata
from pathlib import Path

import pymupdf
import pytest

from meetings.documents import errors as E
from meetings.documents.errors import DocumentError
from meetings.documents.ingest import IngestPool, looks_like_pdf

from .conftest import write_blank_pdf, write_vietnamese_pdf

EMPTY_PDF = b"""%PDF-1.4
1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj
2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj
trailer <</Root 1 0 R>>
%%EOF
"""


def code_of(pool: IngestPool, path: Path, **kw: object) -> str:
    with pytest.raises(DocumentError) as info:
        pool.ingest(path, **kw)  # type: ignore[arg-type]
    return info.value.code


def test_vietnamese_pdf_is_analysed(pool: IngestPool, vi_pdf: Path) -> None:
    events: list[tuple[str, float]] = []
    r = pool.ingest(vi_pdf, progress=lambda s, f: events.append((s, f)))
    assert r.sha256 == hashlib.sha256(vi_pdf.read_bytes()).hexdigest()
    assert r.size == vi_pdf.stat().st_size
    assert r.page_count == 3 == len(r.pages)
    assert r.title == "Kế hoạch"
    text = unicodedata.normalize("NFC", r.pages[0].text)
    assert "QUYẾT ĐỊNH về việc phê duyệt kế hoạch" in text
    assert "Trang 3" in r.pages[2].text
    p = r.pages[0]
    assert (p.width, p.height, p.rotation) == (595, 842, 0)
    thumb = pymupdf.Pixmap(p.thumbnail)
    assert p.thumbnail.startswith(b"\x89PNG") and thumb.width == 160
    assert abs(thumb.height - 160 * 842 / 595) < 1
    stages = [s for s, _ in events]
    assert stages[0] == "queued" and stages[-1] == "done"
    assert ("pages", 1.0) in events


def test_rotation_and_size_are_reported(pool: IngestPool, tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page(width=595, height=842).set_rotation(90)
    doc.save(tmp_path / "r.pdf")
    p = pool.ingest(tmp_path / "r.pdf").pages[0]
    assert (p.width, p.height, p.rotation) == (842, 595, 90)  # as displayed


def test_thumbnails_written_to_dir(pool: IngestPool, vi_pdf: Path, tmp_path: Path) -> None:
    r = pool.ingest(vi_pdf, thumb_dir=tmp_path / "thumbs", thumb_width=120)
    assert [p.name for p in r.thumbnail_paths] == ["p0000.png", "p0001.png", "p0002.png"]
    assert pymupdf.Pixmap(r.thumbnail_paths[1].read_bytes()).width == 120


@pytest.mark.parametrize(
    "content",
    [
        b"Bien ban hop ngay 30/11\n" * 50,  # a text file
        b"PK\x03\x04" + os.urandom(2000),  # a .docx is a zip
        pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), 0).tobytes("png"),
        b"",
    ],
    ids=["text", "zip", "png", "zero-bytes"],
)
def test_not_pdf(pool: IngestPool, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tai-lieu.pdf"
    path.write_bytes(content)
    assert code_of(pool, path) == E.NOT_PDF


def test_headerless_pdf_is_still_tried() -> None:
    assert looks_like_pdf(b"%\xe2\xe3\xcf\xd3\n1 0 obj <</Type/Catalog>>")
    assert not looks_like_pdf(b"PK\x03\x04")


def test_encrypted(pool: IngestPool, vi_pdf: Path, tmp_path: Path) -> None:
    out = tmp_path / "locked.pdf"
    pymupdf.open(vi_pdf).save(
        out, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="mat-khau", owner_pw="chu"
    )
    assert code_of(pool, out) == E.ENCRYPTED


def test_owner_password_only_opens(pool: IngestPool, vi_pdf: Path, tmp_path: Path) -> None:
    out = tmp_path / "restricted.pdf"  # no user password: readers open it without asking
    pymupdf.open(vi_pdf).save(out, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="chu")
    assert pool.ingest(out).page_count == 3


def test_empty(pool: IngestPool, tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(EMPTY_PDF)
    assert code_of(pool, path) == E.EMPTY


@pytest.mark.parametrize(
    "tail", [os.urandom(5000), b"1 0 obj <</Type/Catalog"], ids=["noise", "cut"]
)
def test_unreadable(pool: IngestPool, tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + tail)
    assert code_of(pool, path) == E.UNREADABLE


def test_missing_file_is_unreadable(pool: IngestPool, tmp_path: Path) -> None:
    assert code_of(pool, tmp_path / "nope.pdf") == E.UNREADABLE


def test_too_many_bytes(pool: IngestPool, vi_pdf: Path) -> None:
    assert code_of(pool, vi_pdf, max_bytes=vi_pdf.stat().st_size - 1) == E.TOO_LARGE


def test_too_many_pages_refused_before_processing_pages(pool: IngestPool, tmp_path: Path) -> None:
    path = write_blank_pdf(tmp_path / "big.pdf", 2001)
    stages: list[str] = []
    t = time.monotonic()
    with pytest.raises(DocumentError) as info:
        pool.ingest(path, progress=lambda s, f: stages.append(s))
    assert info.value.code == E.TOO_LARGE and "2001 pages" in info.value.message
    assert "pages" not in stages  # refused on the page count alone
    assert time.monotonic() - t < 5
    assert code_of(pool, write_vietnamese_pdf(tmp_path / "v.pdf", 3), max_pages=2) == E.TOO_LARGE


def test_absurd_page_sizes_are_bounded(pool: IngestPool, tmp_path: Path) -> None:
    doc = pymupdf.open()
    for w, h in [(14400, 14400), (3, 14400), (1e6, 1e6), (0.5, 0.5)]:
        doc.new_page(width=w, height=h)
    doc.save(tmp_path / "absurd.pdf")
    r = pool.ingest(tmp_path / "absurd.pdf", thumb_width=100)
    assert [(p.width, p.height) for p in r.pages] == [
        (14400, 14400),
        (3, 14400),
        (1e6, 1e6),
        (1, 1),  # MuPDF reads a page under 1 pt as 1 pt
    ]
    for p in r.pages:
        pix = pymupdf.Pixmap(p.thumbnail)
        assert pix.width <= 100 and pix.height <= 300  # strip pages shrink to fit


def test_crashed_worker_is_replaced(vi_pdf: Path, tmp_path: Path) -> None:
    big = write_vietnamese_pdf(tmp_path / "many.pdf", 400)
    with IngestPool(1) as pool:

        def kill_worker(stage: str, fraction: float) -> None:
            if stage == "pages":  # mid-document, as a segfault in MuPDF would
                for pid in pool.processes.pids():
                    os.kill(pid, signal.SIGKILL)

        with pytest.raises(DocumentError) as info:
            pool.ingest(big, progress=kill_worker)
        assert info.value.code == E.UNREADABLE and "worker died" in info.value.message
        assert pool.replaced == 1
        assert pool.ingest(vi_pdf).page_count == 3
        assert pool.alive() == 1


def test_timeout_kills_and_replaces(vi_pdf: Path, tmp_path: Path) -> None:
    big = write_vietnamese_pdf(tmp_path / "many.pdf", 1500)
    with IngestPool(1, timeout=0.3) as pool:
        with pytest.raises(DocumentError) as info:
            pool.ingest(big)
        assert info.value.code == E.UNREADABLE and "timed out" in info.value.message
        assert pool.replaced == 1
        pool.timeout = 60
        assert pool.ingest(vi_pdf).page_count == 3


def test_cancel_from_progress_callback(vi_pdf: Path, tmp_path: Path) -> None:
    big = write_vietnamese_pdf(tmp_path / "many.pdf", 400)
    with IngestPool(1) as pool:

        def cancel(stage: str, fraction: float) -> None:
            if stage == "pages":
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            pool.ingest(big, progress=cancel)
        assert pool.ingest(vi_pdf).page_count == 3  # the half-done worker was replaced


def test_worker_has_memory_limit() -> None:
    limit = 1536 << 20
    with IngestPool(1, memory_limit=limit) as pool:
        (pid,) = pool.processes.pids()
        deadline = time.monotonic() + 10
        line = ""
        while time.monotonic() < deadline and str(limit) not in line:
            limits = Path(f"/proc/{pid}/limits").read_text()
            line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
            time.sleep(0.05)
        assert line.split()[3:5] == [str(limit), str(limit)]


def test_worker_that_cannot_start_gives_unreadable(vi_pdf: Path) -> None:
    # 64 MiB of address space is too little to even import PyMuPDF: the worker dies at once.
    with IngestPool(1, memory_limit=64 << 20, timeout=20) as pool:
        for _ in range(2):
            with pytest.raises(DocumentError) as info:
                pool.ingest(vi_pdf)
            assert info.value.code == E.UNREADABLE


def test_control_characters_never_leave_ingest() -> None:
    from meetings.documents.ingest import clean_text

    assert clean_text("Quyết\x00 định\x07\nsố\t5\r") == "Quyết định\nsố\t5"
