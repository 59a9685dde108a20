"""Test documents for annotation tests, written straight into the database and the
content store (the upload pipeline is the documents layer's to test, and slow)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask

from meetings.config import Config
from meetings.db import db, transaction
from meetings.documents._mupdf import pymupdf
from meetings.models import Document, DocumentAccess, DocumentPage
from meetings.models.documents import Sensitivity
from meetings.services.documents.files import files_for

A4 = (595.0, 842.0)


def make_pdf(pages: int = 3, rotations: dict[int, int] | None = None) -> bytes:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_text((72, 100), f"Trang {i + 1}: kế hoạch đầu tư công trung hạn", fontsize=14)
        if rotations and i in rotations:
            page.set_rotation(rotations[i])
    data: bytes = doc.tobytes()
    return data


def add_document(
    app: Flask,
    meeting_id: int,
    *,
    pages: int = 3,
    rotations: dict[int, int] | None = None,
    sensitivity: Sensitivity = Sensitivity.INTERNAL,
    restricted: bool = False,
    granted_user_ids: tuple[int, ...] = (),
) -> int:
    rotations = rotations or {}
    pdf = make_pdf(pages, rotations)
    with app.app_context():
        config: Config = app.config["APP_CONFIG"]
        sha = files_for(config.documents_dir).store.put_bytes(pdf)
        with transaction() as s:
            doc = Document(
                meeting_id=meeting_id,
                title="Tờ trình kế hoạch đầu tư công",
                filename="to-trinh.pdf",
                sha256=sha,
                size=len(pdf),
                page_count=pages,
                sensitivity=sensitivity,
                restricted=restricted,
            )
            s.add(doc)
            s.flush()
            for i in range(pages):
                rot = rotations.get(i, 0)
                w, h = A4 if rot in (0, 180) else (A4[1], A4[0])
                s.add(DocumentPage(document_id=doc.id, index=i, width=w, height=h, rotation=rot))
            for uid in granted_user_ids:
                s.add(DocumentAccess(document_id=doc.id, user_id=uid))
            doc_id = doc.id
        db.remove()
    return doc_id


def new_id() -> str:
    return str(uuid.uuid4())


def stroke(document_id: int, page: int = 0, n: int = 50, **kw: Any) -> dict[str, Any]:
    points: list[float] = []
    for i in range(n):
        points += [0.1 + 0.8 * i / max(n - 1, 1), 0.2 + 0.1 * (i % 7) / 7]
    body: dict[str, Any] = {
        "id": new_id(),
        "document_id": document_id,
        "page": page,
        "kind": "ink",
        "color": "#d32f2f",
        "width": 2.0,
        "points": points,
    }
    body.update(kw)
    return body


def note(
    document_id: int, page: int = 0, text: str = "Cần làm rõ số liệu", **kw: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": new_id(),
        "document_id": document_id,
        "page": page,
        "kind": "note",
        "at": [0.5, 0.25],
        "text": text,
    }
    body.update(kw)
    return body


def text_highlight(document_id: int, page: int = 0, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": new_id(),
        "document_id": document_id,
        "page": page,
        "kind": "text_highlight",
        "rects": [[0.12, 0.1, 0.6, 0.125]],
        "text": "kế hoạch đầu tư công",
    }
    body.update(kw)
    return body


def count_rows(app: Flask, document_id: int) -> int:
    from sqlalchemy import func, select

    from meetings.models import Annotation

    with app.app_context():
        n = db.scalar(
            select(func.count())
            .select_from(Annotation)
            .where(Annotation.document_id == document_id)
        )
        db.remove()
    return int(n or 0)
