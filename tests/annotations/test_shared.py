"""Shared marks: the presenter's marks and shared copies reach the room, in the snapshot,
cleared by the chair; the laser pointer is volatile."""

from __future__ import annotations

from typing import Any

import pytest

from meetings.realtime import annotations as realtime_annotations
from tests.annotations.conftest import Setup
from tests.annotations.helpers import add_document, count_rows, new_id, note, stroke
from tests.realtime.room import ack_error, ack_ok, clear, events, version


def joined(sc: Any, meeting_id: int) -> dict[str, Any]:
    snap = ack_ok(sc.emit("meeting.join", {"meeting_id": meeting_id}, callback=True))
    clear(sc)
    return dict(snap)


def in_the_room(setup: Setup, as_role: Any, *roles: str) -> list[Any]:
    """One client per role, each joined to the meeting (its join events cleared)."""
    clients = [as_role(role) for role in roles]
    for sc in clients:
        joined(sc, setup.room.meeting_id)
    return clients


def mark(sc: Any, meeting_id: int, annotation: dict[str, Any]) -> Any:
    return sc.emit(
        "annotation.mark", {"meeting_id": meeting_id, "annotation": annotation}, callback=True
    )


def test_presenter_stroke_reaches_the_room_and_the_snapshot(
    setup: Setup, as_role: Any, app: Any
) -> None:
    mid = setup.room.meeting_id
    chair, tablet, bridge = in_the_room(setup, as_role, "chair", "delegate", "bridge_operator")
    before = version(app, mid)
    body = stroke(setup.doc, n=500)
    out = ack_ok(mark(chair, mid, body))
    assert out["scope"] == "shared"
    for sc in (tablet, bridge):
        [env] = events(sc, "annotation.created")
        assert env["version"] == before + 1
        assert env["data"]["annotation"]["id"] == body["id"]
        assert len(env["data"]["annotation"]["points"]) == 1000
        assert env["data"]["annotation"]["owner_name"]
    snap = joined(tablet, mid)
    assert [m["id"] for m in snap["shared_marks"]] == [body["id"]]
    assert snap["version"] == before + 1
    # A retried mark changes nothing and says nothing.
    ack_ok(mark(chair, mid, body))
    assert len(events(bridge, "annotation.created")) == 1  # still only the first
    assert version(app, mid) == before + 1


def test_only_the_chair_marks_points_and_clears(setup: Setup, as_role: Any, app: Any) -> None:
    mid = setup.room.meeting_id
    for role in ("secretary", "delegate", "observer", "guest", "bridge_operator"):
        sc = as_role(role)
        assert ack_error(mark(sc, mid, stroke(setup.doc))) == "permission_denied"
        laser = {"meeting_id": mid, "document_id": setup.doc, "page": 0, "at": [0.5, 0.5]}
        assert ack_error(sc.emit("annotation.laser", laser, callback=True)) == "permission_denied"
        clr = {"meeting_id": mid, "document_id": setup.doc, "page": 0}
        assert ack_error(sc.emit("annotation.clear", clr, callback=True)) == "permission_denied"
    assert count_rows(app, setup.doc) == 0


def test_delegate_shares_a_private_annotation_and_chair_clears_the_page(
    setup: Setup, as_role: Any, app: Any
) -> None:
    mid = setup.room.meeting_id
    chair, delegate, observer = in_the_room(setup, as_role, "chair", "delegate", "observer")
    private = note(setup.doc, text="Đề nghị bổ sung kinh phí")
    ack_ok(
        delegate.emit(
            "annotation.create", {"meeting_id": mid, "annotation": private}, callback=True
        )
    )
    assert events(observer, "annotation.created") == []  # private: nobody hears of it
    shared_id = new_id()
    share = {"meeting_id": mid, "id": private["id"], "shared_id": shared_id}
    copy = ack_ok(delegate.emit("annotation.share", share, callback=True))
    assert copy["scope"] == "shared" and copy["source_id"] == private["id"]
    assert ack_ok(delegate.emit("annotation.share", share, callback=True))["id"] == shared_id
    [env] = events(observer, "annotation.created")
    assert env["data"]["annotation"]["text"] == "Đề nghị bổ sung kinh phí"
    ack_ok(mark(chair, mid, stroke(setup.doc)))
    ack_ok(mark(chair, mid, stroke(setup.doc, page=1)))
    assert len(joined(observer, mid)["shared_marks"]) == 3

    cleared = ack_ok(
        chair.emit(
            "annotation.clear",
            {"meeting_id": mid, "document_id": setup.doc, "page": 0},
            callback=True,
        )
    )
    assert cleared["cleared"] == 2
    [env] = events(delegate, "annotation.cleared")
    assert env["data"]["page"] == 0 and shared_id in env["data"]["ids"]
    snap = joined(observer, mid)
    assert [m["page"] for m in snap["shared_marks"]] == [1]
    # The delegate's own annotation stays theirs.
    mine = ack_ok(
        delegate.emit(
            "annotation.list", {"meeting_id": mid, "document_id": setup.doc}, callback=True
        )
    )
    assert [a["id"] for a in mine["mine"]] == [private["id"]]
    # Clearing an empty page changes nothing (no version bump).
    before = version(app, mid)
    ack_ok(
        chair.emit(
            "annotation.clear",
            {"meeting_id": mid, "document_id": setup.doc, "page": 0},
            callback=True,
        )
    )
    assert version(app, mid) == before


def test_owner_or_chair_deletes_one_shared_mark(setup: Setup, as_role: Any) -> None:
    mid = setup.room.meeting_id
    chair, delegate, observer = as_role("chair"), as_role("delegate"), as_role("observer")
    joined(observer, mid)
    private = stroke(setup.doc)
    ack_ok(
        delegate.emit(
            "annotation.create", {"meeting_id": mid, "annotation": private}, callback=True
        )
    )
    shared_id = new_id()
    ack_ok(
        delegate.emit(
            "annotation.share",
            {"meeting_id": mid, "id": private["id"], "shared_id": shared_id},
            callback=True,
        )
    )
    ref = {"meeting_id": mid, "id": shared_id}
    assert ack_error(observer.emit("annotation.delete", ref, callback=True)) == "permission_denied"
    ack_ok(chair.emit("annotation.delete", ref, callback=True))
    [env] = events(observer, "annotation.deleted")
    assert env["data"]["id"] == shared_id


def test_restricted_document_marks_stay_with_those_who_may_see_it(
    setup: Setup, as_role: Any, app: Any
) -> None:
    mid = setup.room.meeting_id
    granted = setup.room.users["delegate01"]
    secret = add_document(app, mid, restricted=True, granted_user_ids=(granted,))
    chair, delegate, observer = as_role("chair"), as_role("delegate"), as_role("observer")
    for sc in (delegate, observer):
        joined(sc, mid)
    ack_ok(mark(chair, mid, stroke(secret)))
    for sc in (delegate, observer):
        [env] = events(sc, "annotation.created")
        assert env["data"]["annotation"] is None  # ids only: who may see it fetches
    assert len(joined(delegate, mid)["shared_marks"]) == 1
    assert joined(observer, mid)["shared_marks"] == []
    # No laser over a restricted document: it would say where it is being read.
    laser = {"meeting_id": mid, "document_id": secret, "page": 0, "at": [0.5, 0.5]}
    assert ack_ok(chair.emit("annotation.laser", laser, callback=True)) == {"sent": False}


def test_laser_streams_without_storing(
    setup: Setup, as_role: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A frozen clock: on a loaded machine two sends can be further apart than the throttle.
    monkeypatch.setattr(realtime_annotations, "clock", lambda: 1000.0)
    mid = setup.room.meeting_id
    chair, tablet = in_the_room(setup, as_role, "chair", "delegate")
    before = version(app, mid)
    msg = {"meeting_id": mid, "document_id": setup.doc, "page": 0, "at": [0.25, 0.75]}
    assert ack_ok(chair.emit("annotation.laser", msg, callback=True)) == {"sent": True}
    # Faster than ~40/s is dropped; hiding never is.
    assert ack_ok(chair.emit("annotation.laser", {**msg, "at": [0.3, 0.7]}, callback=True)) == {
        "sent": False
    }
    assert ack_ok(chair.emit("annotation.laser", {**msg, "at": None}, callback=True)) == {
        "sent": True
    }
    got = events(tablet, "annotation.laser")
    assert [e["data"]["at"] for e in got] == [[0.25, 0.75], None]
    assert got[0]["version"] is None
    assert events(chair, "annotation.laser") == []  # not echoed to the presenter
    assert version(app, mid) == before
    assert count_rows(app, setup.doc) == 0
    bad = {**msg, "at": [float("nan"), 0.5]}
    assert ack_error(chair.emit("annotation.laser", bad, callback=True)) == "invalid_payload"
