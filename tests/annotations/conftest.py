from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.annotations.helpers import add_document
from tests.realtime.room import ROLE_USERS, Room, make_room


@dataclass
class Setup:
    room: Room
    doc: int  # a 3-page internal document in the room's meeting


@pytest.fixture
def setup(app: Any) -> Setup:
    room = make_room(app)
    return Setup(room, add_document(app, room.meeting_id))


@pytest.fixture
def as_role(socket_for: Any) -> Any:
    """as_role("delegate") -> a Socket.IO test client of that role's demo account."""

    def make(role: str) -> Any:
        return socket_for(ROLE_USERS[role])

    return make
