"""Parallel clients: no ballot lost, none counted twice.

Each thread drives its own Flask-SocketIO test client (its own session and DB connection);
a barrier releases them together. Every delegate races two different ballots and a replay.
The real-process version with 500 voters is scripts/bench/voting.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from meetings.db import db
from meetings.models import NamedBallot, PollVoter, SecretBallot
from tests.voting.conftest import DELEGATES, new_key, ok, option


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_parallel_votes(
    app: Any, make_poll: Any, socket_for: Any, chair: Any, meeting_id: int, secret: bool
) -> None:
    poll = make_poll(secret=secret)
    yes, no = option(poll, "yes"), option(poll, "no")
    jobs = []
    for username in DELEGATES:
        key = new_key()
        # Two different ballots of the same person, and a replay of the first.
        jobs += [(username, key, yes), (username, new_key(), no), (username, key, yes)]
    clients = [socket_for(username) for username, _k, _c in jobs]
    barrier = threading.Barrier(len(jobs))
    acks: list[tuple[str, str, dict[str, Any]]] = [("", "", {})] * len(jobs)

    def run(i: int) -> None:
        username, key, choice = jobs[i]
        body = {"meeting_id": meeting_id, "poll_id": poll["id"], "ballot_id": key}
        barrier.wait()
        acks[i] = (
            username,
            key,
            clients[i].emit("poll.cast", {**body, "choices": [choice]}, callback=True),
        )

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    accepted: dict[str, set[str]] = {}
    for username, key, ack in acks:
        if ack["ok"]:
            accepted.setdefault(username, set()).add(key)
        else:
            assert ack["error"]["code"] == "already_voted", ack
    # Exactly one ballot per person won; its replay (if it was the first key) agreed.
    assert sorted(accepted) == sorted(DELEGATES)
    assert all(len(keys) == 1 for keys in accepted.values()), accepted
    expected: Counter[int] = Counter()
    for username, key, choice in jobs[::3] + jobs[1::3]:
        if key in accepted[username]:
            expected[choice] += 1
    model = SecretBallot if secret else NamedBallot
    with app.app_context():
        assert db.scalar(select(func.count()).where(PollVoter.poll_id == poll["id"])) == 10
        assert db.scalar(select(func.count()).where(model.poll_id == poll["id"])) == 10
    ref = {"meeting_id": meeting_id, "poll_id": poll["id"]}
    result = ok(chair.emit("poll.close", ref, callback=True))["poll"]["result"]
    assert {o["id"]: o["votes"] for o in result["options"] if o["votes"]} == dict(expected)
    assert result["cast"] == 10
