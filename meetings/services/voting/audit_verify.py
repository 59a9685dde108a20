"""`python -m meetings audit verify`: check the audit chain and the ballots against it.

Reports, in Vietnamese, every entry that was modified, inserted, deleted or reordered,
and every ballot or voter marker that no longer matches what the log committed to:
- named ballots: each row's content hash is recomputed and compared with the last
  ballot.cast/ballot.changed entry of that voter;
- secret ballots: each row's content hash is recomputed; once the poll is closed the set
  of hashes must equal the sorted list in its poll.closed entry; voter markers must match
  the people the log says voted.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from meetings.db import db
from meetings.models import AuditEntry, AuditHead, NamedBallot, Poll, PollVoter, SecretBallot
from meetings.services.voting import audit, ballots

BALLOT_ACTIONS = ("ballot.cast", "ballot.changed")


def verify() -> list[str]:
    entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    return verify_chain(entries) + verify_ballots(entries)


def verify_chain(entries: Sequence[AuditEntry]) -> list[str]:
    problems: list[str] = []
    prev, expected = audit.GENESIS, 1
    for e in entries:
        if e.seq > expected:
            problems.append(f"Nhật ký: thiếu mục {expected}..{e.seq - 1} (đã bị xoá).")
        if e.prev_hash != prev:
            problems.append(
                f"Nhật ký mục {e.seq}: không nối với mục trước (bị chèn, xoá hoặc đổi thứ tự)."
            )
        if audit.hash_of(e) != e.hash:
            problems.append(f"Nhật ký mục {e.seq}: nội dung đã bị sửa.")
        prev, expected = e.hash, e.seq + 1
    head = db.get(AuditHead, 1)
    if head is None:
        problems.append("Nhật ký: mất dòng đầu chuỗi (audit_head).")
    elif head.seq != expected - 1 or head.hash != prev:
        problems.append(
            f"Nhật ký: đầu chuỗi ghi mục {head.seq} nhưng nhật ký dừng ở mục {expected - 1} "
            "(mục cuối bị xoá hoặc sửa)."
        )
    return problems


def _data(entry: AuditEntry) -> dict[str, Any]:
    try:
        value = json.loads(entry.data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def verify_ballots(entries: Sequence[AuditEntry]) -> list[str]:
    by_poll: dict[int, list[AuditEntry]] = defaultdict(list)
    for e in entries:
        if e.poll_id is not None:
            by_poll[e.poll_id].append(e)
    problems: list[str] = []
    for poll in db.scalars(select(Poll).order_by(Poll.id)):
        logged = by_poll.get(poll.id, [])
        problems += _check_voters(poll, logged)
        problems += _check_secret(poll, logged) if poll.secret else _check_named(poll, logged)
    return problems


def _check_voters(poll: Poll, logged: list[AuditEntry]) -> list[str]:
    said = {e.actor_id for e in logged if e.action == "ballot.cast"}
    have = set(db.scalars(select(PollVoter.user_id).where(PollVoter.poll_id == poll.id)))
    out = [
        f"Biểu quyết {poll.id}: có dấu đã bầu không ghi trong nhật ký (người {u})."
        for u in sorted(have - said, key=str)
    ]
    out += [
        f"Biểu quyết {poll.id}: mất dấu đã bầu của người {u}." for u in sorted(said - have, key=str)
    ]
    return out


def _check_named(poll: Poll, logged: list[AuditEntry]) -> list[str]:
    expected: dict[int, str] = {}
    for e in logged:
        if e.action in BALLOT_ACTIONS:
            expected[int(_data(e).get("user_id", -1))] = str(_data(e).get("content_hash"))
    out: list[str] = []
    rows = {
        b.user_id: b for b in db.scalars(select(NamedBallot).where(NamedBallot.poll_id == poll.id))
    }
    for user_id, row in rows.items():
        actual = ballots.named_content_hash(poll.id, user_id, row.ballot_key, row.choices)
        if user_id not in expected:
            out.append(
                f"Biểu quyết {poll.id}: phiếu của người {user_id} không có trong nhật ký (bị chèn)."
            )
        elif actual != row.content_hash or actual != expected[user_id]:
            out.append(f"Biểu quyết {poll.id}: phiếu của người {user_id} đã bị sửa.")
    for user_id in sorted(set(expected) - set(rows)):
        out.append(f"Biểu quyết {poll.id}: phiếu của người {user_id} đã bị xoá.")
    return out


def _check_secret(poll: Poll, logged: list[AuditEntry]) -> list[str]:
    rows = list(db.scalars(select(SecretBallot).where(SecretBallot.poll_id == poll.id)))
    out: list[str] = []
    actual: Counter[str] = Counter()
    for row in rows:
        digest = ballots.secret_content_hash(poll.id, row.receipt_hash, row.choices)
        if digest != row.content_hash:
            out.append(f"Biểu quyết kín {poll.id}: một phiếu đã bị sửa (mã {row.id[:8]}).")
        actual[digest] += 1
    closed = [e for e in logged if e.action == "poll.closed"]
    if closed:
        committed = Counter(str(h) for h in _data(closed[-1]).get("ballot_hashes", []))
        missing, extra = committed - actual, actual - committed
        if missing:
            out.append(
                f"Biểu quyết kín {poll.id}: {sum(missing.values())} phiếu đã ghi khi kết thúc "
                "không còn nguyên (bị xoá hoặc sửa)."
            )
        if extra:
            out.append(
                f"Biểu quyết kín {poll.id}: {sum(extra.values())} phiếu không có khi kết thúc "
                "(bị chèn hoặc sửa)."
            )
    else:
        voters = sum(1 for e in logged if e.action == "ballot.cast")
        if voters != len(rows):
            out.append(
                f"Biểu quyết kín {poll.id}: {len(rows)} phiếu nhưng nhật ký ghi {voters} "
                "người đã bầu."
            )
    return out
