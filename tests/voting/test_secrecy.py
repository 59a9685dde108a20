"""Secret ballots: after a secret poll, nothing stored or logged links a person to a choice.

The detector walks EVERY table of the metadata and every captured log record. It is run on
a named poll as well, where it must find the links, so a silent detector cannot pass.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import pytest
from sqlalchemy import select, text

from meetings.db import db
from meetings.models import Base, PollVoter, SecretBallot, User
from tests.voting.conftest import DELEGATES, new_key, ok, option

# Cast order: deliberately not sorted by choice, so an order leak would show.
PATTERN = ["yes", "no", "abstain", "yes", "yes", "no", "abstain", "yes", "no", "yes"]


def _vote_all(make_poll: Any, joined: Any, chair: Any, meeting_id: int, secret: bool) -> Any:
    poll = make_poll(secret=secret)
    voters: list[dict[str, Any]] = []
    for username, code in zip(DELEGATES, PATTERN, strict=True):
        key = new_key()
        choice = option(poll, code)
        body = {
            "meeting_id": meeting_id,
            "poll_id": poll["id"],
            "ballot_id": key,
            "choices": [choice],
        }
        ack = ok(joined(username).emit("poll.cast", body, callback=True))
        voters.append({"username": username, "key": key, "choice": json.dumps([choice]), **ack})
    ref = {"meeting_id": meeting_id, "poll_id": poll["id"]}
    ok(chair.emit("poll.close", ref, callback=True))
    ok(chair.emit("poll.publish", ref, callback=True))
    return poll, voters


def _identity(v: dict[str, Any]) -> tuple[int, set[str]]:
    user = db.scalar(select(User).where(User.username == v["username"]))
    assert user is not None
    return user.id, {user.username, user.full_name}


def _choice_side(v: dict[str, Any]) -> set[str]:
    """Values that would reveal what this voter chose if found next to them."""
    side = {v["key"]}
    if "receipt" in v:
        side |= {v["receipt"], hashlib.sha256(v["receipt"].encode()).hexdigest()}
    return side


def _row_mentions_person(row: dict[str, Any], user_id: int, words: set[str]) -> bool:
    for column, value in row.items():
        if (column.endswith("user_id") or column == "actor_id") and value == user_id:
            return True
        if isinstance(value, str):
            if any(w in value for w in words):
                return True
            if value.startswith("{") and json.loads(value).get("user_id") == user_id:
                return True
    return False


def _row_mentions_choice(row: dict[str, Any], voter: dict[str, Any], poll_id: int) -> bool:
    if row.get("poll_id") not in (None, poll_id):
        return False
    secrets = _choice_side(voter)
    for column, value in row.items():
        if not isinstance(value, str):
            continue
        if any(s in value for s in secrets):
            return True
        if column == "choices" and value == voter["choice"]:
            return True
        if value.startswith("{") and json.loads(value).get("choices") == voter["choice"]:
            return True
    return False


def links_in_tables(poll_id: int, voters: list[dict[str, Any]]) -> list[str]:
    found = []
    for table in Base.metadata.sorted_tables:
        rows = [dict(r._mapping) for r in db.execute(select(table))]
        for voter in voters:
            user_id, words = _identity(voter)
            for row in rows:
                if _row_mentions_person(row, user_id, words) and _row_mentions_choice(
                    row, voter, poll_id
                ):
                    found.append(f"{table.name}: {voter['username']}")
    return found


def links_in_logs(records: list[logging.LogRecord], voters: list[dict[str, Any]]) -> list[str]:
    found = []
    for record in records:
        line = record.getMessage() + " " + json.dumps(record.__dict__, default=str)
        for voter in voters:
            if any(s in line for s in _choice_side(voter)):
                found.append(line[:200])
    return found


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Everything the application logs, at every level. (SQL statement logging stays at
    SQLAlchemy's default WARNING, as in production: echoing SQL parameters would print
    any database write and is never enabled.)"""
    caplog.set_level(logging.DEBUG)
    for name in ("engineio.server", "socketio.server", "meetings", "werkzeug"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_secret_poll_leaves_no_link(
    app: Any, make_poll: Any, joined: Any, chair: Any, meeting_id: int, all_logs: Any
) -> None:
    poll, voters = _vote_all(make_poll, joined, chair, meeting_id, secret=True)
    with app.app_context():
        assert links_in_tables(poll["id"], voters) == []
        # Who voted is recorded (that is public), but the idempotency keys are gone.
        markers = list(db.scalars(select(PollVoter).where(PollVoter.poll_id == poll["id"])))
        assert len(markers) == 10 and all(m.key_hash is None for m in markers)
        # Every receipt is counted: each voter finds sha256(receipt) among the ballots.
        ballots = list(db.scalars(select(SecretBallot).where(SecretBallot.poll_id == poll["id"])))
        digests = {b.receipt_hash for b in ballots}
        assert {hashlib.sha256(v["receipt"].encode()).hexdigest() for v in voters} == digests
        # Neither storage order nor id order follows the order the votes came in.
        cast_order = [hashlib.sha256(v["receipt"].encode()).hexdigest() for v in voters]
        stored: list[str] = list(
            db.execute(
                text("SELECT receipt_hash FROM secret_ballots WHERE poll_id = :p"),
                {"p": poll["id"]},
            ).scalars()
        )
        assert stored != cast_order
        assert [b.receipt_hash for b in sorted(ballots, key=lambda b: b.id)] != cast_order
        # The ballot table has no column that could point at a person or a moment.
        assert set(SecretBallot.__table__.columns.keys()) == {
            "id",
            "poll_id",
            "choices",
            "receipt_hash",
            "content_hash",
        }
    assert links_in_logs(all_logs.records, voters) == []


def test_detector_finds_links_in_named_poll(
    app: Any, make_poll: Any, joined: Any, chair: Any, meeting_id: int
) -> None:
    poll, voters = _vote_all(make_poll, joined, chair, meeting_id, secret=False)
    with app.app_context():
        found = links_in_tables(poll["id"], voters)
    assert any(f.startswith("named_ballots") for f in found)
    assert any(f.startswith("audit_log") for f in found)


def test_receipts_published_for_self_check(
    app: Any, make_poll: Any, joined: Any, chair: Any, meeting_id: int, login_as: Any
) -> None:
    poll, voters = _vote_all(make_poll, joined, chair, meeting_id, secret=True)
    client = login_as("delegate03")
    url = f"/api/meetings/{meeting_id}/polls/{poll['id']}/receipts"
    hashes = client.get(url).get_json()["receipt_hashes"]
    mine = hashlib.sha256(voters[2]["receipt"].encode()).hexdigest()
    assert mine in hashes and len(hashes) == 10 and hashes == sorted(hashes)
