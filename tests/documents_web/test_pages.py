"""Page images, thumbnails, text layer, downloads: marks, sensitivity, caching, access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from sqlalchemy import select

from meetings.db import db
from meetings.documents.render import RenderCache
from meetings.documents.watermark import Mark, Watermarker
from meetings.models import DocumentAccessLog, Meeting, User
from meetings.services.documents import pages as doc_pages
from tests.conftest import csrf_token
from tests.realtime.room import Room

from .conftest import upload, write_vietnamese_pdf

FLAGS = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP


def _doc(login_as: Any, room: Room, pdf: Path, **fields: Any) -> int:
    r = upload(login_as("secretary"), room.meeting_id, pdf, **fields)
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["document"]["id"])


@pytest.fixture
def internal_doc(login_as: Any, room: Room, vi_pdf: Path) -> int:
    return _doc(login_as, room, vi_pdf, sensitivity="internal")


def _differs(a: bytes, b: bytes) -> int:
    pa, pb = pymupdf.Pixmap(a), pymupdf.Pixmap(b)
    assert (pa.width, pa.height) == (pb.width, pb.height)
    sa, sb = pa.samples, pb.samples
    return sum(1 for i in range(0, len(sa), 97) if sa[i] != sb[i])


def test_page_image_is_marked_per_person_and_cached(
    app: Any, login_as: Any, room: Room, internal_doc: int
) -> None:
    doc_id = internal_doc
    d1, d2 = login_as("delegate01"), login_as("delegate02")
    url = f"/api/documents/{doc_id}/pages/0.png?w=1180"
    a, b = d1.get(url), d2.get(url)
    assert a.status_code == 200 and a.mimetype == "image/png"
    assert a.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert a.headers["ETag"] != b.headers["ETag"]  # per person
    assert pymupdf.Pixmap(a.data).width == 1200  # snapped to the 100 px step
    # The shared render without any mark: the served image differs from it (the mark).
    files = app.config["APP_CONFIG"].documents_dir
    with app.app_context():
        sha = d1.get(f"/api/documents/{doc_id}").get_json()["document"]
    plain = RenderCache(files / "renders").path_for(_sha(app, doc_id), 0, 1200, "png")
    assert plain.is_file()
    assert _differs(a.data, plain.read_bytes()) > 50
    assert _differs(a.data, b.data) > 10  # different names, different pixels
    assert sha["id"] == doc_id
    again = d1.get(url, headers={"If-None-Match": a.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == a.headers["ETag"]
    with app.app_context():
        rows = db.scalars(
            select(DocumentAccessLog).where(DocumentAccessLog.document_id == doc_id)
        ).all()
        assert {(r.user_id, r.page, r.action, r.count) for r in rows} == {
            (room.users["delegate01"], 0, "view", 1),
            (room.users["delegate02"], 0, "view", 1),
        }
        db.remove()
    thumb = d1.get(f"/api/documents/{doc_id}/pages/2/thumb.png")
    assert thumb.status_code == 200 and pymupdf.Pixmap(thumb.data).width == 160
    assert d1.get(f"/api/documents/{doc_id}/pages/3.png").status_code == 404


def test_projector_is_marked_with_the_room_and_meeting(
    app: Any, login_as: Any, room: Room, internal_doc: int
) -> None:
    # The chair opens the projector in their own session: the wall must not show the
    # chair's personal name, but the room and the meeting.
    doc_id = internal_doc
    chair, secretary = login_as("chair"), login_as("secretary")
    url = f"/api/documents/{doc_id}/pages/0.png?w=1000"
    personal = chair.get(url)
    wall = chair.get(url + "&screen=projector")
    wall2 = secretary.get(url + "&screen=projector")  # another organiser, same room mark
    assert personal.status_code == wall.status_code == wall2.status_code == 200
    assert wall.headers["ETag"] != personal.headers["ETag"]
    assert wall2.headers["ETag"] == wall.headers["ETag"] and wall2.data == wall.data
    again = chair.get(url + "&screen=projector", headers={"If-None-Match": wall.headers["ETag"]})
    assert again.status_code == 304
    # The pixels are the shared render with the room's mark, made at some minute of the run.
    with app.app_context():
        meeting = db.get(Meeting, room.meeting_id)
        assert meeting is not None
        name, unit = doc_pages.projector_mark(meeting)
        db.remove()
    assert name.startswith("Màn chiếu") and unit == meeting.title
    plain = RenderCache(app.config["APP_CONFIG"].documents_dir / "renders").path_for(
        _sha(app, doc_id), 0, 1000, "png"
    )
    now = datetime.now(UTC)
    expected = [
        Watermarker().mark_image(
            plain.read_bytes(),
            Mark(name, unit, t.astimezone(doc_pages.VN).strftime("%d/%m/%Y %H:%M")),
        )
        for t in (now, now - timedelta(minutes=1), now - timedelta(minutes=2))
    ]
    assert any(_differs(wall.data, e) == 0 for e in expected)
    # A delegate may not put the room's mark on their own tablet.
    denied = login_as("delegate01").get(url + "&screen=projector")
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "permission_denied"
    assert login_as("delegate01").get(url + "&screen=wall").status_code == 400


def _sha(app: Any, doc_id: int) -> str:
    from meetings.models import Document

    with app.app_context():
        doc = db.get(Document, doc_id)
        assert doc is not None
        sha = doc.sha256
        db.remove()
    return sha


def test_public_document_has_no_mark(app: Any, login_as: Any, room: Room, vi_pdf: Path) -> None:
    doc_id = _doc(login_as, room, vi_pdf, sensitivity="public")
    img = login_as("delegate01").get(f"/api/documents/{doc_id}/pages/0.png?w=800")
    files = app.config["APP_CONFIG"].documents_dir
    plain = RenderCache(files / "renders").path_for(_sha(app, doc_id), 0, 800, "png")
    assert img.data == plain.read_bytes()
    pdf = login_as("delegate01").get(f"/api/documents/{doc_id}/download")
    assert pdf.status_code == 200 and pdf.data == vi_pdf.read_bytes()


def test_download_carries_the_name_and_confidential_refuses(
    app: Any, login_as: Any, room: Room, vi_pdf: Path
) -> None:
    internal = _doc(login_as, room, vi_pdf, sensitivity="internal")
    d = login_as("delegate01")
    r = d.get(f"/api/documents/{internal}/download")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pymupdf.open(stream=r.data, filetype="pdf")[0].get_text(flags=FLAGS)
    assert "Lê Văn An" in text  # delegate01's full name
    secret = _doc(login_as, room, vi_pdf, sensitivity="confidential")
    r = d.get(f"/api/documents/{secret}/download")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "download_forbidden"
    assert d.get(f"/api/documents/{secret}/pages/0.png").status_code == 200  # view only
    with app.app_context():
        logged = db.scalar(
            select(DocumentAccessLog.count).where(
                DocumentAccessLog.document_id == internal, DocumentAccessLog.action == "download"
            )
        )
        db.remove()
    assert logged == 1


def test_marked_download_is_kept_per_person_and_mark(
    app: Any, login_as: Any, room: Room, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Marking every page takes seconds on a long document: a person's second download
    # (and their annotated export) reuses their copy; another person gets their own.
    calls: list[str] = []
    real = Watermarker.mark_pdf

    def counting(self: Watermarker, src: Any, mark: Mark) -> bytes:
        calls.append(mark.name)
        return real(self, src, mark)

    monkeypatch.setattr(Watermarker, "mark_pdf", counting)
    doc_id = _doc(
        login_as, room, write_vietnamese_pdf(tmp_path / "v.pdf", 4), sensitivity="internal"
    )
    d1, d2 = login_as("delegate01"), login_as("delegate02")
    first = d1.get(f"/api/documents/{doc_id}/download")
    again = d1.get(f"/api/documents/{doc_id}/download")
    assert first.status_code == again.status_code == 200
    assert calls == ["Lê Văn An"] and again.data == first.data
    for page in pymupdf.open(stream=again.data, filetype="pdf"):
        assert "Lê Văn An" in page.get_text(flags=FLAGS)
    other = d2.get(f"/api/documents/{doc_id}/download")
    other_text = pymupdf.open(stream=other.data, filetype="pdf")[0].get_text(flags=FLAGS)
    assert len(calls) == 2 and "Lê Văn An" not in other_text and calls[1] in other_text
    export = d1.get(f"/api/meetings/{room.meeting_id}/documents/{doc_id}/annotated.pdf")
    assert export.status_code == 200 and len(calls) == 2  # the export reused d1's copy
    # A new name is a new mark: the old copy is not served.
    _rename(app, room.users["delegate01"], "Lê Văn Bình")
    try:
        renamed = d1.get(f"/api/documents/{doc_id}/download")
    finally:
        _rename(app, room.users["delegate01"], "Lê Văn An")
    text = pymupdf.open(stream=renamed.data, filetype="pdf")[0].get_text(flags=FLAGS)
    assert len(calls) == 3 and "Lê Văn Bình" in text


def _rename(app: Any, user_id: int, full_name: str) -> None:
    with app.app_context():
        user = db.get(User, user_id)
        assert user is not None
        user.full_name = full_name
        db.commit()
        db.remove()


def test_marked_download_of_a_new_version_is_marked_again(
    login_as: Any, room: Room, tmp_path: Path
) -> None:
    pdf = write_vietnamese_pdf(tmp_path / "a.pdf", 2)
    first = _doc(login_as, room, pdf, sensitivity="internal")
    d = login_as("delegate01")
    old = pymupdf.open(stream=d.get(f"/api/documents/{first}/download").data, filetype="pdf")
    newer_pdf = write_vietnamese_pdf(tmp_path / "b.pdf", 3, title="Bản sửa")
    newer = _doc(login_as, room, newer_pdf, sensitivity="internal", replaces_id=first)
    new = pymupdf.open(stream=d.get(f"/api/documents/{newer}/download").data, filetype="pdf")
    assert (old.page_count, new.page_count) == (2, 3)
    assert "Lê Văn An" in new[2].get_text(flags=FLAGS)


def test_access_other_meeting_and_restrictions(
    app: Any, login_as: Any, room: Room, vi_pdf: Path
) -> None:
    doc_id = _doc(login_as, room, vi_pdf)
    outsider = login_as("delegate04")  # takes part in other meetings, not this one
    for url in (
        f"/api/documents/{doc_id}",
        f"/api/documents/{doc_id}/pages/0.png",
        f"/api/documents/{doc_id}/pages/0/thumb.png",
        f"/api/documents/{doc_id}/pages/0/words",
        f"/api/documents/{doc_id}/download",
        f"/api/meetings/{room.meeting_id}/documents",
        f"/api/documents/{doc_id + 10_000}",
    ):
        r = outsider.get(url)
        assert r.status_code == 404, url
        assert r.get_json()["error"]["code"] == "not_found"
    secretary = login_as("secretary")
    patch = secretary.patch(
        f"/api/documents/{doc_id}",
        json={"restricted": True, "user_ids": [room.users["delegate02"]], "roles": ["chair"]},
        headers={"X-CSRFToken": csrf_token(secretary)},
    )
    assert patch.status_code == 200, patch.get_json()
    assert patch.get_json()["document"]["access"]["roles"] == ["chair"]
    assert login_as("delegate01").get(f"/api/documents/{doc_id}").status_code == 404
    assert login_as("delegate02").get(f"/api/documents/{doc_id}").status_code == 200
    assert login_as("chair").get(f"/api/documents/{doc_id}").status_code == 200
    listing = login_as("delegate01").get(f"/api/meetings/{room.meeting_id}/documents")
    assert listing.get_json()["documents"] == []
    denied = login_as("delegate02").patch(
        f"/api/documents/{doc_id}", json={"title": "x"}, headers={"X-CSRFToken": "bad"}
    )
    assert denied.status_code in (403,)


def test_text_layer_and_search_without_diacritics(login_as: Any, room: Room, vi_pdf: Path) -> None:
    doc_id = _doc(login_as, room, vi_pdf)
    d = login_as("delegate01")
    r = d.get(f"/api/meetings/{room.meeting_id}/documents/search?q=quyet dinh")
    results = r.get_json()["results"]
    assert [x["page"] for x in results] == [0, 1, 2]
    first = results[0]
    assert first["document_id"] == doc_id
    s, e = first["snippet_hit"]
    assert first["snippet"][s:e] == "QUYẾT ĐỊNH"
    assert (
        d.get(f"/api/meetings/{room.meeting_id}/documents/search?q=khong co").get_json()["results"]
        == []
    )
    words = d.get(f"/api/documents/{doc_id}/pages/1/words?q=dau tu cong").get_json()
    assert words["words"] and all(0 <= w[0] <= w[2] <= 1 for w in words["words"])
    hit = words["hits"][0]
    assert [words["words"][i][4] for i in hit] == ["đầu", "tư", "công"]
