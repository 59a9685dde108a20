"""Annotations over REST: same rules as the protocol; the annotated PDF copy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from meetings.documents._mupdf import pymupdf
from meetings.models.documents import Sensitivity
from tests.annotations import helpers
from tests.annotations.conftest import Setup
from tests.annotations.helpers import add_document, count_rows, new_id, note, stroke, text_highlight
from tests.conftest import csrf_token
from tests.realtime.room import ack_ok


def send(client: FlaskClient, method: str, url: str, body: Any = None) -> Any:
    return client.open(url, method=method, json=body, headers={"X-CSRFToken": csrf_token(client)})


def test_crud_and_privacy_over_rest(setup: Setup, login_as: Any, app: Any) -> None:
    mid, doc = setup.room.meeting_id, setup.doc
    owner, other = login_as("delegate01"), login_as("delegate02")
    base = f"/api/meetings/{mid}/annotations"
    body = note(doc)
    r = send(owner, "POST", base, {"annotation": body})
    assert r.status_code == 201, r.get_json()
    assert send(owner, "POST", base, {"annotation": body}).status_code == 200  # retry: same one
    assert count_rows(app, doc) == 1

    url = f"{base}/{body['id']}"
    patch = {"base_version": 1, "op_id": new_id(), "changes": {"text": "Bản sửa"}}
    assert send(other, "PATCH", url, patch).status_code == 404
    assert send(other, "DELETE", url).status_code == 404
    listing = other.get(f"/api/meetings/{mid}/documents/{doc}/annotations").get_json()
    assert listing["mine"] == [] and listing["shared"] == []

    r = send(owner, "PATCH", url, patch)
    assert r.status_code == 200 and r.get_json()["annotation"]["version"] == 2
    stale = {**patch, "op_id": new_id(), "changes": {"text": "Bản cũ"}}
    r = send(owner, "PATCH", url, stale)
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "version_conflict" and err["details"]["current_version"] == 2

    mine = owner.get(f"/api/meetings/{mid}/documents/{doc}/annotations").get_json()["mine"]
    assert [a["text"] for a in mine] == ["Bản sửa"]
    assert send(owner, "DELETE", url).status_code == 200
    assert send(owner, "DELETE", url).status_code == 200


def test_bad_input_over_rest_stores_nothing(setup: Setup, login_as: Any, app: Any) -> None:
    client = login_as("delegate01")
    base = f"/api/meetings/{setup.room.meeting_id}/annotations"
    for bad in (
        stroke(setup.doc, points=[2.0, 0.1, 0.1, 0.1]),
        stroke(setup.doc, n=5001),
        stroke(setup.doc, kind="stamp"),
        note(setup.doc, text="x" * 2001),
    ):
        r = send(client, "POST", base, {"annotation": bad})
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_payload"
    # A literal NaN in the JSON body (Python's json reads it as a float).
    body = json.dumps({"annotation": stroke(setup.doc, points=[0.5, 0.1, 0.2, 0.2])})
    raw = body.replace("[0.5, ", "[NaN, ", 1)
    assert "NaN" in raw
    r = client.post(
        base, data=raw, content_type="application/json", headers={"X-CSRFToken": csrf_token(client)}
    )
    assert r.status_code == 400
    assert count_rows(app, setup.doc) == 0


def test_sync_over_rest(setup: Setup, login_as: Any) -> None:
    client = login_as("delegate01")
    ops = [{"op": "create", "op_id": new_id(), "annotation": stroke(setup.doc)}]
    url = f"/api/meetings/{setup.room.meeting_id}/annotations/sync"
    for _ in range(2):
        r = send(client, "POST", url, {"ops": ops})
        assert r.status_code == 200 and r.get_json()["results"][0]["ok"] is True


def _annots(pdf: bytes) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        for page in doc:
            out[page.number] = [
                (a.type[1], a.vertices, a.info.get("content", ""), a.info.get("title", ""), a.rect)
                for a in page.annots()
            ]
    return out


def test_export_writes_real_pdf_annotations(
    app: Any, setup: Setup, as_role: Any, login_as: Any
) -> None:
    mid = setup.room.meeting_id
    doc = add_document(app, mid, pages=3, rotations={1: 90})
    sc = as_role("delegate")
    ink = stroke(doc, n=20)
    hl = text_highlight(doc, page=1, rects=[[0.1, 0.2, 0.5, 0.25]])
    sticky = note(doc, page=2, at=[0.25, 0.5], text="Cần bổ sung số liệu 2025")
    for body in (ink, hl, sticky):
        ack_ok(sc.emit("annotation.create", {"meeting_id": mid, "annotation": body}, callback=True))
    # Someone else's private marks never travel in my copy.
    ack_ok(
        as_role("observer").emit(
            "annotation.create", {"meeting_id": mid, "annotation": stroke(doc)}, callback=True
        )
    )

    client = login_as("delegate01")
    r = client.get(f"/api/meetings/{mid}/documents/{doc}/annotated.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "attachment" in r.headers["Content-Disposition"]
    pages = _annots(r.data)
    w, h = helpers.A4
    [(kind, vertices, _c, author, _r)] = pages[0]
    assert kind == "Ink" and author
    got = [p for stroke_ in vertices for p in stroke_]
    want = [
        (ink["points"][i] * w, ink["points"][i + 1] * h) for i in range(0, len(ink["points"]), 2)
    ]
    assert len(got) == len(want)
    for (gx, gy), (wx, wy) in zip(got, want, strict=True):
        assert gx == pytest.approx(wx, abs=0.05) and gy == pytest.approx(wy, abs=0.05)
    # Page 1 is rotated 90°: coordinates are of the unrotated page all the same.
    [(kind, quad, content, _a, _r)] = pages[1]
    assert kind == "Highlight" and content == "kế hoạch đầu tư công"
    xs, ys = sorted({round(x, 1) for x, _ in quad}), sorted({round(y, 1) for _, y in quad})
    assert xs == pytest.approx([0.1 * w, 0.5 * w], abs=0.1)
    assert ys == pytest.approx([0.2 * h, 0.25 * h], abs=0.1)
    [(kind, _v, content, _a, rect)] = pages[2]
    assert kind == "Text" and content == "Cần bổ sung số liệu 2025"
    assert rect.x0 == pytest.approx(0.25 * w, abs=1) and rect.y0 == pytest.approx(0.5 * h, abs=1)
    # The documents layer's watermark still applies (internal document).
    with pymupdf.open(stream=r.data, filetype="pdf") as pdf:
        flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP
        assert "Tài liệu cấp cho" in pdf[0].get_text(flags=flags)


def test_export_of_shared_marks_and_download_rules(
    app: Any, setup: Setup, as_role: Any, login_as: Any
) -> None:
    mid = setup.room.meeting_id
    chair = as_role("chair")
    shared = stroke(setup.doc)
    ack_ok(chair.emit("annotation.mark", {"meeting_id": mid, "annotation": shared}, callback=True))
    ack_ok(
        chair.emit(
            "annotation.create", {"meeting_id": mid, "annotation": note(setup.doc)}, callback=True
        )
    )
    client = login_as("chair")
    r = client.get(f"/api/meetings/{mid}/documents/{setup.doc}/annotated.pdf?marks=shared")
    assert r.status_code == 200
    assert [a[0] for a in _annots(r.data)[0]] == ["Ink"]  # the record: shared marks only
    r = client.get(f"/api/meetings/{mid}/documents/{setup.doc}/annotated.pdf?marks=all")
    assert sorted(a[0] for a in _annots(r.data)[0]) == ["Ink", "Text"]

    secret = add_document(app, mid, sensitivity=Sensitivity.CONFIDENTIAL)
    r = client.get(f"/api/meetings/{mid}/documents/{secret}/annotated.pdf")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "download_forbidden"

    public = add_document(app, mid, sensitivity=Sensitivity.PUBLIC)
    r = client.get(f"/api/meetings/{mid}/documents/{public}/annotated.pdf")
    with pymupdf.open(stream=r.data, filetype="pdf") as pdf:
        assert "Tài liệu cấp cho" not in pdf[0].get_text()

    restricted = add_document(app, mid, restricted=True)
    other = login_as("delegate02")
    r = other.get(f"/api/meetings/{mid}/documents/{restricted}/annotated.pdf")
    assert r.status_code == 404
    r = login_as("delegate04").get(f"/api/meetings/{mid}/documents/{setup.doc}/annotated.pdf")
    assert r.status_code == 404  # not in the meeting
