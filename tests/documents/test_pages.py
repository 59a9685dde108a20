"""Page images made in the page worker pool: shared renders, per-person copies,
crashes, hangs, shared in-flight jobs, and the bounded store of copies."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from meetings.documents.errors import DocumentError
from meetings.documents.marked import MarkedStore
from meetings.documents.pages import PageJob, PagePool
from meetings.documents.render import RenderCache, render_page
from meetings.documents.watermark import Mark, Watermarker

from .conftest import write_vietnamese_pdf

NHUNG = Mark("Nguyễn Thị Hồng Nhung", "Sở Nội vụ tỉnh Hà Nam", "30/11/2025 14:05")
DUC = Mark("Trần Đức Ưng", "UBND huyện Kim Bảng", "30/11/2025 14:06")
SHA = "ab" * 32


@pytest.fixture(scope="module")
def page_pool() -> Iterator[PagePool]:
    with PagePool(2, timeout=30) as p:
        yield p


def _job(tmp: Path, pdf: Path, index: int, mark: Mark | None, who: str = "a") -> PageJob:
    render = RenderCache(tmp / "renders").path_for(SHA, index, 800, "png")
    out = MarkedStore(tmp / "marked").path_for(SHA, index, 800, who) if mark else None
    return PageJob(pdf, index, 800, render, out, mark)


def _wait_file(path: Path, timeout: float = 20.0) -> bytes:
    deadline = time.monotonic() + timeout
    while not path.is_file():
        assert time.monotonic() < deadline, path
        time.sleep(0.05)
    return path.read_bytes()


def _pixels(data: bytes) -> bytes:
    return bytes(pymupdf.Pixmap(data).samples)


def test_marked_copy_and_shared_render(page_pool: PagePool, tmp_path: Path) -> None:
    pdf = write_vietnamese_pdf(tmp_path / "v.pdf", 2)
    a = page_pool.page(_job(tmp_path, pdf, 0, NHUNG, "a"))
    b = page_pool.page(_job(tmp_path, pdf, 0, DUC, "b"))
    assert a != b and a.is_file() and b.is_file()
    # The shared render is written after the first answer; it is exactly what the
    # in-process renderer makes, without any mark.
    shared = _wait_file(_job(tmp_path, pdf, 0, None).render)
    assert shared == render_page(pymupdf.open(pdf), 0, 800)
    # Each person's copy is the shared render with that person's mark, and no other.
    wm = Watermarker()
    assert _pixels(a.read_bytes()) == _pixels(wm.mark_image(shared, NHUNG))
    assert _pixels(b.read_bytes()) == _pixels(wm.mark_image(shared, DUC))
    assert _pixels(a.read_bytes()) != _pixels(b.read_bytes())
    # Unmarked (public) job: the shared render only, written before the answer.
    plain = page_pool.page(_job(tmp_path, pdf, 1, None))
    assert plain.read_bytes() == render_page(pymupdf.open(pdf), 1, 800)


def test_same_file_requested_at_once_is_one_job(page_pool: PagePool, tmp_path: Path) -> None:
    pdf = write_vietnamese_pdf(tmp_path / "v.pdf", 1)
    job = _job(tmp_path, pdf, 0, NHUNG)
    before = page_pool.jobs
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(page_pool.page(job))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [job.target] * 8
    assert page_pool.jobs - before == 1
    page_pool.page(job)  # on disk now: no job at all
    assert page_pool.jobs - before == 1


def test_slow_worker_start_is_not_counted_as_the_jobs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a loaded machine a worker takes seconds to start. The job's clock starts when
    # the worker is ready, so a crash in the first job is a crash, not a timeout.
    monkeypatch.setenv("FLAKY_WORKER_START_DELAY", "2")
    pdf = write_vietnamese_pdf(tmp_path / "v.pdf", 3)
    with PagePool(1, timeout=1, module="tests.documents.flaky_page_worker") as flaky:
        with pytest.raises(DocumentError) as crash:
            flaky.page(_job(tmp_path, pdf, 1, NHUNG))
        assert "died" in crash.value.message
        with pytest.raises(DocumentError) as hang:  # the replacement starts slowly too
            flaky.page(_job(tmp_path, pdf, 2, NHUNG))
        assert "timed out" in hang.value.message
        flaky.timeout = 60  # short only where a timeout is the expected outcome
        assert flaky.page(_job(tmp_path, pdf, 0, NHUNG)).is_file()


def test_worker_that_never_starts_is_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAKY_WORKER_START_DELAY", "3600")
    pdf = write_vietnamese_pdf(tmp_path / "v.pdf", 1)
    module = "tests.documents.flaky_page_worker"
    with PagePool(1, timeout=30, start_timeout=1, module=module) as stuck:
        with pytest.raises(DocumentError) as err:
            stuck.page(_job(tmp_path, pdf, 0, NHUNG))
        assert err.value.code == "unreadable" and "did not start" in err.value.message
        assert stuck.replaced == 1


def test_worker_crash_and_hang_cost_one_request(tmp_path: Path) -> None:
    pdf = write_vietnamese_pdf(tmp_path / "v.pdf", 3)
    with PagePool(1, timeout=3, module="tests.documents.flaky_page_worker") as flaky:
        with pytest.raises(DocumentError) as crash:
            flaky.page(_job(tmp_path, pdf, 1, NHUNG))
        assert crash.value.code == "unreadable" and "died" in crash.value.message
        with pytest.raises(DocumentError) as hang:
            flaky.page(_job(tmp_path, pdf, 2, NHUNG))
        assert hang.value.code == "unreadable" and "timed out" in hang.value.message
        assert flaky.replaced == 2 and flaky.alive() == 1
        flaky.timeout = 60  # short only where a timeout is the expected outcome
        assert flaky.page(_job(tmp_path, pdf, 0, NHUNG)).is_file()  # the pool recovered
        # Nothing half-written is left for the failed pages.
        assert not _job(tmp_path, pdf, 1, NHUNG).target.exists()


def test_bad_pdf_is_an_error_not_a_crash(page_pool: PagePool, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj <</Type/Catalog>> endobj\ntrailer<</Root 1 0 R>>\n")
    with pytest.raises(DocumentError) as err:
        page_pool.page(_job(tmp_path, bad, 0, NHUNG))
    assert err.value.code == "unreadable" and str(tmp_path) not in err.value.message
    assert page_pool.alive() == page_pool.workers


def test_low_priority_waits_for_requests(tmp_path: Path) -> None:
    pdf = write_vietnamese_pdf(tmp_path / "v.pdf", 3)
    with PagePool(1, timeout=30) as pool:
        order: list[str] = []
        w = pool._checkout(low=False)  # the only worker is busy

        def take(name: str, low: bool) -> None:
            pool._checkin(pool._checkout(low=low))
            order.append(name)

        low = threading.Thread(target=take, args=("low", True))
        low.start()
        time.sleep(0.2)
        high = threading.Thread(target=take, args=("high", False))
        high.start()
        time.sleep(0.2)
        pool._checkin(w)
        low.join(10)
        high.join(10)
        assert order == ["high", "low"]
        assert pool.page(_job(tmp_path, pdf, 0, NHUNG), low=True).is_file()


def test_marked_store_keys_and_sweep(tmp_path: Path) -> None:
    store = MarkedStore(tmp_path / "m", max_bytes=10_000, max_age=3600, sweep_every=3)
    with pytest.raises(ValueError):
        store.path_for(SHA, 0, 800, "../x")
    with pytest.raises(ValueError):
        store.path_for("nope", 0, 800, "a")
    paths = [store.path_for(SHA, i, 800, f"k{i}") for i in range(6)]
    now = time.time()
    for i, p in enumerate(paths):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * 3000)
        os.utime(p, (now - 100 + i, now - 100 + i))
    os.utime(paths[5], (now - 7200, now - 7200))  # older than max_age
    assert store.sweep() == 4  # the expired one, then the oldest until <= 8,000 bytes
    assert [p.exists() for p in paths] == [False, False, False, True, True, False]
