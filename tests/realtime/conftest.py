from __future__ import annotations

from typing import Any

import pytest

from tests.realtime.room import ROLE_USERS, Room, make_room


@pytest.fixture
def room(app: Any) -> Room:
    return make_room(app)


@pytest.fixture
def as_role(socket_for: Any) -> Any:
    """as_role("observer") -> a Socket.IO test client of the account playing that role."""

    def make(role: str) -> Any:
        return socket_for(ROLE_USERS[role])

    return make
