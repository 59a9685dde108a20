"""Quorum (túc số): the one rule for the meeting and for its polls. Pure, no database.

The meeting chooses a rule (`meetings.quorum_rule`): "majority" (quá nửa: more than half),
"two_thirds" or "three_quarters" (at least that fraction, as in the Law on Organisation
of Local Government). The rule always applies to the voting delegates of the meeting
(role `delegate`); what is counted against it is the quorum's *basis*:

- `present`   — the meeting: voting delegates present now (checked in or marked).
- `took_part` — a poll: voting delegates who cast a ballot (abstentions and blank ballots
                included). The poll freezes the meeting's rule and the number of voting
                delegates when it opens, so "Đủ túc số" for the meeting (6/10 present)
                and "Không đủ túc số" for a poll (5/10 took part) are the same rule on two
                counts, and each says which count it used.

Integer arithmetic only: "more than half" is `total // 2 + 1`, never a float compare.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Basis = Literal["present", "took_part"]

# rule -> (numerator, denominator, strict): strict means "more than", else "at least".
RULES: dict[str, tuple[int, int, bool]] = {
    "majority": (1, 2, True),
    "two_thirds": (2, 3, False),
    "three_quarters": (3, 4, False),
}
RULE_LABELS = {"majority": "quá nửa", "two_thirds": "ít nhất 2/3", "three_quarters": "ít nhất 3/4"}
BASIS_LABELS: dict[str, str] = {
    "present": "đại biểu có mặt",
    "took_part": "đại biểu đã biểu quyết",
}


def required(rule: str, total: int) -> int:
    """How many of `total` voting delegates the rule needs (an unknown rule: majority)."""
    num, den, strict = RULES.get(rule, RULES["majority"])
    return total * num // den + 1 if strict else math.ceil(total * num / den)


@dataclass(frozen=True)
class Quorum:
    rule: str
    basis: Basis
    counted: int  # delegates counted on the basis
    total: int  # voting delegates of the meeting (frozen at opening for a poll)
    required: int
    reached: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "basis": self.basis,
            "counted": self.counted,
            "total": self.total,
            "required": self.required,
            "reached": self.reached,
        }

    def describe(self) -> str:
        """E.g. "5/10 đại biểu đã biểu quyết, cần 6 (quá nửa)" — for exports; screens
        build the same sentence from the fields and their catalogs."""
        rule = RULE_LABELS.get(self.rule, self.rule)
        basis = BASIS_LABELS[self.basis]
        return f"{self.counted}/{self.total} {basis}, cần {self.required} ({rule})"


def check(rule: str, basis: Basis, counted: int, total: int) -> Quorum:
    need = required(rule, total)
    return Quorum(rule, basis, counted, total, need, total > 0 and counted >= need)
