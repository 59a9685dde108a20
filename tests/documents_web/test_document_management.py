"""The secretary's document work over REST, as the agenda editor does it: rename, attach
to an item (and detach), replace with a new version (readers told), withdraw, sensitivity
(confidential: no download), and the title taken from the file name when the PDF has none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymupdf
import pytest

from tests.conftest import csrf_token
from tests.realtime.room import Room, ack_ok, clear, events

from .conftest import upload, write_blank_pdf


def _patch(client: Any, doc_id: int, body: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/documents/{doc_id}", json=body, headers={"X-CSRFToken": csrf_token(client)}
    )


def _withdraw(client: Any, doc_id: int) -> Any:
    return client.delete(f"/api/documents/{doc_id}", headers={"X-CSRFToken": csrf_token(client)})


def _listing(client: Any, meeting_id: int) -> dict[int, dict[str, Any]]:
    body = client.get(f"/api/meetings/{meeting_id}/documents").get_json()
    return {d["id"]: d for d in body["documents"]}


def _in_room(socket_for: Any, username: str, meeting_id: int) -> Any:
    sc = socket_for(username)
    ack_ok(sc.emit("meeting.join", {"meeting_id": meeting_id}, callback=True))
    clear(sc)
    return sc


def _pdf_titled(path: Path, title: str | None, pages: int = 2) -> Path:
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page()
    if title is not None:
        doc.set_metadata({"title": title})
    doc.save(path)
    return path


def test_rename_attach_detach_and_tell_the_room(
    login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    mid = room.meeting_id
    secretary = login_as("secretary")
    delegate_socket = _in_room(socket_for, "delegate01", mid)
    doc = upload(secretary, mid, write_blank_pdf(tmp_path / "a.pdf", 2)).get_json()["document"]
    assert doc["agenda_item_id"] is None
    clear(delegate_socket)
    r = _patch(
        secretary, doc["id"], {"title": "  Tờ trình số 12 ", "agenda_item_id": room.item_ids[1]}
    )
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["document"]["title"], r.get_json()["document"]["agenda_item_id"]) == (
        "Tờ trình số 12",
        room.item_ids[1],
    )
    told = [e["data"] for e in events(delegate_socket, "document.changed")]
    assert told == [{"op": "updated", "document_id": doc["id"], "replaces_id": None}]
    delegate = login_as("delegate01")
    assert _listing(delegate, mid)[doc["id"]]["title"] == "Tờ trình số 12"
    # Detach (the editor's "unattached documents"), then bad input changes nothing.
    assert _patch(secretary, doc["id"], {"agenda_item_id": None}).status_code == 200
    for bad, code in (
        ({"title": ""}, "invalid_payload"),
        ({"title": "x" * 301}, "invalid_payload"),
        ({"sensitivity": "secret"}, "invalid_payload"),
        ({"agenda_item_id": 10**9}, "not_found"),
    ):
        r = _patch(secretary, doc["id"], bad)
        assert r.get_json()["error"]["code"] == code, bad
    now = _listing(secretary, mid)[doc["id"]]
    assert (now["title"], now["agenda_item_id"], now["sensitivity"]) == (
        "Tờ trình số 12",
        None,
        "internal",
    )
    # Only those who manage documents may edit them.
    assert _patch(delegate, doc["id"], {"title": "Của tôi"}).status_code == 403


def test_sensitivity_confidential_refuses_download(
    login_as: Any, room: Room, tmp_path: Path
) -> None:
    mid = room.meeting_id
    secretary, delegate = login_as("secretary"), login_as("delegate01")
    doc = upload(secretary, mid, write_blank_pdf(tmp_path / "b.pdf", 1)).get_json()["document"]
    for level, downloadable, status in (
        ("public", True, 200),
        ("confidential", False, 403),
        ("internal", True, 200),
    ):
        r = _patch(secretary, doc["id"], {"sensitivity": level})
        assert r.get_json()["document"]["downloadable"] is downloadable
        seen = _listing(delegate, mid)[doc["id"]]
        assert (seen["sensitivity"], seen["downloadable"]) == (level, downloadable)
        got = delegate.get(f"/api/documents/{doc['id']}/download")
        assert got.status_code == status, level
        if status == 403:
            assert got.get_json()["error"]["code"] == "download_forbidden"
        else:
            assert got.data.startswith(b"%PDF")
        # Viewing stays possible at every level.
        assert delegate.get(f"/api/documents/{doc['id']}/pages/0.png").status_code == 200


def test_replace_keeps_the_old_version_and_tells_readers(
    login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    mid = room.meeting_id
    secretary = login_as("secretary")
    v1 = upload(
        secretary,
        mid,
        write_blank_pdf(tmp_path / "bao-cao.pdf", 2),
        "bao-cao.pdf",
        agenda_item_id=room.item_ids[0],
    ).get_json()["document"]
    assert _patch(secretary, v1["id"], {"title": "Báo cáo KT-XH"}).status_code == 200
    tablet = _in_room(socket_for, "delegate01", mid)
    r = upload(
        secretary, mid, write_blank_pdf(tmp_path / "v2.pdf", 4), "v2.pdf", replaces_id=v1["id"]
    )
    assert r.status_code == 201, r.get_json()
    v2 = r.get_json()["document"]
    # Same title, same item, next version; the first is kept as history.
    assert (v2["title"], v2["agenda_item_id"], v2["version"], v2["page_count"]) == (
        "Báo cáo KT-XH",
        room.item_ids[0],
        2,
        4,
    )
    told = [e["data"] for e in events(tablet, "document.changed")]
    assert told == [{"op": "replaced", "document_id": v2["id"], "replaces_id": v1["id"]}]
    delegate = login_as("delegate01")
    assert list(_listing(delegate, mid)) == [v2["id"]]
    history = delegate.get(f"/api/documents/{v2['id']}").get_json()["document"]["history"]
    assert [(h["id"], h["status"]) for h in history] == [
        (v2["id"], "ready"),
        (v1["id"], "superseded"),
    ]


def test_withdraw_hides_from_readers_and_keeps_the_record(
    login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    mid = room.meeting_id
    secretary, delegate = login_as("secretary"), login_as("delegate01")
    doc = upload(secretary, mid, write_blank_pdf(tmp_path / "c.pdf", 1)).get_json()["document"]
    tablet = _in_room(socket_for, "delegate01", mid)
    assert _withdraw(delegate, doc["id"]).status_code == 403
    r = _withdraw(secretary, doc["id"])
    assert r.status_code == 200 and r.get_json()["document"]["status"] == "withdrawn"
    assert [e["data"]["op"] for e in events(tablet, "document.changed")] == ["withdrawn"]
    assert doc["id"] not in _listing(delegate, mid)
    assert delegate.get(f"/api/documents/{doc['id']}").status_code == 404
    # The secretary still finds it in the history listing; a second withdraw is a conflict.
    full = secretary.get(f"/api/meetings/{mid}/documents?history=true").get_json()
    assert {d["id"]: d["status"] for d in full["documents"]}[doc["id"]] == "withdrawn"
    assert _withdraw(secretary, doc["id"]).status_code == 409


@pytest.mark.parametrize(
    ("metadata_title", "filename", "expected"),
    [
        (None, "Bao_cao__tai-chinh  quy 3.pdf", "Bao cao tai-chinh quy 3"),
        ("Untitled", "Tờ trình_số 5.PDF", "Tờ trình số 5"),
        ("   ", "ke_hoach.pdf", "ke hoach"),
        ("Kế hoạch năm 2027", "khac.pdf", "Kế hoạch năm 2027"),
    ],
)
def test_title_defaults_to_the_file_name(
    login_as: Any,
    room: Room,
    tmp_path: Path,
    metadata_title: str | None,
    filename: str,
    expected: str,
) -> None:
    pdf = _pdf_titled(tmp_path / "made.pdf", metadata_title)
    with pymupdf.open(pdf) as check:  # the test file really has no (useful) title
        assert (check.metadata or {}).get("title", "") == (metadata_title or "")
    r = upload(login_as("secretary"), room.meeting_id, pdf, filename)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["document"]["title"] == expected


def test_deleting_an_item_detaches_its_documents(
    login_as: Any, socket_for: Any, room: Room, tmp_path: Path
) -> None:
    mid = room.meeting_id
    secretary = login_as("secretary")
    doc = upload(
        secretary,
        mid,
        write_blank_pdf(tmp_path / "d.pdf", 1),
        agenda_item_id=room.sub_item_id,
    ).get_json()["document"]
    sc = _in_room(socket_for, "secretary", mid)
    ack_ok(
        sc.emit("agenda.delete", {"meeting_id": mid, "item_id": room.item_ids[0]}, callback=True)
    )
    kept = _listing(secretary, mid)[doc["id"]]
    assert (kept["status"], kept["agenda_item_id"]) == ("ready", None)
