"""Annotation commands over Socket.IO: private marks, idempotency, versions, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.annotations.conftest import Setup
from tests.annotations.helpers import add_document, count_rows, new_id, note, stroke, text_highlight
from tests.realtime.room import ack_error, ack_ok, version


def update_op(meeting_id: int, annotation_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """An annotation.update payload against version 1, with a fresh op_id."""
    return {
        "meeting_id": meeting_id,
        "id": annotation_id,
        "base_version": 1,
        "op_id": new_id(),
        "changes": changes,
    }


def create(sc: Any, meeting_id: int, annotation: dict[str, Any]) -> Any:
    return sc.emit(
        "annotation.create", {"meeting_id": meeting_id, "annotation": annotation}, callback=True
    )


def test_create_list_and_privacy(setup: Setup, as_role: Any, app: Any) -> None:
    mid, doc = setup.room.meeting_id, setup.doc
    owner, other = as_role("delegate"), as_role("observer")
    before = version(app, mid)
    body = stroke(doc, pressures=[0.5] * 50)
    out = ack_ok(create(owner, mid, body))
    assert out["id"] == body["id"] and out["scope"] == "private" and out["version"] == 1
    assert out["points"][:2] == pytest.approx(body["points"][:2])
    assert version(app, mid) == before  # private: no meeting event, no version bump

    mine = ack_ok(
        owner.emit("annotation.list", {"meeting_id": mid, "document_id": doc}, callback=True)
    )
    assert [a["id"] for a in mine["mine"]] == [body["id"]]
    theirs = ack_ok(
        other.emit("annotation.list", {"meeting_id": mid, "document_id": doc}, callback=True)
    )
    assert theirs["mine"] == [] and theirs["shared"] == []

    # Nobody else can change, delete or share it: the id does not exist for them.
    aid = body["id"]
    upd = {
        "meeting_id": mid,
        "id": aid,
        "base_version": 1,
        "op_id": new_id(),
        "changes": {"color": "#000000"},
    }
    assert ack_error(other.emit("annotation.update", upd, callback=True)) == "not_found"
    assert (
        ack_error(other.emit("annotation.delete", {"meeting_id": mid, "id": aid}, callback=True))
        == "not_found"
    )
    share = {"meeting_id": mid, "id": aid, "shared_id": new_id()}
    assert ack_error(other.emit("annotation.share", share, callback=True)) == "not_found"
    # ... nor take its id to learn anything.
    stolen = stroke(doc, id=aid)
    err = create(other, mid, stolen)
    assert ack_error(err) == "conflict" and "points" not in json.dumps(err)
    again = ack_ok(
        owner.emit("annotation.list", {"meeting_id": mid, "document_id": doc}, callback=True)
    )
    assert again["mine"][0]["color"] == "#d32f2f" and again["mine"][0]["version"] == 1


def test_chair_cannot_read_or_delete_private_marks(setup: Setup, as_role: Any) -> None:
    mid = setup.room.meeting_id
    body = note(setup.doc)
    ack_ok(create(as_role("delegate"), mid, body))
    chair = as_role("chair")
    assert (
        ack_error(
            chair.emit("annotation.delete", {"meeting_id": mid, "id": body["id"]}, callback=True)
        )
        == "not_found"
    )
    listed = ack_ok(
        chair.emit("annotation.list", {"meeting_id": mid, "document_id": setup.doc}, callback=True)
    )
    assert listed["mine"] == []


def test_retried_create_is_one_annotation(setup: Setup, as_role: Any, app: Any) -> None:
    sc = as_role("delegate")
    body = stroke(setup.doc)
    first = ack_ok(create(sc, setup.room.meeting_id, body))
    second = ack_ok(create(sc, setup.room.meeting_id, body))
    assert first == second
    assert count_rows(app, setup.doc) == 1


def test_update_versions_and_replays(setup: Setup, as_role: Any) -> None:
    mid = setup.room.meeting_id
    tablet, laptop = as_role("delegate"), as_role("delegate")  # one person, two devices
    body = note(setup.doc)
    ack_ok(create(tablet, mid, body))
    op = update_op(mid, body["id"], {"text": "Sửa trên máy tính bảng"})
    assert ack_ok(tablet.emit("annotation.update", op, callback=True))["version"] == 2
    # The same edit again (ack lost, retried): nothing changes.
    assert ack_ok(tablet.emit("annotation.update", op, callback=True))["version"] == 2
    # The laptop edited version 1 too: it lost, and is told what is current.
    late = {**op, "op_id": new_id(), "changes": {"text": "Sửa trên máy tính"}}
    ack = laptop.emit("annotation.update", late, callback=True)
    assert ack_error(ack) == "version_conflict"
    details = ack["error"]["details"]
    assert details["current_version"] == 2
    assert details["annotation"]["text"] == "Sửa trên máy tính bảng"
    # Rebased on the current version, the laptop's edit is the last write and stands.
    rebased = {**late, "op_id": new_id(), "base_version": 2}
    assert (
        ack_ok(laptop.emit("annotation.update", rebased, callback=True))["text"]
        == "Sửa trên máy tính"
    )
    # Only notes move or change text; only strokes change width.
    s = stroke(setup.doc)
    ack_ok(create(tablet, mid, s))
    bad = update_op(mid, s["id"], {"text": "x"})
    assert ack_error(tablet.emit("annotation.update", bad, callback=True)) == "invalid_payload"


def test_delete_is_idempotent_and_final(setup: Setup, as_role: Any, app: Any) -> None:
    mid, sc = setup.room.meeting_id, as_role("delegate")
    body = stroke(setup.doc)
    ack_ok(create(sc, mid, body))
    ref = {"meeting_id": mid, "id": body["id"]}
    assert ack_ok(sc.emit("annotation.delete", ref, callback=True))["deleted"] is True
    assert ack_ok(sc.emit("annotation.delete", ref, callback=True))["deleted"] is True
    # A create replayed after the delete does not bring it back.
    assert ack_ok(create(sc, mid, body))["deleted"] is True
    listed = ack_ok(
        sc.emit("annotation.list", {"meeting_id": mid, "document_id": setup.doc}, callback=True)
    )
    assert listed["mine"] == []
    assert count_rows(app, setup.doc) == 1


def test_all_kinds_round_trip(setup: Setup, as_role: Any) -> None:
    mid, sc = setup.room.meeting_id, as_role("delegate")
    for body in (
        stroke(setup.doc, kind="highlighter", width=12.0, color="#FFEB3B"),
        text_highlight(setup.doc, page=1),
        note(setup.doc, page=2),
    ):
        out = ack_ok(create(sc, mid, body))
        assert out["kind"] == body["kind"] and out["page"] == body["page"]
    listed = ack_ok(
        sc.emit("annotation.list", {"meeting_id": mid, "document_id": setup.doc}, callback=True)
    )
    assert {a["kind"] for a in listed["mine"]} == {"highlighter", "text_highlight", "note"}
    assert listed["mine"][0]["color"] == "#ffeb3b"  # colours are normalised


BAD_ANNOTATIONS = {
    "nan": lambda d: stroke(d, points=[float("nan"), 0.1, 0.2, 0.2]),
    "infinity": lambda d: stroke(d, points=[float("inf"), 0.1, 0.2, 0.2]),
    "huge": lambda d: stroke(d, points=[1e308, 0.1, 0.2, 0.2]),
    "negative": lambda d: stroke(d, points=[-0.01, 0.1, 0.2, 0.2]),
    "beyond_page": lambda d: stroke(d, points=[1.01, 0.1, 0.2, 0.2]),
    "odd_points": lambda d: stroke(d, points=[0.1, 0.1, 0.2]),
    "string_coord": lambda d: stroke(d, points=["0.1", 0.1, 0.2, 0.2]),
    "100k_points": lambda d: stroke(d, n=100_000),
    "5001_points": lambda d: stroke(d, n=5_001),
    "pressure_count": lambda d: stroke(d, n=10, pressures=[0.5] * 9),
    "unknown_kind": lambda d: stroke(d, kind="laser"),
    "no_kind": lambda d: {k: v for k, v in stroke(d).items() if k != "kind"},
    "extra_field": lambda d: stroke(d, owner_id=1),
    "bad_id": lambda d: stroke(d, id="not-a-uuid"),
    "bad_color": lambda d: stroke(d, color="red"),
    "zero_width": lambda d: stroke(d, width=0),
    "huge_width": lambda d: stroke(d, width=1e9),
    "oversized_note": lambda d: note(d, text="x" * 2001),
    "empty_note": lambda d: note(d, text="   "),
    "reversed_rect": lambda d: text_highlight(d, rects=[[0.6, 0.1, 0.1, 0.2]]),
    "page_beyond_document": lambda d: stroke(d, page=3),
    "negative_page": lambda d: stroke(d, page=-1),
}


@pytest.mark.parametrize("case", sorted(BAD_ANNOTATIONS))
def test_bad_input_is_refused_and_stores_nothing(
    case: str, setup: Setup, as_role: Any, app: Any
) -> None:
    sc = as_role("delegate")
    ack = create(sc, setup.room.meeting_id, BAD_ANNOTATIONS[case](setup.doc))
    assert ack_error(ack) == "invalid_payload", ack
    assert ack["error"]["message"]
    assert count_rows(app, setup.doc) == 0


def _raw_emit(sc: Any, text: str) -> Any:
    """Send a Socket.IO EVENT packet written by hand (literal NaN, 1e400...)."""
    sc.callback_counter += 1
    sc.socketio.server._handle_eio_message(sc.eio_sid, f"2{sc.callback_counter}{text}")
    ack, sc.acks = sc.acks, None
    return ack["args"][0]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_json_numbers_on_the_wire(literal: str, setup: Setup, as_role: Any, app: Any) -> None:
    # Python's json writes NaN/Infinity literals and reads them (and 1e400 as inf) back;
    # python-socketio uses it, so such numbers reach the handler as floats.
    sc = as_role("delegate")
    body = stroke(setup.doc, n=2)
    text = json.dumps(
        ["annotation.create", {"meeting_id": setup.room.meeting_id, "annotation": body}]
    )
    text = text.replace("0.1, ", f"{literal}, ", 1)
    assert literal in text
    ack = _raw_emit(sc, text)
    assert ack_error(ack) == "invalid_payload"
    assert count_rows(app, setup.doc) == 0


def test_documents_one_cannot_see(setup: Setup, as_role: Any, app: Any) -> None:
    mid = setup.room.meeting_id
    restricted = add_document(
        app, mid, restricted=True, granted_user_ids=(setup.room.users["delegate01"],)
    )
    other_meeting_doc = add_document(
        app, __import__("tests.realtime.room", fromlist=["make_room"]).make_room(app).meeting_id
    )
    observer = as_role("observer")  # not granted
    assert ack_error(create(observer, mid, stroke(restricted))) == "not_found"
    assert ack_error(create(observer, mid, stroke(other_meeting_doc))) == "not_found"
    assert ack_error(create(observer, mid, stroke(999_999))) == "not_found"
    assert (
        ack_error(
            observer.emit(
                "annotation.list", {"meeting_id": mid, "document_id": restricted}, callback=True
            )
        )
        == "not_found"
    )
    # The granted delegate may; an outsider of the meeting may not touch anything.
    ack_ok(create(as_role("delegate"), mid, stroke(restricted)))
    assert ack_error(create(as_role("outsider"), mid, stroke(setup.doc))) == "not_found"
    assert count_rows(app, other_meeting_doc) == 0 and count_rows(app, setup.doc) == 0
