"""The pure majority maths: thresholds, ties, abstentions, quorum."""

from __future__ import annotations

import pytest

from meetings.services.voting.majority import (
    Bases,
    decide_choices,
    decide_yes_no,
    percent,
    quorum_reached,
    required_votes,
)


def b(entitled: int, cast: int, present: int | None = None) -> Bases:
    return Bases(entitled=entitled, present=cast if present is None else present, cast=cast)


@pytest.mark.parametrize(
    ("entitled", "required"), [(1, 1), (2, 2), (3, 2), (10, 6), (11, 6), (500, 251)]
)
def test_absolute_is_more_than_half_of_entitled(entitled: int, required: int) -> None:
    assert required_votes("absolute", b(entitled, 0)) == required


@pytest.mark.parametrize(("entitled", "required"), [(3, 2), (9, 6), (10, 7), (11, 8), (12, 8)])
def test_two_thirds_is_at_least_two_thirds(entitled: int, required: int) -> None:
    assert required_votes("two_thirds", b(entitled, 0)) == required


def test_absolute_exactly_half_is_not_enough() -> None:
    out = decide_yes_no("absolute", 5, 0, b(10, 10))
    assert out.status == "rejected" and out.required == 6
    assert decide_yes_no("absolute", 6, 4, b(10, 10)).status == "adopted"


def test_absolute_counts_absences_and_abstentions_against() -> None:
    # 6 of 10 present all say yes: passes; 5 yes + 1 no of 6 present: does not.
    assert decide_yes_no("absolute", 6, 0, b(10, 6)).status == "adopted"
    assert decide_yes_no("absolute", 5, 1, b(10, 6)).status == "rejected"


def test_two_thirds_boundary() -> None:
    assert decide_yes_no("two_thirds", 7, 3, b(10, 10)).status == "adopted"
    assert decide_yes_no("two_thirds", 6, 0, b(10, 10)).status == "rejected"
    assert decide_yes_no("two_thirds", 6, 3, b(9, 9)).status == "adopted"


def test_all_abstain() -> None:
    for rule in ("absolute", "two_thirds", "cast", "simple"):
        out = decide_yes_no(rule, 0, 0, b(10, 10))
        assert out.status == "rejected", rule
    assert decide_yes_no("simple", 0, 0, b(10, 10)).tie is True


def test_simple_tie_rejects_and_ignores_abstentions() -> None:
    tie = decide_yes_no("simple", 3, 3, b(10, 9))
    assert (tie.status, tie.tie) == ("rejected", True)
    # 3 yes, 2 no, 4 abstain: simple majority of those who took a side.
    assert decide_yes_no("simple", 3, 2, b(10, 9)).status == "adopted"
    # The same under "cast": 3 of 9 ballots is not more than half.
    assert decide_yes_no("cast", 3, 2, b(10, 9)).status == "rejected"


def test_quorum_not_reached_gives_no_quorum_where_rule_needs_it() -> None:
    bases = b(10, 5)  # exactly half took part: not more than half
    assert not quorum_reached(bases)
    for rule in ("cast", "simple"):
        out = decide_yes_no(rule, 5, 0, bases)
        assert (out.status, out.quorum_reached) == ("no_quorum", False), rule
    # Threshold rules decide anyway (the threshold needs a majority of everyone).
    out = decide_yes_no("absolute", 5, 0, bases)
    assert (out.status, out.quorum_reached) == ("rejected", False)
    assert decide_yes_no("cast", 6, 0, b(10, 6)).status == "adopted"


def test_nobody_entitled() -> None:
    assert decide_yes_no("absolute", 0, 0, b(0, 0)).status == "no_quorum"
    assert decide_choices("simple", {1: 0}, 1, b(0, 0)).status == "no_quorum"


def test_single_choice_plurality_and_tie() -> None:
    assert decide_choices("simple", {1: 4, 2: 3, 3: 2}, 1, b(10, 9)).winners == [1]
    tie = decide_choices("simple", {1: 4, 2: 4, 3: 1}, 1, b(10, 9))
    assert (tie.status, tie.winners, tie.tie) == ("tie", [], True)


def test_single_choice_absolute_needs_majority_of_entitled() -> None:
    assert decide_choices("absolute", {1: 5, 2: 4}, 1, b(10, 9)).status == "no_winner"
    assert decide_choices("absolute", {1: 6, 2: 3}, 1, b(10, 9)).winners == [1]


def test_election_fills_seats_by_votes_above_threshold() -> None:
    votes = {1: 9, 2: 8, 3: 6, 4: 5, 5: 2}
    out = decide_choices("absolute", votes, 3, b(10, 10))
    assert (out.status, out.winners) == ("elected", [1, 2, 3])
    # Only two reach more than half of 10: the third seat stays empty.
    out = decide_choices("absolute", {1: 9, 2: 8, 3: 5}, 3, b(10, 10))
    assert out.winners == [1, 2] and out.status == "elected"


def test_election_tie_on_last_seat_elects_nobody_for_it() -> None:
    out = decide_choices("absolute", {1: 9, 2: 7, 3: 7, 4: 2}, 2, b(10, 10))
    assert (out.status, out.winners, out.tie) == ("tie", [1], True)
    # A tie that fits (both get a seat) is no tie at all.
    out = decide_choices("absolute", {1: 9, 2: 7, 3: 7}, 3, b(10, 10))
    assert (out.status, out.winners) == ("elected", [1, 2, 3])


def test_election_with_no_votes() -> None:
    assert decide_choices("simple", {1: 0, 2: 0}, 1, b(10, 10)).status == "no_winner"


def test_percent() -> None:
    assert percent(1, 3) == 33.33
    assert percent(2, 3) == 66.67
    assert percent(0, 0) == 0.0
    assert percent(10, 10) == 100.0


def test_unknown_rule() -> None:
    with pytest.raises(ValueError):
        required_votes("nope", b(10, 10))
