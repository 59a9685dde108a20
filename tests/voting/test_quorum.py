"""One quorum rule for the meeting and its polls, and every screen told why (issue 10 §4).

The field test saw "Đủ túc số" (6/10 present) on the meeting while the poll said
"Không đủ túc số": the meeting counted the delegates present against its own rule, the
poll counted ballots against a hard-coded "more than half" and said nothing about it.
"""

from __future__ import annotations

import typing
from typing import Any

import pytest

from meetings.api import meetings as meetings_api
from meetings.realtime import poll_timers
from meetings.schemas.polls import PollProgressData
from meetings.schemas.room import MeetingQuorumOut, QuorumOut
from meetings.services.room import meetings as meetings_service
from meetings.services.room import quorum
from meetings.services.voting.majority import Bases, decide_yes_no, poll_quorum
from tests.realtime.room import ROLE_USERS, make_room
from tests.voting.conftest import new_key, ok, option


def test_poll_quorum_follows_the_meetings_rule() -> None:
    # 7 of 10 took part: enough for "quá nửa" (6) and for "ít nhất 2/3" (7), not for 3/4 (8).
    for rule, need, reached in (
        ("majority", 6, True),
        ("two_thirds", 7, True),
        ("three_quarters", 8, False),
    ):
        q = poll_quorum(Bases(entitled=10, present=10, cast=7, quorum_rule=rule))
        assert (q.required, q.reached, q.basis, q.counted, q.total) == (
            need,
            reached,
            "took_part",
            7,
            10,
        )
        out = decide_yes_no("cast", 7, 0, Bases(entitled=10, present=10, cast=7, quorum_rule=rule))
        assert out.status == ("adopted" if reached else "no_quorum"), rule


def test_quorum_sentence_names_its_count_and_rule() -> None:
    meeting = quorum.check("majority", "present", 6, 10)
    poll = quorum.check("majority", "took_part", 5, 10)
    assert meeting.reached and not poll.reached and meeting.required == poll.required == 6
    assert meeting.describe() == "6/10 đại biểu có mặt, cần 6 (quá nửa)"
    assert poll.describe() == "5/10 đại biểu đã biểu quyết, cần 6 (quá nửa)"
    assert not quorum.check("majority", "present", 0, 0).reached  # nobody entitled


def test_every_list_of_quorum_rules_is_the_one_in_services_quorum() -> None:
    rules = set(quorum.RULES)
    assert set(typing.get_args(meetings_api.QuorumRule)) == rules
    assert set(meetings_service.QUORUM_RULES) == rules
    assert set(typing.get_args(QuorumOut.model_fields["rule"].annotation)) == rules
    assert set(quorum.RULE_LABELS) == rules


@pytest.fixture
def two_thirds_room(app: Any, socket_for: Any) -> Any:
    """5 voting delegates, quorum "ít nhất 2/3" → 4 needed; 4 of them present."""
    room = make_room(app, quorum_rule="two_thirds")
    chair = socket_for(ROLE_USERS["chair"])
    ok(chair.emit("meeting.join", {"meeting_id": room.meeting_id}, callback=True))
    for name in ("delegate01", "delegate05", "delegate06", "delegate07"):
        body = {"meeting_id": room.meeting_id, "user_id": room.users[name], "status": "present"}
        ok(chair.emit("attendance.mark", body, callback=True))
    return room, chair


def test_meeting_and_poll_state_the_same_rule_and_why(
    two_thirds_room: Any, socket_for: Any, app: Any
) -> None:
    room, chair = two_thirds_room
    mid = room.meeting_id
    snap = ok(chair.emit("meeting.snapshot", {"meeting_id": mid}, callback=True))
    meeting_q = MeetingQuorumOut.model_validate(snap["attendance"]["quorum"])
    assert (meeting_q.basis, meeting_q.counted, meeting_q.total) == ("present", 4, 5)
    assert (meeting_q.rule, meeting_q.required, meeting_q.reached) == ("two_thirds", 4, True)

    body = {"meeting_id": mid, "title": "Thông qua nghị quyết", "rule": "cast"}
    poll = ok(chair.emit("poll.create", body, callback=True))["poll"]
    assert poll["quorum"] is None  # a draft has frozen nothing yet
    ref = {"meeting_id": mid, "poll_id": poll["id"]}
    poll = ok(chair.emit("poll.open", ref, callback=True))["poll"]
    opened = QuorumOut.model_validate(poll["quorum"])
    # The poll uses the meeting's rule on the same delegates, counting who took part.
    assert (opened.rule, opened.total, opened.required) == ("two_thirds", 5, meeting_q.required)
    assert (opened.basis, opened.counted, opened.reached) == ("took_part", 0, False)

    for name in ("delegate01", "delegate05", "delegate06"):
        voter = socket_for(name)
        ok(voter.emit("meeting.join", {"meeting_id": mid}, callback=True))
        cast = {**ref, "ballot_id": new_key(), "choices": [option(poll, "yes")]}
        ok(voter.emit("poll.cast", cast, callback=True))
    running = ok(chair.emit("poll.get", ref, callback=True))["poll"]["quorum"]
    assert (running["counted"], running["required"], running["reached"]) == (3, 4, False)
    with app.app_context():
        from meetings.db import db
        from meetings.models import Poll

        row = db.get(Poll, poll["id"])
        assert row is not None
        progress = PollProgressData.model_validate(poll_timers.progress_of(row))
        db.remove()
    assert progress.quorum is not None and progress.quorum.counted == 3

    # 3 of 5 is "more than half" but not "at least 2/3": no outcome, and the result says why.
    closed = ok(chair.emit("poll.close", ref, callback=True))["poll"]
    result = closed["result"]
    assert result["outcome"]["status"] == "no_quorum"
    assert QuorumOut.model_validate(result["quorum"]).model_dump() == {
        "rule": "two_thirds",
        "basis": "took_part",
        "counted": 3,
        "total": 5,
        "required": 4,
        "reached": False,
    }
    assert closed["quorum"] == result["quorum"]
