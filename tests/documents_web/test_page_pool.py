"""Page images through HTTP with the page worker pool: per-person copies never cross,
ETags and 304 per person, a worker crash is a 422 (never a 500), pre-rendering on a
page turn."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from meetings.documents.pages import PagePool, default_page_pool
from meetings.services.documents import pages as doc_pages
from tests.realtime.room import Room

from .conftest import upload, write_vietnamese_pdf


def _doc(login_as: Any, room: Room, pdf: Path, **fields: Any) -> int:
    r = upload(login_as("secretary"), room.meeting_id, pdf, **fields)
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["document"]["id"])


def _pixels(data: bytes) -> bytes:
    return bytes(pymupdf.Pixmap(data).samples)


def test_person_a_never_gets_person_b_image(login_as: Any, room: Room, vi_pdf: Path) -> None:
    doc_id = _doc(login_as, room, vi_pdf, sensitivity="confidential")
    url = f"/api/documents/{doc_id}/pages/1.png?w=900"
    a1, b, a2 = login_as("delegate01"), login_as("delegate02"), login_as("delegate01")
    ra1, rb, ra2 = a1.get(url), b.get(url), a2.get(url)  # A's copy is on disk before B asks
    assert ra1.status_code == rb.status_code == ra2.status_code == 200
    assert ra1.data == ra2.data and ra1.headers["ETag"] == ra2.headers["ETag"]  # A's 2 tablets
    assert _pixels(ra1.data) != _pixels(rb.data) and ra1.headers["ETag"] != rb.headers["ETag"]
    # B showing A's ETag gets B's own image, not a 304 for A's.
    rb2 = b.get(url, headers={"If-None-Match": ra1.headers["ETag"]})
    assert rb2.status_code == 200 and rb2.data == rb.data
    assert rb2.headers["ETag"] == rb.headers["ETag"]
    assert b.get(url, headers={"If-None-Match": rb.headers["ETag"]}).status_code == 304
    # Another width is another image, with its own ETag.
    other = a1.get(f"/api/documents/{doc_id}/pages/1.png?w=1400")
    assert pymupdf.Pixmap(other.data).width == 1400
    assert other.headers["ETag"] != ra1.headers["ETag"]


@pytest.fixture
def flaky_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[PagePool]:
    pool = PagePool(1, timeout=3, module="tests.documents.flaky_page_worker")
    monkeypatch.setattr(doc_pages, "default_page_pool", lambda: pool)
    yield pool
    pool.close()


def test_worker_crash_is_422_and_the_pool_recovers(
    login_as: Any, room: Room, tmp_path: Path, flaky_pool: PagePool
) -> None:
    pdf = write_vietnamese_pdf(tmp_path / "v.pdf", 3)
    doc_id = _doc(login_as, room, pdf, sensitivity="internal")
    d = login_as("delegate01")
    crash = d.get(f"/api/documents/{doc_id}/pages/1.png?w=700")  # the worker aborts
    assert crash.status_code == 422
    assert crash.get_json()["error"]["code"] == "unreadable"
    hang = d.get(f"/api/documents/{doc_id}/pages/2.png?w=700")  # the worker hangs
    assert hang.status_code == 422
    ok = d.get(f"/api/documents/{doc_id}/pages/0.png?w=700")
    assert ok.status_code == 200 and pymupdf.Pixmap(ok.data).width == 700
    assert flaky_pool.replaced == 2 and flaky_pool.alive() == 1
    public = _doc(login_as, room, write_vietnamese_pdf(tmp_path / "p.pdf", 2), title="Công khai",
                  sensitivity="public")  # fmt: skip
    assert d.get(f"/api/documents/{public}/pages/1.png?w=700").status_code == 422
    assert d.get(f"/api/documents/{public}/pages/0.png?w=700").status_code == 200


def test_page_turn_prepares_the_next_pages(
    app: Any, login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    pdf = write_vietnamese_pdf(tmp_path / "v.pdf", 4)
    doc_id = _doc(login_as, room, pdf, sensitivity="internal")
    d = login_as("delegate01")
    assert d.get(f"/api/documents/{doc_id}/pages/0.png?w=760").status_code == 200  # w: 800
    chair = socket_for("chair")
    assert chair.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True)["ok"]
    pool = default_page_pool()
    marked = app.config["APP_CONFIG"].documents_dir / "marked"
    before = set(marked.rglob("p[12]-w800-*.png"))
    ack = chair.emit(
        "presenter.open",
        {"meeting_id": room.meeting_id, "document_id": doc_id, "page": 1},
        callback=True,
    )
    assert ack["ok"], ack
    deadline = time.monotonic() + 30
    while len(set(marked.rglob("p[12]-w800-*.png")) - before) < 2:  # pages 1 and 2
        assert time.monotonic() < deadline
        time.sleep(0.05)
    jobs = pool.jobs
    r1 = d.get(f"/api/documents/{doc_id}/pages/1.png?w=800")
    r2 = d.get(f"/api/documents/{doc_id}/pages/2.png?w=800")
    assert r1.status_code == r2.status_code == 200
    assert pool.jobs == jobs  # both were ready: served from disk, no work at request time
    assert pymupdf.Pixmap(r1.data).width == 800
