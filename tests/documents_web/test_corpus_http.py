"""Every file of the pdf.js corpus (919 real-world PDFs, some broken, encrypted or fuzzed)
uploaded through the HTTP API: each becomes a document with PyMuPDF's page count or gets a
4xx with a specific code; no 5xx, no dead worker, nothing half-stored. The files are read
in place (never copied into the repository). Skipped when ../shared/corpus is absent."""

from __future__ import annotations

import collections
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from sqlalchemy import select

from meetings.db import db
from meetings.documents.ingest import default_pool
from meetings.models import Document
from tests.documents.conftest import CORPUS
from tests.realtime.room import Room

from .conftest import upload

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
CODES = {"not_pdf", "encrypted", "empty", "unreadable", "too_large"}


def test_whole_corpus_through_http(app: Any, login_as: Any, room: Room) -> None:
    files = sorted(CORPUS.glob("*.pdf"))
    assert len(files) > 900
    clients = [login_as("secretary") for _ in range(2)]  # the pool has 2 workers

    def one(job: tuple[int, Path]) -> tuple[Path, int, dict[str, Any]]:
        i, path = job
        r = upload(clients[i % 2], room.meeting_id, path, path.name)
        return path, r.status_code, r.get_json()

    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(one, enumerate(files)))
    statuses = collections.Counter(status for _, status, _ in results)
    codes = collections.Counter(
        body["error"]["code"] for _, status, body in results if status != 201
    )
    print(dict(statuses), dict(codes))
    assert all(s == 201 or 400 <= s < 500 for s in statuses), statuses
    assert set(codes) <= CODES
    assert statuses[201] >= 885
    assert default_pool().alive() == 2

    pymupdf.TOOLS.mupdf_display_errors(False)
    accepted = {body["document"]["id"]: path for path, s, body in results if s == 201}
    for path, status, body in results:
        if status == 201:  # opened in-process only once a worker survived it
            assert (
                pymupdf.open(path, filetype="pdf").page_count == body["document"]["page_count"]
            ), path.name
    # Nothing half-made: exactly the accepted documents exist, each with its blob.
    documents_dir = app.config["APP_CONFIG"].documents_dir
    with app.app_context():
        rows = db.execute(
            select(Document.id, Document.sha256).where(Document.meeting_id == room.meeting_id)
        ).all()
        db.remove()
    assert {doc_id for doc_id, _ in rows} == set(accepted)
    blobs = {p.stem for p in (documents_dir / "objects").glob("*/*.pdf")}
    assert blobs == {sha for _, sha in rows}
    assert list((documents_dir / "tmp").iterdir()) == []
