"""Majority maths: pure functions, no database, no Flask.

Integer arithmetic only, so "more than half" and "two thirds" never suffer rounding:
`2 * votes > total` instead of `votes > total / 2`.

Rules (MajorityRule values):
- absolute   — quá nửa tổng số đại biểu: more than half of ALL entitled delegates.
               Abstentions and absences count against. No separate quorum: the threshold
               already needs a majority of everyone.
- two_thirds — ít nhất hai phần ba tổng số đại biểu: at least 2/3 of all entitled delegates.
- cast       — quá nửa số phiếu biểu quyết: more than half of the ballots cast (an
               abstention is a ballot, so it counts against). Needs quorum.
- simple     — more for than against (abstentions ignored); for choices, plurality.
               Needs quorum.
Quorum (túc số) for the rules that need it: the meeting's quorum rule (services/quorum.py,
frozen when the poll opened) met by the entitled delegates who took part (cast a ballot,
abstentions included). A poll without quorum has no outcome.
A tie never adopts: for yes/no it is "rejected" with tie=True; for choices a tie on the
last seat elects nobody for that seat and reports "tie".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from meetings.services.room import quorum

RULES = ("absolute", "two_thirds", "cast", "simple")
NEEDS_QUORUM = frozenset({"cast", "simple"})

OUTCOME_LABELS = {
    "adopted": "Thông qua",
    "rejected": "Không thông qua",
    "no_quorum": "Không đủ túc số, không có kết quả",
    "elected": "Có kết quả",
    "no_winner": "Không có phương án đạt",
    "tie": "Hòa phiếu",
}


@dataclass(frozen=True)
class Bases:
    """How many people each percentage base counts, frozen when the poll opened."""

    entitled: int  # all voting delegates of the meeting
    present: int  # voting delegates present at opening
    cast: int  # ballots cast, abstentions and blank ballots included
    quorum_rule: str = "majority"  # the meeting's, frozen at opening


def poll_quorum(bases: Bases) -> quorum.Quorum:
    """The poll's quorum: the meeting's rule, counting the delegates who took part."""
    return quorum.check(bases.quorum_rule, "took_part", bases.cast, bases.entitled)


@dataclass(frozen=True)
class Outcome:
    status: str  # a key of OUTCOME_LABELS
    winners: list[int] = field(default_factory=list)  # option ids, best first
    required: int | None = None  # votes an option needed, when the rule fixes a number
    tie: bool = False
    quorum_reached: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "label": OUTCOME_LABELS[self.status],
            "winners": self.winners,
            "required": self.required,
            "tie": self.tie,
            "quorum_reached": self.quorum_reached,
        }


def quorum_reached(bases: Bases) -> bool:
    return poll_quorum(bases).reached


def required_votes(rule: str, bases: Bases) -> int | None:
    """Smallest number of votes that passes under a threshold rule; None for `simple`."""
    if rule == "absolute":
        return bases.entitled // 2 + 1
    if rule == "two_thirds":
        return -(-2 * bases.entitled // 3)  # ceil(2n/3) without floats
    if rule == "cast":
        return bases.cast // 2 + 1
    if rule == "simple":
        return None
    raise ValueError(f"unknown rule {rule}")


def decide_yes_no(rule: str, yes: int, no: int, bases: Bases) -> Outcome:
    """Outcome of a Tán thành / Không tán thành / Không biểu quyết poll."""
    has_quorum = quorum_reached(bases)
    if bases.entitled <= 0 or (rule in NEEDS_QUORUM and not has_quorum):
        return Outcome("no_quorum", quorum_reached=False)
    required = required_votes(rule, bases)
    passed = yes > no if required is None else yes >= required
    return Outcome(
        "adopted" if passed else "rejected",
        required=required,
        tie=yes == no,
        quorum_reached=has_quorum,
    )


def decide_choices(rule: str, votes: dict[int, int], seats: int, bases: Bases) -> Outcome:
    """Single choice (seats=1) or election (seats=max choices): who gets a seat.

    An option qualifies if it meets the rule's threshold (`simple`: any vote). Qualifying
    options are ranked by votes; if options tied on the last seat would not all fit,
    none of the tied ones is elected and the outcome is "tie" (a run-off decides).
    """
    has_quorum = quorum_reached(bases)
    if bases.entitled <= 0 or (rule in NEEDS_QUORUM and not has_quorum):
        return Outcome("no_quorum", quorum_reached=False)
    required = required_votes(rule, bases)
    floor = 1 if required is None else max(required, 1)
    counts = sorted({n for n in votes.values() if n >= floor}, reverse=True)
    winners: list[int] = []
    tie = False
    for n in counts:  # one group of equally voted options at a time
        if len(winners) >= seats:
            break
        group = sorted(option for option, m in votes.items() if m == n)
        if len(winners) + len(group) > seats:
            tie = True
            break
        winners.extend(group)
    status = "tie" if tie else ("elected" if winners else "no_winner")
    return Outcome(status, winners=winners, required=required, tie=tie, quorum_reached=has_quorum)


def percent(count: int, base: int) -> float:
    """Share of `base` in percent, two decimals; 0 when the base is empty."""
    return round(100.0 * count / base, 2) if base > 0 else 0.0
