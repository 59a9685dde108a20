"""poll.hide: the chair takes a finished poll off the projector and the tablets; the result
stays on record, and poll.publish shows a published result again."""

from __future__ import annotations

from typing import Any

from tests.voting.conftest import err, new_key, ok, option


def ref(meeting_id: int, poll: dict[str, Any]) -> dict[str, Any]:
    return {"meeting_id": meeting_id, "poll_id": poll["id"]}


def events(sc: Any, name: str) -> list[dict[str, Any]]:
    return [m["args"][0]["data"] for m in sc.get_received() if m["name"] == name]


def test_hide_and_show_again(make_poll: Any, joined: Any, chair: Any, meeting_id: int) -> None:
    d1, projector = joined("delegate01"), joined("secretary")
    poll = make_poll()
    body = {**ref(meeting_id, poll), "ballot_id": new_key(), "choices": [option(poll, "yes")]}
    ok(d1.emit("poll.cast", body, callback=True))
    # Only a finished poll can be taken off the screens; the open one stays open.
    assert err(chair.emit("poll.hide", ref(meeting_id, poll), callback=True)) == "conflict"
    assert ok(d1.emit("poll.get", ref(meeting_id, poll), callback=True))["poll"]["status"] == "open"

    ok(chair.emit("poll.close", ref(meeting_id, poll), callback=True))
    ok(chair.emit("poll.publish", ref(meeting_id, poll), callback=True))
    d1.get_received()
    projector.get_received()
    hidden = ok(chair.emit("poll.hide", ref(meeting_id, poll), callback=True))["poll"]
    assert hidden["status"] == "published" and hidden["hidden_at"] is not None
    assert hidden["result"]["cast"] == 1  # the record is unchanged
    (event,) = events(d1, "poll.hidden")
    assert event["poll"]["id"] == poll["id"] and event["poll"]["hidden_at"] == hidden["hidden_at"]
    # Hiding again changes nothing and says nothing.
    again = ok(chair.emit("poll.hide", ref(meeting_id, poll), callback=True))["poll"]
    assert again["hidden_at"] == hidden["hidden_at"]
    assert events(projector, "poll.hidden") == [event]
    # A screen that reconnects learns it from the snapshot.
    snap = ok(d1.emit("meeting.snapshot", {"meeting_id": meeting_id}, callback=True))
    assert snap["poll"]["current"]["hidden_at"] == hidden["hidden_at"]

    # Publishing again puts the result back on the screens.
    shown = ok(chair.emit("poll.publish", ref(meeting_id, poll), callback=True))["poll"]
    assert shown["hidden_at"] is None and shown["result"]["cast"] == 1
    (published,) = events(d1, "poll.published")
    assert published["poll"]["hidden_at"] is None and published["poll"]["result"]["cast"] == 1


def test_hide_needs_poll_manage_and_a_real_poll(
    make_poll: Any, joined: Any, chair: Any, meeting_id: int
) -> None:
    poll = make_poll()
    ok(chair.emit("poll.close", ref(meeting_id, poll), callback=True))
    delegate = joined("delegate02")
    assert (
        err(delegate.emit("poll.hide", ref(meeting_id, poll), callback=True)) == "permission_denied"
    )
    missing = {"meeting_id": meeting_id, "poll_id": 987654}
    assert err(chair.emit("poll.hide", missing, callback=True)) == "not_found"
    bad = {**ref(meeting_id, poll), "extra": 1}
    assert err(chair.emit("poll.hide", bad, callback=True)) == "invalid_payload"
    # State unchanged by the refusals; a closed (unpublished) poll can be hidden too.
    view = ok(chair.emit("poll.get", ref(meeting_id, poll), callback=True))["poll"]
    assert view["hidden_at"] is None
    hidden = ok(chair.emit("poll.hide", ref(meeting_id, poll), callback=True))["poll"]
    assert hidden["status"] == "closed" and hidden["hidden_at"] is not None
