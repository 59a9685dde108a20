"""A new order for a list the room shares (agenda items, the speakers' queue)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from meetings.errors import AppError


class Positioned(Protocol):
    position: int


def apply_order(
    rows: Mapping[int, Positioned], ids: list[int], *, repeated: AppError, stale: AppError
) -> None:
    """Give `rows` the positions of `ids`, which must name each of them once: `repeated`
    if an id comes twice, `stale` if one is missing or unknown (the list changed meanwhile)."""
    if len(ids) != len(set(ids)):
        raise repeated
    if set(ids) != set(rows):
        raise stale
    for position, row_id in enumerate(ids):
        rows[row_id].position = position
