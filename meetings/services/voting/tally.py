"""Counting ballots and shaping the result; the rules themselves are in majority.py."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from meetings.db import db
from meetings.models import NamedBallot, Poll, PollEligible, PollVoter, SecretBallot, User
from meetings.models.polls import PollKind
from meetings.services.voting import majority


def choice_lists(poll: Poll) -> list[list[int]]:
    """Every ballot's option ids. Order carries no meaning (and is not kept)."""
    model = SecretBallot if poll.secret else NamedBallot
    return [
        json.loads(c) for c in db.scalars(select(model.choices).where(model.poll_id == poll.id))
    ]


def voted_count(poll_id: int) -> int:
    return int(db.scalar(select(func.count()).where(PollVoter.poll_id == poll_id)) or 0)


def count(poll: Poll) -> tuple[Counter[int], int, int]:
    """(votes per option, ballots cast, blank ballots)."""
    ballots = choice_lists(poll)
    votes: Counter[int] = Counter()
    for choices in ballots:
        votes.update(choices)
    blank = sum(1 for c in ballots if not c)
    return votes, len(ballots), blank


def option_rows(poll: Poll, votes: Counter[int], base: int) -> list[dict[str, Any]]:
    return [
        {
            "id": o.id,
            "label": o.label,
            "code": o.code,
            "votes": votes.get(o.id, 0),
            "percent": majority.percent(votes.get(o.id, 0), base),
        }
        for o in poll.options
    ]


def compute_result(poll: Poll) -> dict[str, Any]:
    votes, cast, blank = count(poll)
    bases = bases_of(poll, cast)
    base = {"cast": cast, "present": poll.present_count, "entitled": poll.entitled_count}[
        poll.percent_base.value
    ]
    if poll.kind is PollKind.YES_NO:
        by_code = {o.code: votes.get(o.id, 0) for o in poll.options}
        outcome = majority.decide_yes_no(
            poll.rule.value, by_code.get("yes", 0), by_code.get("no", 0), bases
        )
    else:
        seats = 1 if poll.kind is PollKind.SINGLE else poll.max_choices
        outcome = majority.decide_choices(
            poll.rule.value, {o.id: votes.get(o.id, 0) for o in poll.options}, seats, bases
        )
    return {
        "entitled": poll.entitled_count,
        "present": poll.present_count,
        "eligible": poll.eligible_count,
        "cast": cast,
        "not_voted": max(poll.eligible_count - cast, 0),
        "blank": blank,
        "percent_base": poll.percent_base.value,
        "base_count": base,
        "options": option_rows(poll, votes, base),
        "outcome": outcome.as_dict(),
        "quorum": majority.poll_quorum(bases).as_dict(),
    }


def bases_of(poll: Poll, cast: int) -> majority.Bases:
    return majority.Bases(
        entitled=poll.entitled_count,
        present=poll.present_count,
        cast=cast,
        quorum_rule=poll.quorum_rule,
    )


def quorum_of(poll: Poll, voted: int | None = None) -> dict[str, Any] | None:
    """The poll's quorum so far and why (None before it opens: nothing is frozen yet).
    `voted`: the caller's count of voters, if it has one."""
    if poll.opened_at is None:
        return None
    took_part = voted_count(poll.id) if voted is None else voted
    return majority.poll_quorum(bases_of(poll, took_part)).as_dict()


def running_tally(poll: Poll) -> list[dict[str, Any]]:
    """Votes so far (named polls whose chair chose to show them); percent of votes cast."""
    votes, cast, _blank = count(poll)
    return option_rows(poll, votes, cast)


def named_list(poll: Poll) -> list[dict[str, Any]]:
    """Who chose what, for named polls; eligible people who did not vote are listed too."""
    labels = {o.id: o.label for o in poll.options}
    ballots = {
        b.user_id: json.loads(b.choices)
        for b in db.scalars(select(NamedBallot).where(NamedBallot.poll_id == poll.id))
    }
    people = db.execute(
        select(User.id, User.full_name)
        .join(PollEligible, PollEligible.user_id == User.id)
        .where(PollEligible.poll_id == poll.id)
        .order_by(User.full_name, User.id)
    ).all()
    rows = []
    for user_id, full_name in people:
        choices = ballots.get(user_id)
        rows.append(
            {
                "user_id": user_id,
                "full_name": full_name,
                "voted": choices is not None,
                "choices": [labels[c] for c in choices or [] if c in labels],
            }
        )
    return rows
