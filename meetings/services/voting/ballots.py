"""Casting a ballot: validation, idempotency, secrecy.

Idempotency: every cast carries a client-generated `ballot_id` (UUID). The voter marker
keeps sha256("key:" + ballot_id); the same ballot_id again is a replay and gets the
original answer, another one is a second vote (already_voted) unless changing is allowed
and the cast names the current ballot in `previous_ballot_id`.

Secret receipts: receipt = derived from ballot_id by a different hash ("receipt:"), and
the ballot row keeps only sha256(receipt). The voter marker and the ballot row thus hold
two unrelated-looking digests of a 122-bit random value that is stored nowhere: only the
tablet that holds ballot_id can connect them. A replay recomputes the same receipt, so
the original ack comes back without the receipt ever being stored.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from meetings.clock import now
from meetings.db import db
from meetings.errors import AppError
from meetings.models import NamedBallot, Poll, PollEligible, PollVoter, SecretBallot, User
from meetings.models.polls import PollStatus
from meetings.services.voting import audit

_rng = secrets.SystemRandom()


def key_hash(ballot_id: str) -> str:
    return audit.sha256_hex("key:" + ballot_id)


def receipt_for(ballot_id: str) -> str:
    """Short code the voter can read aloud: 16 base32 characters in groups of four."""
    digest = hashlib.sha256(("receipt:" + ballot_id).encode()).digest()
    code = base64.b32encode(digest[:10]).decode()
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


def receipt_hash(receipt: str) -> str:
    return audit.sha256_hex(receipt)


def named_content_hash(poll_id: int, user_id: int, ballot_key: str, choices: str) -> str:
    return audit.sha256_hex(
        audit.canonical(
            {"poll_id": poll_id, "user_id": user_id, "ballot_key": ballot_key, "choices": choices}
        )
    )


def secret_content_hash(poll_id: int, receipt_digest: str, choices: str) -> str:
    return audit.sha256_hex(
        audit.canonical({"poll_id": poll_id, "receipt_hash": receipt_digest, "choices": choices})
    )


def invalid_choice(message: str) -> AppError:
    return AppError("invalid_choice", message)


def normalise_choices(poll: Poll, choices: list[int]) -> str:
    option_ids = {o.id for o in poll.options}
    if len(set(choices)) != len(choices):
        raise invalid_choice("Một phương án được chọn hai lần.")
    if any(c not in option_ids for c in choices):
        raise invalid_choice("Phương án không thuộc cuộc biểu quyết này.")
    if not poll.min_choices <= len(choices) <= poll.max_choices:
        raise invalid_choice(
            f"Cần chọn từ {poll.min_choices} đến {poll.max_choices} phương án."
            if poll.min_choices != poll.max_choices
            else f"Cần chọn đúng {poll.max_choices} phương án."
        )
    return json.dumps(sorted(choices))


def _ack(poll: Poll, ballot_id: str, choices: str) -> dict[str, Any]:
    ack: dict[str, Any] = {"poll_id": poll.id, "voted": True, "ballot_id": ballot_id}
    if poll.secret:
        ack["receipt"] = receipt_for(ballot_id)
    else:
        ack["choices"] = json.loads(choices)
    return ack


def _ensure_can_vote(poll: Poll, user: User) -> None:
    if poll.status is PollStatus.DRAFT:
        raise AppError("conflict", "Cuộc biểu quyết chưa mở.")
    if poll.status is not PollStatus.OPEN or is_past_deadline(poll):
        raise AppError("closed", "Cuộc biểu quyết đã kết thúc.")
    eligible = db.get(PollEligible, (poll.id, user.id))
    if eligible is None:
        raise AppError("not_eligible", "Bạn không có quyền biểu quyết trong cuộc biểu quyết này.")


def is_past_deadline(poll: Poll) -> bool:
    return poll.deadline_at is not None and poll.deadline_at <= now()


def do_cast(
    poll: Poll, user: User, ballot_id: uuid.UUID, choices: list[int], previous: uuid.UUID | None
) -> tuple[dict[str, Any], bool]:
    """Record a ballot in the caller's transaction: (ack, changed_anything).

    The caller holds the poll's share lock (polls.share_lock_poll): a close cannot commit
    while this runs. The audit append comes last, so the global chain lock is held only
    for the commit.
    """
    _ensure_can_vote(poll, user)
    key = str(ballot_id)
    marker = db.get(PollVoter, (poll.id, user.id))
    if marker is not None and marker.key_hash == key_hash(key):
        return _current_ack(poll, user, key), False  # a replay: same answer, nothing new
    choice_text = normalise_choices(poll, choices)
    if marker is None:
        _first_ballot(poll, user, key, choice_text)
    else:
        if not poll.allow_change or previous is None or marker.key_hash != key_hash(str(previous)):
            raise AppError("already_voted", "Bạn đã biểu quyết.")
        _replace_ballot(poll, user, marker, key, str(previous), choice_text)
    return _ack(poll, key, choice_text), True


def _current_ack(poll: Poll, user: User, key: str) -> dict[str, Any]:
    if poll.secret:
        return _ack(poll, key, "[]")
    return _ack(poll, key, _named_ballot(poll, user).choices)


def _named_ballot(poll: Poll, user: User) -> NamedBallot:
    """The person's ballot in a named poll, which their voter marker says exists."""
    ballot = db.scalar(
        select(NamedBallot).where(NamedBallot.poll_id == poll.id, NamedBallot.user_id == user.id)
    )
    if ballot is None:
        raise AppError("conflict", "Không tìm thấy phiếu đã bầu.")
    return ballot


def _first_ballot(poll: Poll, user: User, key: str, choices: str) -> None:
    # The primary key of poll_voters is the guarantee; the poll lock makes a clash rare,
    # and if one happens the whole transaction rolls back with a clear code.
    try:
        db.add(PollVoter(poll_id=poll.id, user_id=user.id, key_hash=key_hash(key)))
        db.flush()
    except IntegrityError as exc:
        raise AppError("already_voted", "Bạn đã biểu quyết.") from exc
    _recheck_open(poll)
    if poll.secret:
        _insert_secret(poll, key, choices)
        data: dict[str, Any] = {"user_id": user.id}  # THAT they voted, nothing more
    else:
        ballot = _named(poll, user, key, choices)
        db.add(ballot)
        data = {"user_id": user.id, "choices": choices, "content_hash": ballot.content_hash}
    audit.for_poll("ballot.cast", poll, user.id, data)


def _recheck_open(poll: Poll) -> None:
    """After the first write: on SQLite this transaction now holds the write lock, so the
    status read here is final (a close that committed meanwhile is seen)."""
    status = db.scalar(select(Poll.status).where(Poll.id == poll.id))
    if status is not PollStatus.OPEN:
        raise AppError("closed", "Cuộc biểu quyết đã kết thúc.")


def _named(poll: Poll, user: User, key: str, choices: str) -> NamedBallot:
    return NamedBallot(
        poll_id=poll.id,
        user_id=user.id,
        ballot_key=key,
        choices=choices,
        content_hash=named_content_hash(poll.id, user.id, key, choices),
    )


def _insert_secret(poll: Poll, key: str, choices: str) -> None:
    digest = receipt_hash(receipt_for(key))
    db.add(
        SecretBallot(
            id=str(uuid.uuid4()),
            poll_id=poll.id,
            choices=choices,
            receipt_hash=digest,
            content_hash=secret_content_hash(poll.id, digest, choices),
        )
    )


def _replace_ballot(
    poll: Poll, user: User, marker: PollVoter, key: str, previous: str, choices: str
) -> None:
    marker.key_hash = key_hash(key)
    db.flush()
    _recheck_open(poll)
    if poll.secret:
        # Found through the previous receipt, which only this voter's tablet can compute.
        old = receipt_hash(receipt_for(previous))
        removed = db.execute(
            delete(SecretBallot).where(
                SecretBallot.poll_id == poll.id, SecretBallot.receipt_hash == old
            )
        )
        if removed.rowcount != 1:  # type: ignore[attr-defined]
            raise AppError("conflict", "Không tìm thấy phiếu trước để thay.")
        _insert_secret(poll, key, choices)
        data: dict[str, Any] = {"user_id": user.id}
    else:
        ballot = _named_ballot(poll, user)
        ballot.ballot_key = key
        ballot.choices = choices
        ballot.content_hash = named_content_hash(poll.id, user.id, key, choices)
        ballot.updated_at = now()
        data = {"user_id": user.id, "choices": choices, "content_hash": ballot.content_hash}
    audit.for_poll("ballot.changed", poll, user.id, data)


def seal_secret_ballots(poll: Poll) -> list[str]:
    """On close: rewrite the ballots in random order under fresh UUIDs and forget the
    voters' key hashes; return the sorted content hashes that the close entry commits to.

    Rewriting matters on PostgreSQL, whose heap keeps rows in insertion order (and would
    otherwise line ballots up with the voters' audit entries).
    """
    rows = list(db.scalars(select(SecretBallot).where(SecretBallot.poll_id == poll.id)))
    kept = [(r.choices, r.receipt_hash, r.content_hash) for r in rows]
    db.execute(delete(SecretBallot).where(SecretBallot.poll_id == poll.id))
    _rng.shuffle(kept)
    db.add_all(
        SecretBallot(
            id=str(uuid.uuid4()), poll_id=poll.id, choices=c, receipt_hash=r, content_hash=h
        )
        for c, r, h in kept
    )
    db.execute(
        update(PollVoter)
        .where(PollVoter.poll_id == poll.id)
        .values(key_hash=None)
        .execution_options(synchronize_session=False)
    )
    return sorted(h for _c, _r, h in kept)


def my_vote(poll: Poll, user: User) -> dict[str, Any]:
    """What the tablet shows about its own user: may vote? voted? (named: what)."""
    eligible = db.get(PollEligible, (poll.id, user.id)) is not None
    voted = db.get(PollVoter, (poll.id, user.id)) is not None
    mine: dict[str, Any] = {"eligible": eligible, "voted": voted}
    if voted and not poll.secret:
        ballot = db.scalar(
            select(NamedBallot).where(
                NamedBallot.poll_id == poll.id, NamedBallot.user_id == user.id
            )
        )
        mine["choices"] = json.loads(ballot.choices) if ballot else []
    return mine
