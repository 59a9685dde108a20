"""The offline queue: a batch replayed (lost ack, reconnect) changes nothing the second
time, and one bad op does not block the others."""

from __future__ import annotations

from typing import Any

from tests.annotations.conftest import Setup
from tests.annotations.helpers import count_rows, new_id, note, stroke
from tests.realtime.room import ack_ok, clear, events, version


def sync(sc: Any, meeting_id: int, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    data = ack_ok(sc.emit("annotation.sync", {"meeting_id": meeting_id, "ops": ops}, callback=True))
    return list(data["results"])


def test_same_batch_twice_is_one_effect(setup: Setup, as_role: Any, app: Any) -> None:
    mid, doc = setup.room.meeting_id, setup.doc
    chair, tablet, watcher = as_role("chair"), as_role("delegate"), as_role("observer")
    ack_ok(watcher.emit("meeting.join", {"meeting_id": mid}, callback=True))
    clear(watcher)
    a, b, n = stroke(doc), stroke(doc, page=1), note(doc)
    ops = [
        {"op": "create", "op_id": new_id(), "annotation": a},
        {"op": "create", "op_id": new_id(), "annotation": n},
        {
            "op": "update",
            "op_id": new_id(),
            "id": n["id"],
            "base_version": 1,
            "changes": {"text": "Đã sửa khi mất mạng"},
        },
        {"op": "create", "op_id": new_id(), "annotation": b},
        {"op": "delete", "op_id": new_id(), "id": b["id"]},
        {"op": "share", "op_id": new_id(), "id": a["id"], "shared_id": new_id()},
        {"op": "create", "op_id": new_id(), "annotation": stroke(doc, points=[float("nan"), 0.1])},
        {"op": "teleport", "op_id": new_id()},
    ]
    first = sync(tablet, mid, ops)
    assert [r["ok"] for r in first] == [True] * 6 + [False, False]
    assert [r["op_id"] for r in first] == [o["op_id"] for o in ops]
    assert first[6]["error"]["code"] == "invalid_payload"
    assert first[7]["error"]["code"] == "invalid_payload"
    rows, v = count_rows(app, doc), version(app, mid)
    listing = {"meeting_id": mid, "document_id": doc}
    state = ack_ok(tablet.emit("annotation.list", listing, callback=True))
    assert rows == 4  # a, n, b (tombstone), the shared copy of a
    assert len(events(watcher, "annotation.created")) == 1

    second = sync(tablet, mid, ops)  # the ack was lost: the tablet sends it all again
    assert [r["ok"] for r in second] == [r["ok"] for r in first]
    for r1, r2 in zip(first[:6], second[:6], strict=True):
        # A replayed op answers with the mark as it is now (n was edited after its
        # create, b deleted after its create: the replayed create does not revive it).
        assert r1["annotation"]["id"] == r2["annotation"]["id"]
    assert second[3]["annotation"]["deleted"] is True
    assert ack_ok(tablet.emit("annotation.list", listing, callback=True)) == state
    assert count_rows(app, doc) == rows
    assert version(app, mid) == v  # no shared change the second time, no event
    assert len(events(watcher, "annotation.created")) == 1
    listed = ack_ok(
        tablet.emit("annotation.list", {"meeting_id": mid, "document_id": doc}, callback=True)
    )
    assert sorted(x["id"] for x in listed["mine"]) == sorted([a["id"], n["id"]])
    assert next(x for x in listed["mine"] if x["id"] == n["id"])["text"] == "Đã sửa khi mất mạng"
    # A presenter's queued marks go through the same door, with their own permission.
    m = stroke(doc)
    assert (
        sync(tablet, mid, [{"op": "mark", "op_id": new_id(), "annotation": m}])[0]["error"]["code"]
        == "permission_denied"
    )
    assert sync(chair, mid, [{"op": "mark", "op_id": new_id(), "annotation": m}])[0]["ok"]


def test_batch_limits(setup: Setup, as_role: Any) -> None:
    sc = as_role("delegate")
    too_many = [{"op": "delete", "op_id": new_id(), "id": new_id()}] * 201
    ack = sc.emit(
        "annotation.sync", {"meeting_id": setup.room.meeting_id, "ops": too_many}, callback=True
    )
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload"
    # Deleting something the server never saw (its create was coalesced away): not_found.
    res = sync(sc, setup.room.meeting_id, [{"op": "delete", "op_id": new_id(), "id": new_id()}])
    assert res[0]["error"]["code"] == "not_found"
