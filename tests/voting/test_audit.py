"""The audit chain and `python -m meetings audit verify` catch tampering.

Each test tampers with the shared database and puts it back exactly, so the chain is
intact again for the tests that follow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import select, update

from meetings.db import db, transaction
from meetings.models import AuditEntry, NamedBallot, SecretBallot
from meetings.services.voting import audit_verify
from tests.voting.conftest import DELEGATES, new_key, ok, option


def verify() -> list[str]:
    """What the CLI would say: a fresh session, nothing cached from the tampering."""
    db.remove()
    return audit_verify.verify()


def _voted_poll(make_poll: Any, joined: Any, chair: Any, meeting_id: int, secret: bool) -> int:
    poll = make_poll(secret=secret)
    for username, code in zip(DELEGATES[:4], ["yes", "no", "yes", "abstain"], strict=True):
        body = {
            "meeting_id": meeting_id,
            "poll_id": poll["id"],
            "ballot_id": new_key(),
            "choices": [option(poll, code)],
        }
        ok(joined(username).emit("poll.cast", body, callback=True))
    ok(chair.emit("poll.close", {"meeting_id": meeting_id, "poll_id": poll["id"]}, callback=True))
    return int(poll["id"])


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_edited_ballot_is_detected(
    app: Any, make_poll: Any, joined: Any, chair: Any, meeting_id: int, secret: bool
) -> None:
    poll_id = _voted_poll(make_poll, joined, chair, meeting_id, secret)
    model: Any = SecretBallot if secret else NamedBallot
    with app.app_context():
        assert verify() == []
        ballot = db.scalars(select(model).where(model.poll_id == poll_id)).first()
        assert ballot is not None
        original = ballot.choices
        other = next(o.id for o in ballot_poll_options(poll_id) if f"[{o.id}]" != original)
        with transaction():
            ballot.choices = f"[{other}]"  # someone flips a vote in the database
        problems = verify()
        assert problems and any("sửa" in p for p in problems), problems
        with transaction():
            db.execute(update(model).where(model.id == ballot.id).values(choices=original))
        assert verify() == []


def ballot_poll_options(poll_id: int) -> list[Any]:
    from meetings.models import PollOption

    return list(db.scalars(select(PollOption).where(PollOption.poll_id == poll_id)))


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_deleted_ballot_is_detected(
    app: Any, make_poll: Any, joined: Any, chair: Any, meeting_id: int, secret: bool
) -> None:
    poll_id = _voted_poll(make_poll, joined, chair, meeting_id, secret)
    model = SecretBallot if secret else NamedBallot
    with app.app_context():
        ballot = db.scalars(select(model).where(model.poll_id == poll_id)).first()
        assert ballot is not None
        values = {c.key: getattr(ballot, c.key) for c in model.__table__.columns}
        with transaction():
            db.delete(ballot)
        problems = verify()
        assert any("xoá" in p for p in problems), problems
        with transaction():
            db.add(model(**values))
        assert verify() == []


def test_reordered_inserted_deleted_log_entries_are_detected(
    app: Any, make_poll: Any, joined: Any, chair: Any, meeting_id: int
) -> None:
    _voted_poll(make_poll, joined, chair, meeting_id, secret=False)
    with app.app_context():
        last_two = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(3)))
        a, b = last_two[1], last_two[2]
        seq_a, seq_b = a.seq, b.seq
        # Reorder: swap the positions of two entries.
        with transaction():
            db.execute(update(AuditEntry).where(AuditEntry.seq == seq_a).values(seq=-1))
            db.execute(update(AuditEntry).where(AuditEntry.seq == seq_b).values(seq=seq_a))
            db.execute(update(AuditEntry).where(AuditEntry.seq == -1).values(seq=seq_b))
        problems = verify()
        assert any("không nối" in p for p in problems), problems
        with transaction():
            db.execute(update(AuditEntry).where(AuditEntry.seq == seq_a).values(seq=-1))
            db.execute(update(AuditEntry).where(AuditEntry.seq == seq_b).values(seq=seq_a))
            db.execute(update(AuditEntry).where(AuditEntry.seq == -1).values(seq=seq_b))
        assert verify() == []
        # Modify an entry's data in place.
        entry = db.get(AuditEntry, seq_a)
        assert entry is not None
        original = entry.data
        with transaction():
            entry.data = original.replace("}", ',"x":1}', 1)
        assert any("bị sửa" in p for p in verify())
        with transaction():
            db.execute(update(AuditEntry).where(AuditEntry.seq == seq_a).values(data=original))
        # Delete the newest entry: the head no longer matches.
        newest = db.get(AuditEntry, last_two[0].seq)
        assert newest is not None
        values = {c.key: getattr(newest, c.key) for c in AuditEntry.__table__.columns}
        with transaction():
            db.delete(newest)
        assert any("đầu chuỗi" in p for p in verify())
        with transaction():
            db.add(AuditEntry(**values))
        assert verify() == []


def run_cli(database_url: str, tmp_path: Any) -> subprocess.CompletedProcess[str]:
    # A subprocess: importing meetings.__main__ here would gevent-patch the test process.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": "test-secret",
    }
    return subprocess.run(
        [sys.executable, "-m", "meetings", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_exit_code(
    app: Any,
    make_poll: Any,
    joined: Any,
    chair: Any,
    meeting_id: int,
    seeded_url: str,
    tmp_path: Any,
) -> None:
    poll_id = _voted_poll(make_poll, joined, chair, meeting_id, secret=True)
    db.remove()
    done = run_cli(seeded_url, tmp_path)
    assert done.returncode == 0 and "toàn vẹn" in done.stdout, done.stdout
    with app.app_context():
        ballot = db.scalars(select(SecretBallot).where(SecretBallot.poll_id == poll_id)).first()
        assert ballot is not None
        original, ballot_id = ballot.content_hash, ballot.id
        with transaction():
            ballot.content_hash = "0" * 64
        db.remove()
    try:
        done = run_cli(seeded_url, tmp_path)
        assert done.returncode == 1 and "Biểu quyết kín" in done.stdout, done.stdout
    finally:
        with app.app_context(), transaction():
            db.execute(
                update(SecretBallot)
                .where(SecretBallot.id == ballot_id)
                .values(content_hash=original)
            )
    assert run_cli(seeded_url, tmp_path).returncode == 0
