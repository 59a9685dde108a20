"""Append-only audit chain for polls.

Each entry's hash is sha256(prev_hash + canonical JSON of the entry), so changing,
inserting, deleting or reordering an entry breaks the chain from there on. Ballot entries
carry a hash of the ballot's content, so an edited ballot no longer matches the log;
secret ballots are committed to the log only as a sorted set of hashes when the poll
closes (a per-ballot entry next to "X voted" would re-link voter and choice).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import update

from meetings.clock import now
from meetings.db import db
from meetings.models import AuditEntry, AuditHead, Poll

GENESIS = "0" * 64


def canonical(obj: Any) -> str:
    """The one serialisation that gets hashed: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# What an entry's hash covers, chained to the previous entry's hash.
HASHED_FIELDS = ("seq", "at", "action", "meeting_id", "poll_id", "actor_id", "data")


def hash_of(entry: AuditEntry) -> str:
    body = {name: getattr(entry, name) for name in HASHED_FIELDS}
    return sha256_hex(entry.prev_hash + canonical(body))


def append(
    action: str,
    *,
    meeting_id: int | None,
    poll_id: int | None,
    actor_id: int | None,
    data: dict[str, Any],
) -> AuditEntry:
    """Add one entry in the caller's transaction.

    The head row is UPDATEd before anything is read from it: on PostgreSQL that takes its
    row lock, on SQLite the database write lock, so two appenders can never both build on
    the same tip (a fork would look like tampering).
    """
    seq, prev_hash = db.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
        .execution_options(synchronize_session=False)
    ).one()
    entry = AuditEntry(
        seq=seq,
        at=now().isoformat(),
        action=action,
        meeting_id=meeting_id,
        poll_id=poll_id,
        actor_id=actor_id,
        data=canonical(data),
        prev_hash=prev_hash,
    )
    entry.hash = hash_of(entry)
    db.add(entry)
    db.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=entry.hash)
        .execution_options(synchronize_session=False)
    )
    return entry


def for_poll(action: str, poll: Poll, actor_id: int | None, data: dict[str, Any]) -> AuditEntry:
    """An entry about one poll, filed under its meeting."""
    return append(action, meeting_id=poll.meeting_id, poll_id=poll.id, actor_id=actor_id, data=data)
