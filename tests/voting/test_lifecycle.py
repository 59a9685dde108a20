"""Lifecycle draft → open → closed → published, bad input, replays, timers, snapshots."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import gevent
from sqlalchemy import func, select, update

from meetings.clock import now
from meetings.db import db, transaction
from meetings.models import NamedBallot, Poll, PollVoter, SecretBallot
from meetings.realtime import poll_timers
from tests.voting.conftest import err, new_key, ok, option


def ref(meeting_id: int, poll: dict[str, Any]) -> dict[str, Any]:
    return {"meeting_id": meeting_id, "poll_id": poll["id"]}


def cast(sc: Any, meeting_id: int, poll: dict[str, Any], *choices: int, **extra: Any) -> Any:
    body = {
        **ref(meeting_id, poll),
        "ballot_id": extra.pop("key", new_key()),
        "choices": list(choices),
    }
    return sc.emit("poll.cast", {**body, **extra}, callback=True)


def names(sc: Any) -> list[str]:
    return [m["name"] for m in sc.get_received()]


def test_full_lifecycle_named(make_poll: Any, joined: Any, chair: Any, meeting_id: int) -> None:
    d1, d2, d3 = joined("delegate01"), joined("delegate02"), joined("delegate03")
    draft = make_poll(open=False)
    assert draft["status"] == "draft"
    assert [o["label"] for o in draft["options"]] == [
        "Tán thành",
        "Không tán thành",
        "Không biểu quyết",
    ]
    assert "poll.created" not in names(d1)  # drafts are for the chair and secretary
    # Not yet open: casting is a conflict, not "closed".
    assert err(cast(d1, meeting_id, draft, option(draft, "yes"))) == "conflict"
    updated = ok(
        chair.emit("poll.update", {**ref(meeting_id, draft), "title": "Sửa"}, callback=True)
    )
    assert updated["poll"]["title"] == "Sửa"
    poll = ok(chair.emit("poll.open", ref(meeting_id, draft), callback=True))["poll"]
    assert poll["status"] == "open" and poll["eligible_count"] == 10
    assert "poll.opened" in names(d1)
    # Open polls cannot be edited, deleted or opened again.
    assert (
        err(chair.emit("poll.update", {**ref(meeting_id, poll), "title": "x"}, callback=True))
        == "conflict"
    )
    assert err(chair.emit("poll.delete", ref(meeting_id, poll), callback=True)) == "conflict"
    assert err(chair.emit("poll.open", ref(meeting_id, poll), callback=True)) == "conflict"

    a1 = ok(cast(d1, meeting_id, poll, option(poll, "yes")))
    assert a1["choices"] == [option(poll, "yes")] and "receipt" not in a1
    ok(cast(d2, meeting_id, poll, option(poll, "no")))
    ok(cast(d3, meeting_id, poll, option(poll, "abstain")))
    view = ok(d1.emit("poll.get", ref(meeting_id, poll), callback=True))["poll"]
    assert view["voted_count"] == 3 and view["me"] == {
        "eligible": True,
        "voted": True,
        "choices": [option(poll, "yes")],
    }
    assert view["result"] is None and view["running_tally"] is None

    closed = ok(chair.emit("poll.close", ref(meeting_id, poll), callback=True))["poll"]
    assert closed["status"] == "closed"
    result = closed["result"]
    assert (result["cast"], result["entitled"], result["not_voted"]) == (3, 10, 7)
    assert [o["votes"] for o in result["options"]] == [1, 1, 1]
    assert result["options"][0]["percent"] == 10.0  # base: all entitled delegates
    assert result["outcome"]["status"] == "rejected"
    assert [p["full_name"] for p in closed["named_list"] if p["voted"]]
    # Delegates learn it closed, but not the result until it is published.
    got = d1.get_received()
    closed_event = next(m for m in got if m["name"] == "poll.closed")
    assert closed_event["args"][0]["data"]["poll"]["result"] is None
    assert ok(d1.emit("poll.get", ref(meeting_id, poll), callback=True))["poll"]["result"] is None
    assert err(cast(d1, meeting_id, poll, option(poll, "yes"))) == "closed"
    # Closing again is harmless; publishing twice too.
    ok(chair.emit("poll.close", ref(meeting_id, poll), callback=True))
    ok(chair.emit("poll.publish", ref(meeting_id, poll), callback=True))
    ok(chair.emit("poll.publish", ref(meeting_id, poll), callback=True))
    published = [m for m in d2.get_received() if m["name"] == "poll.published"]
    assert published[0]["args"][0]["data"]["poll"]["result"]["cast"] == 3
    mine = ok(d2.emit("poll.get", ref(meeting_id, poll), callback=True))["poll"]
    assert mine["named_list"] and mine["result"]["outcome"]["label"] == "Không thông qua"


def test_adopted_by_absolute_majority(
    make_poll: Any, joined: Any, chair: Any, meeting_id: int
) -> None:
    poll = make_poll()
    for i in range(1, 7):
        ok(cast(joined(f"delegate{i:02d}"), meeting_id, poll, option(poll, "yes")))
    result = ok(chair.emit("poll.close", ref(meeting_id, poll), callback=True))["poll"]["result"]
    assert result["outcome"]["status"] == "adopted" and result["outcome"]["required"] == 6


def test_delete_and_cancel(make_poll: Any, chair: Any, joined: Any, meeting_id: int) -> None:
    draft = make_poll(open=False)
    ok(chair.emit("poll.delete", ref(meeting_id, draft), callback=True))
    assert err(chair.emit("poll.get", ref(meeting_id, draft), callback=True)) == "not_found"
    poll = make_poll()
    ok(chair.emit("poll.cancel", ref(meeting_id, poll), callback=True))
    assert err(cast(joined("delegate01"), meeting_id, poll, option(poll, "yes"))) == "closed"
    assert err(chair.emit("poll.publish", ref(meeting_id, poll), callback=True)) == "conflict"
    assert err(chair.emit("poll.close", ref(meeting_id, poll), callback=True)) == "conflict"


def test_only_one_open_poll(make_poll: Any, chair: Any, meeting_id: int) -> None:
    make_poll()
    second = make_poll(open=False)
    assert err(chair.emit("poll.open", ref(meeting_id, second), callback=True)) == "conflict"


def test_bad_input_stores_nothing(app: Any, make_poll: Any, joined: Any, meeting_id: int) -> None:
    poll = make_poll(kind="multiple", options=["A", "B", "C", "D"], min_choices=1, max_choices=2)
    d1 = joined("delegate01")
    a, b_, c = option(poll, "A"), option(poll, "B"), option(poll, "C")
    assert err(cast(d1, meeting_id, poll, a, b_, c)) == "invalid_choice"  # too many
    assert err(cast(d1, meeting_id, poll)) == "invalid_choice"  # too few
    assert err(cast(d1, meeting_id, poll, a, a)) == "invalid_choice"  # twice the same
    assert err(cast(d1, meeting_id, poll, 999_999)) == "invalid_choice"  # unknown option
    forged = {**ref(meeting_id, poll), "poll_id": poll["id"] + 10_000}
    ack = d1.emit("poll.cast", {**forged, "ballot_id": new_key(), "choices": [a]}, callback=True)
    assert err(ack) == "not_found"
    for bad in ("not-a-uuid", 5, None):
        ack = d1.emit(
            "poll.cast", {**ref(meeting_id, poll), "ballot_id": bad, "choices": [a]}, callback=True
        )
        assert err(ack) == "invalid_payload"
    # The chair has no vote (observer-like for polls): permission_denied before anything.
    assert err(cast(joined("chair"), meeting_id, poll, a)) == "permission_denied"
    with app.app_context():
        assert db.scalar(select(func.count()).where(PollVoter.poll_id == poll["id"])) == 0
        assert db.scalar(select(func.count()).where(NamedBallot.poll_id == poll["id"])) == 0
    ok(cast(d1, meeting_id, poll, a, c))


def test_replay_and_already_voted(app: Any, make_poll: Any, joined: Any, meeting_id: int) -> None:
    for secret in (False, True):
        poll = make_poll(secret=secret)
        d1 = joined("delegate01")
        key = new_key()
        first = ok(cast(d1, meeting_id, poll, option(poll, "yes"), key=key))
        # A retry after a lost ack: the same answer, nothing new stored.
        assert ok(cast(d1, meeting_id, poll, option(poll, "yes"), key=key)) == first
        assert ok(cast(d1, meeting_id, poll, option(poll, "no"), key=key)) == first
        assert err(cast(d1, meeting_id, poll, option(poll, "no"))) == "already_voted"
        with app.app_context():
            model = SecretBallot if secret else NamedBallot
            assert db.scalar(select(func.count()).where(model.poll_id == poll["id"])) == 1
        if secret:
            assert len(first["receipt"]) == 19 and "choices" not in first
        ok(joined("chair").emit("poll.close", ref(meeting_id, poll), callback=True))


def test_change_vote_when_allowed(make_poll: Any, joined: Any, chair: Any, meeting_id: int) -> None:
    for secret in (False, True):
        poll = make_poll(secret=secret, allow_change=True)
        d1 = joined("delegate01")
        k1, k2 = new_key(), new_key()
        ok(cast(d1, meeting_id, poll, option(poll, "yes"), key=k1))
        # A change must name the current ballot; a stray retry of another key must not.
        assert err(cast(d1, meeting_id, poll, option(poll, "no"))) == "already_voted"
        changed = ok(cast(d1, meeting_id, poll, option(poll, "no"), key=k2, previous_ballot_id=k1))
        # The stale first ballot replayed late does not switch the vote back.
        assert err(cast(d1, meeting_id, poll, option(poll, "yes"), key=k1)) == "already_voted"
        assert (
            ok(cast(d1, meeting_id, poll, option(poll, "no"), key=k2, previous_ballot_id=k1))
            == changed
        )
        result = ok(chair.emit("poll.close", ref(meeting_id, poll), callback=True))["poll"][
            "result"
        ]
        votes = {o["code"]: o["votes"] for o in result["options"]}
        assert votes == {"yes": 0, "no": 1, "abstain": 0} and result["cast"] == 1, secret


def test_running_tally_only_when_chosen(make_poll: Any, joined: Any, meeting_id: int) -> None:
    poll = make_poll(show_running_tally=True)
    d1 = joined("delegate01")
    ok(cast(d1, meeting_id, poll, option(poll, "yes")))
    view = ok(d1.emit("poll.get", ref(meeting_id, poll), callback=True))["poll"]
    assert [o["votes"] for o in view["running_tally"]] == [1, 0, 0]
    gevent.sleep(poll_timers.PROGRESS_INTERVAL + 0.1)  # let the coalesced progress go out
    progress = [m for m in d1.get_received() if m["name"] == "poll.progress"]
    assert progress and progress[-1]["args"][0]["data"]["voted_count"] == 1
    assert progress[-1]["args"][0]["data"]["running_tally"][0]["votes"] == 1


def test_secret_polls_never_show_running_tally(chair: Any, meeting_id: int) -> None:
    body = {"meeting_id": meeting_id, "title": "Bầu", "secret": True, "show_running_tally": True}
    assert err(chair.emit("poll.create", body, callback=True)) == "invalid_payload"


def test_settings_validation(chair: Any, meeting_id: int) -> None:
    base = {"meeting_id": meeting_id, "title": "Bầu"}
    for bad in (
        {"kind": "single", "options": ["A"]},
        {"kind": "multiple", "options": ["A", "B"], "max_choices": 3},
        {"kind": "multiple", "options": ["A", "A"]},
        {"kind": "yes_no", "options": ["A", "B"]},
        {"kind": "nope"},
        {"duration_seconds": 1},
        {"agenda_item_id": 999_999},
    ):
        code = err(chair.emit("poll.create", {**base, **bad}, callback=True))
        assert code in {"invalid_payload", "not_found"}, bad


def test_agenda_item_link(app: Any, chair: Any, meeting_id: int) -> None:
    from meetings.models import AgendaItem

    with app.app_context():
        item_id = db.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))
    body = {"meeting_id": meeting_id, "title": "Theo mục", "agenda_item_id": item_id}
    assert ok(chair.emit("poll.create", body, callback=True))["poll"]["agenda_item_id"] == item_id


def test_deadline_closes_without_any_command(
    app: Any, make_poll: Any, joined: Any, meeting_id: int
) -> None:
    poll = make_poll(duration_seconds=10)
    d1 = joined("delegate01")
    ok(cast(d1, meeting_id, poll, option(poll, "yes")))
    with app.app_context(), transaction():  # fast-forward: the deadline is now
        db.execute(
            update(Poll)
            .where(Poll.id == poll["id"])
            .values(deadline_at=now() - timedelta(seconds=1))
        )
    # A cast after the deadline is refused even before the timer ran...
    assert err(cast(joined("delegate02"), meeting_id, poll, option(poll, "yes"))) == "closed"
    # ...and the timer (rescheduled by that access) closes it with nobody sending anything.
    for _ in range(50):
        gevent.sleep(0.05)
        if "poll.closed" in names(d1):
            break
    else:
        raise AssertionError("poll.closed never arrived")
    with app.app_context():
        assert db.get(Poll, poll["id"]).status.value == "closed"  # type: ignore[union-attr]
        # Idempotent: a second close attempt (another worker's timer) does nothing.
        assert poll_timers.close_if_due(meeting_id, poll["id"]) is False


def test_present_only_eligibility(make_poll: Any, joined: Any, meeting_id: int) -> None:
    d1, d2 = joined("delegate01"), joined("delegate02")
    ok(d1.emit("attendance.checkin", {"meeting_id": meeting_id}, callback=True))
    poll = make_poll(eligibility="present", rule="simple", percent_base="present")
    assert poll["eligible_count"] >= 1 and poll["present_count"] == poll["eligible_count"]
    ok(cast(d1, meeting_id, poll, option(poll, "yes")))
    if poll["eligible_count"] < 10:
        code = err(cast(d2, meeting_id, poll, option(poll, "yes")))
        assert code in {"not_eligible", "ok"}


def test_reconnecting_delegate_sees_open_poll_and_own_vote(
    make_poll: Any, joined: Any, meeting_id: int
) -> None:
    poll = make_poll(secret=True)
    d1 = joined("delegate01")
    ok(cast(d1, meeting_id, poll, option(poll, "no")))
    d1.disconnect()
    again = joined("delegate01")
    snap = ok(again.emit("meeting.join", {"meeting_id": meeting_id}, callback=True))
    current = snap["poll"]["current"]
    assert current["id"] == poll["id"] and current["status"] == "open"
    assert current["me"] == {"eligible": True, "voted": True}  # secret: no choice shown
    other = ok(
        joined("delegate02").emit("meeting.snapshot", {"meeting_id": meeting_id}, callback=True)
    )
    assert other["poll"]["current"]["me"] == {"eligible": True, "voted": False}
    assert other["poll"]["drafts"] == []


def test_drafts_reach_managers_only_and_do_not_move_the_version(
    make_poll: Any, joined: Any, chair: Any, meeting_id: int
) -> None:
    delegate = joined("delegate04")
    secretary = joined("secretary")
    before = ok(delegate.emit("meeting.snapshot", {"meeting_id": meeting_id}, callback=True))
    make_poll(open=False, title="Dự thảo mật")
    assert "poll.created" not in names(delegate)
    created = [m for m in secretary.get_received() if m["name"] == "poll.created"]
    assert created and created[0]["args"][0]["version"] is None
    assert created[0]["args"][0]["data"]["poll"]["title"] == "Dự thảo mật"
    after = ok(delegate.emit("meeting.snapshot", {"meeting_id": meeting_id}, callback=True))
    assert after["version"] == before["version"]
