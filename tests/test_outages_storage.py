"""A documents folder that is full or read-only: the upload answers a specific code with a
Vietnamese message, and leaves no file and no record behind.

The full and read-only disks are real: a small tmpfs mounted for the test (root writes
to a chmod-ed folder anyway, but not past a full or read-only file system). Where it
matters which write fails (thumbnails, after the blob was stored), a fault is injected
at that call.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from sqlalchemy import func, select

from meetings.app import create_app
from meetings.db import db
from meetings.models import Document
from meetings.services.documents import ingest as doc_ingest
from tests.conftest import make_config
from tests.documents.conftest import write_blank_pdf, write_vietnamese_pdf
from tests.documents_web.conftest import upload
from tests.realtime.room import Room, make_room

PDF_BYTES = 256 * 1024


def _noisy_pdf(path: Path) -> Path:
    """A valid 1-page PDF of about PDF_BYTES that does not compress (random attachment)."""
    doc = pymupdf.open()
    doc.new_page(width=595, height=842)
    doc.embfile_add("phu-luc.bin", os.urandom(PDF_BYTES))
    doc.save(path)
    return path


def _mount_tmpfs(where: Path, size_kb: int) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


@pytest.fixture
def docs_disk(tmp_path: Path) -> Iterator[Path]:
    """A documents folder on a tmpfs of its own: room for one copy of the upload, not two."""
    mount = tmp_path / "disk"
    _mount_tmpfs(mount, size_kb=PDF_BYTES * 3 // 2 // 1024)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _app_on(tmp_path: Path, seeded_url: str, documents_dir: Path) -> Any:
    return create_app(make_config(tmp_path, seeded_url, documents_dir=documents_dir))


def _documents(app: Any, meeting_id: int) -> int:
    with app.app_context():
        count = db.scalar(select(func.count()).where(Document.meeting_id == meeting_id))
        db.remove()
    return int(count or 0)


def _files_left(root: Path) -> list[Path]:
    """Every file under the documents folder (empty folders don't count)."""
    return sorted(p for p in root.rglob("*") if p.is_file())


def _secretary(app: Any) -> Any:
    from tests.conftest import login

    client = app.test_client()
    login(client, "secretary")
    return client


def test_full_disk_answers_storage_full_and_leaves_nothing(
    seeded_url: str, tmp_path: Path, docs_disk: Path
) -> None:
    app = _app_on(tmp_path, seeded_url, docs_disk)
    room: Room = make_room(app)
    pdf = _noisy_pdf(tmp_path / "phu-luc.pdf")
    r = upload(_secretary(app), room.meeting_id, pdf, "Phụ lục.pdf")
    assert r.status_code == 507, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "storage_full"
    assert "bộ nhớ" in error["message"] and "đầy" in error["message"]
    assert _documents(app, room.meeting_id) == 0
    assert _files_left(docs_disk) == []
    # Nothing half-written takes space: a smaller file fits right after.
    small = write_blank_pdf(tmp_path / "nho.pdf", pages=1)
    r = upload(_secretary(app), room.meeting_id, small, "Nhỏ.pdf")
    assert r.status_code == 201, r.get_json()


def test_read_only_disk_answers_storage_unavailable(
    seeded_url: str, tmp_path: Path, docs_disk: Path
) -> None:
    app = _app_on(tmp_path, seeded_url, docs_disk)
    room: Room = make_room(app)
    client = _secretary(app)
    # The folders exist (as after earlier uploads); then the file system turns read-only.
    assert client.get(f"/api/meetings/{room.meeting_id}/documents").status_code == 200
    (docs_disk / "tmp").mkdir(exist_ok=True)
    subprocess.run(["mount", "-o", "remount,ro", str(docs_disk)], check=True)
    before = _files_left(docs_disk)
    r = upload(client, room.meeting_id, write_blank_pdf(tmp_path / "a.pdf", pages=2), "A.pdf")
    assert r.status_code == 503, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "storage_unavailable"
    assert error["message"].startswith("Không ghi được tài liệu")
    assert _documents(app, room.meeting_id) == 0
    assert _files_left(docs_disk) == before


def test_disk_full_while_writing_thumbnails_removes_the_stored_blob(
    app: Any, login_as: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blob is stored, then the second thumbnail hits ENOSPC: blob, thumbnails and
    staging folder all go, and no record is written."""
    room: Room = make_room(app)
    real_write = doc_ingest.atomic_write
    writes: list[Path] = []

    def fill_up(path: Any, data: bytes) -> None:
        writes.append(Path(path))
        if len(writes) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(doc_ingest, "atomic_write", fill_up)
    pdf = write_vietnamese_pdf(tmp_path / "ba-trang.pdf", pages=3)
    r = upload(login_as("secretary"), room.meeting_id, pdf, "Ba trang.pdf")
    assert r.status_code == 507, r.get_json()
    assert r.get_json()["error"]["code"] == "storage_full"
    assert len(writes) == 2
    assert _documents(app, room.meeting_id) == 0
    assert _files_left(app.config["APP_CONFIG"].documents_dir) == []
