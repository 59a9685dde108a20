"""Upload outcomes through the HTTP API: documents, versions, refusals, nothing half-made."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pymupdf
from sqlalchemy import func, select

from meetings.db import db
from meetings.models import Document, DocumentPage
from meetings.services.documents.ingest import safe_filename
from tests.conftest import csrf_token
from tests.realtime.room import Room

from .conftest import upload, write_blank_pdf


def _counts(app: Any, meeting_id: int) -> tuple[int, int]:
    with app.app_context():
        docs = db.scalar(select(func.count()).where(Document.meeting_id == meeting_id))
        pages = db.scalar(
            select(func.count())
            .select_from(DocumentPage)
            .join(Document, Document.id == DocumentPage.document_id)
            .where(Document.meeting_id == meeting_id)
        )
        db.remove()
    return int(docs or 0), int(pages or 0)


def _blobs(app: Any) -> list[Path]:
    root = app.config["APP_CONFIG"].documents_dir
    return sorted((root / "objects").glob("*/*.pdf")) if (root / "objects").is_dir() else []


def _leftovers(app: Any) -> list[Path]:
    tmp = app.config["APP_CONFIG"].documents_dir / "tmp"
    return sorted(tmp.iterdir()) if tmp.is_dir() else []


def assert_nothing_kept(app: Any, room: Room, blobs_before: list[Path]) -> None:
    """A refused upload leaves no document, no new blob and no temporary file."""
    assert _counts(app, room.meeting_id) == (0, 0)
    assert _blobs(app) == blobs_before
    assert _leftovers(app) == []


def test_upload_pdf_creates_document_with_pages(
    app: Any, login_as: Any, room: Room, vi_pdf: Path
) -> None:
    secretary = login_as("secretary")
    r = upload(secretary, room.meeting_id, vi_pdf, "Quyết định 12.pdf", sensitivity="internal")
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()["document"]
    assert doc["page_count"] == 3
    assert doc["title"] == "Kế hoạch"  # from the PDF's metadata
    assert doc["filename"] == "Quyết định 12.pdf"
    assert doc["version"] == 1 and doc["status"] == "ready"
    listing = login_as("delegate01").get(f"/api/meetings/{room.meeting_id}/documents").get_json()
    assert [d["id"] for d in listing["documents"]] == [doc["id"]]
    assert listing["can_manage"] is False
    detail = secretary.get(f"/api/documents/{doc['id']}").get_json()["document"]
    assert len(detail["pages"]) == 3 and detail["pages"][0]["width"] == 595
    assert _leftovers(app) == []


def test_same_file_twice_is_stored_once(app: Any, login_as: Any, room: Room, vi_pdf: Path) -> None:
    secretary = login_as("secretary")
    before = len(_blobs(app))
    a = upload(secretary, room.meeting_id, vi_pdf).get_json()["document"]
    b = upload(secretary, room.meeting_id, vi_pdf, agenda_item_id=room.item_ids[1])
    assert b.status_code == 201
    assert b.get_json()["document"]["agenda_item_id"] == room.item_ids[1]
    assert b.get_json()["document"]["id"] != a["id"]
    assert len(_blobs(app)) == before + 1


def test_new_version_replaces_and_keeps_history(
    app: Any, login_as: Any, room: Room, vi_pdf: Path, tmp_path: Path
) -> None:
    secretary = login_as("secretary")
    v1 = upload(secretary, room.meeting_id, vi_pdf, sensitivity="confidential").get_json()
    v1 = v1["document"]
    other = write_blank_pdf(tmp_path / "v2.pdf", 5)
    r = upload(secretary, room.meeting_id, other, "v2.pdf", replaces_id=v1["id"])
    assert r.status_code == 201, r.get_json()
    v2 = r.get_json()["document"]
    assert (v2["version"], v2["replaces_id"], v2["page_count"]) == (2, v1["id"], 5)
    assert v2["sensitivity"] == "confidential"  # inherited
    assert v2["title"] == v1["title"]
    delegate = login_as("delegate01")
    listing = delegate.get(f"/api/meetings/{room.meeting_id}/documents").get_json()
    assert [d["id"] for d in listing["documents"]] == [v2["id"]]
    full = delegate.get(f"/api/meetings/{room.meeting_id}/documents?history=true").get_json()
    assert {d["id"]: d["status"] for d in full["documents"]} == {
        v1["id"]: "superseded",
        v2["id"]: "ready",
    }
    history = delegate.get(f"/api/documents/{v2['id']}").get_json()["document"]["history"]
    assert [h["version"] for h in history] == [2, 1]
    again = upload(secretary, room.meeting_id, other, "v3.pdf", replaces_id=v1["id"])
    assert again.status_code == 409


def test_refusals_leave_nothing(app: Any, login_as: Any, room: Room, tmp_path: Path) -> None:
    secretary = login_as("secretary")
    blobs = _blobs(app)
    docx_bytes = b"PK\x03\x04" + b"\0" * 200  # a .docx renamed .pdf
    cases = [
        (docx_bytes, "hop-dong.pdf", "not_pdf"),
        (b"", "rong.pdf", "not_pdf"),
        (b"%PDF-1.7\n" + b"garbage " * 100, "hong.pdf", "unreadable"),
    ]
    enc = pymupdf.open()
    enc.new_page()
    cases.append(
        (
            enc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o"),
            "mat-khau.pdf",
            "encrypted",
        )
    )
    for data, name, code in cases:
        r = upload(secretary, room.meeting_id, data, name)
        assert r.status_code == 422, (name, r.status_code, r.get_json())
        assert r.get_json()["error"]["code"] == code, name
    assert_nothing_kept(app, room, blobs)


def test_page_limit_is_checked_before_processing(
    app: Any, login_as: Any, room: Room, tmp_path: Path
) -> None:
    from meetings.services.documents import files as doc_files

    big = write_blank_pdf(tmp_path / "big.pdf", 60)
    app.config["APP_CONFIG"] = app.config["APP_CONFIG"].__class__(
        **{**app.config["APP_CONFIG"].__dict__, "document_max_pages": 50, "document_max_mb": 1}
    )
    secretary = login_as("secretary")
    stages: list[str] = []
    r = upload(secretary, room.meeting_id, big, "big.pdf")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"
    assert "pages" not in stages  # refused from the page count, before any page is read
    huge = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    r = upload(secretary, room.meeting_id, huge, "huge.pdf")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"
    assert _counts(app, room.meeting_id) == (0, 0)
    assert doc_files is not None


def test_absurd_page_sizes(app: Any, login_as: Any, room: Room, tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page(width=14400, height=14400)  # the PDF maximum (200 inches)
    doc.new_page(width=3, height=14400)  # a ribbon
    doc.new_page(width=14400, height=3)
    path = tmp_path / "absurd.pdf"
    doc.save(path)
    secretary = login_as("secretary")
    r = upload(secretary, room.meeting_id, path, "absurd.pdf")
    assert r.status_code == 201, r.get_json()
    doc_id = r.get_json()["document"]["id"]
    for index in range(3):
        img = secretary.get(f"/api/documents/{doc_id}/pages/{index}.png?w=3000")
        assert img.status_code == 200
        pix = pymupdf.Pixmap(img.data)
        assert pix.width <= 3000 and pix.height <= 6000


def test_hostile_file_names(login_as: Any, room: Room, vi_pdf: Path) -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\x\\..\\Tờ trình.pdf") == "Tờ trình.pdf"
    assert safe_filename("a\x00b\x1f\u202ec.pdf") == "abc.pdf"
    assert safe_filename("..") == "tai-lieu.pdf"
    assert safe_filename("....pdf") == "pdf"
    assert len(safe_filename("x" * 400 + ".pdf")) == 200
    secretary = login_as("secretary")
    r = upload(secretary, room.meeting_id, vi_pdf, "../../../../tmp/evil\t\x07.pdf")
    assert r.status_code == 201
    assert r.get_json()["document"]["filename"] == "evil.pdf"


def test_cut_off_upload_is_a_clear_400(app: Any, login_as: Any, room: Room, vi_pdf: Path) -> None:
    secretary = login_as("secretary")
    blobs = _blobs(app)
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + vi_pdf.read_bytes()[:500]
    r = secretary.post(
        f"/api/meetings/{room.meeting_id}/documents",
        input_stream=io.BytesIO(body),
        headers={
            "X-CSRFToken": csrf_token(secretary),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(body) + 10_000),  # the client promised more
        },
    )
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["code"] in ("upload_incomplete", "missing_file")
    assert_nothing_kept(app, room, blobs)


def test_office_file_converted_or_clear_error(
    login_as: Any, room: Room, tmp_path: Path, monkeypatch: Any
) -> None:
    from meetings.documents import office

    secretary = login_as("secretary")
    odt = tmp_path / "bien-ban.odt"
    odt.write_bytes(b"not really an odt")
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    r = upload(secretary, room.meeting_id, odt, "bien-ban.odt")
    assert r.status_code == 503
    assert r.get_json()["error"]["code"] == "converter_missing"


def test_only_managers_upload_and_outsiders_see_nothing(
    login_as: Any, room: Room, vi_pdf: Path
) -> None:
    r = upload(login_as("delegate01"), room.meeting_id, vi_pdf)
    assert r.status_code == 403
    r = upload(login_as("delegate04"), room.meeting_id, vi_pdf)  # not in this meeting
    assert r.status_code == 404
    no_csrf = login_as("secretary").post(
        f"/api/meetings/{room.meeting_id}/documents",
        data={"file": (io.BytesIO(vi_pdf.read_bytes()), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert no_csrf.status_code == 403
