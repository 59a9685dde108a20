"""Fixtures for the documents web layer: a test meeting per test, upload helpers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import csrf_token
from tests.documents.conftest import write_blank_pdf, write_vietnamese_pdf
from tests.realtime.room import Room, make_room

__all__ = ["upload", "write_blank_pdf", "write_vietnamese_pdf"]


@pytest.fixture
def room(app: Any) -> Room:
    return make_room(app)


def upload(
    client: FlaskClient,
    meeting_id: int,
    data: bytes | Path,
    filename: str = "to-trinh.pdf",
    upload_id: str = "",
    **fields: Any,
) -> Any:
    body = data.read_bytes() if isinstance(data, Path) else data
    form: dict[str, Any] = {k: str(v) for k, v in fields.items()}
    form["file"] = (io.BytesIO(body), filename)
    url = f"/api/meetings/{meeting_id}/documents"
    if upload_id:
        url += f"?upload_id={upload_id}"
    return client.post(
        url,
        data=form,
        headers={"X-CSRFToken": csrf_token(client)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def vi_pdf(tmp_path: Path) -> Path:
    return write_vietnamese_pdf(tmp_path / "quyet-dinh.pdf")
