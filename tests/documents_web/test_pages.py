"""Page images, thumbnails, text layer, downloads: marks, sensitivity, caching, access."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymupdf
from sqlalchemy import select

from meetings.db import db
from meetings.documents.render import RenderCache
from meetings.models import DocumentAccessLog
from tests.conftest import csrf_token
from tests.realtime.room import Room

from .conftest import upload

FLAGS = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP


def _doc(login_as: Any, room: Room, pdf: Path, **fields: Any) -> int:
    r = upload(login_as("secretary"), room.meeting_id, pdf, **fields)
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["document"]["id"])


def _differs(a: bytes, b: bytes) -> int:
    pa, pb = pymupdf.Pixmap(a), pymupdf.Pixmap(b)
    assert (pa.width, pa.height) == (pb.width, pb.height)
    sa, sb = pa.samples, pb.samples
    return sum(1 for i in range(0, len(sa), 97) if sa[i] != sb[i])


def test_page_image_is_marked_per_person_and_cached(
    app: Any, login_as: Any, room: Room, vi_pdf: Path
) -> None:
    doc_id = _doc(login_as, room, vi_pdf, sensitivity="internal")
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
