"""Helpers for poll tests: the demo meeting, sockets that have joined it, poll factories."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from meetings.db import db, transaction
from meetings.models import Meeting, Poll
from meetings.models.polls import PollStatus

DELEGATES = [f"delegate{i:02d}" for i in range(1, 11)]


def demo_meeting_id() -> int:
    meeting_id = db.scalar(select(Meeting.id).where(Meeting.title.like("Phiên họp UBND tỉnh%")))
    assert meeting_id is not None
    return int(meeting_id)


def ok(ack: dict[str, Any]) -> Any:
    assert ack["ok"] is True, ack
    return ack["data"]


def err(ack: dict[str, Any]) -> str:
    assert ack["ok"] is False, ack
    code: str = ack["error"]["code"]
    return code


def new_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def meeting_id(app: Any) -> Any:
    with app.app_context():
        mid = demo_meeting_id()
        # Polls left open by an earlier test would block poll.open (one open poll at a time).
        with transaction():
            db.execute(
                update(Poll)
                .where(Poll.meeting_id == mid, Poll.status == PollStatus.OPEN)
                .values(status=PollStatus.CANCELLED)
            )
        db.remove()
    return mid


@pytest.fixture
def joined(socket_for: Any, meeting_id: int) -> Callable[[str], Any]:
    """joined("delegate01") -> a socket of that user that has joined the demo meeting."""

    def make(username: str) -> Any:
        sc = socket_for(username)
        ok(sc.emit("meeting.join", {"meeting_id": meeting_id}, callback=True))
        sc.get_received()
        return sc

    return make


@pytest.fixture
def chair(joined: Callable[[str], Any]) -> Any:
    return joined("chair")


@pytest.fixture
def make_poll(chair: Any, meeting_id: int) -> Callable[..., dict[str, Any]]:
    """make_poll(open=True, **settings) -> the poll view (opened unless open=False)."""

    def make(open: bool = True, **settings: Any) -> dict[str, Any]:
        body = {"meeting_id": meeting_id, "title": "Thông qua nghị quyết", **settings}
        poll: dict[str, Any] = ok(chair.emit("poll.create", body, callback=True))["poll"]
        if open:
            ref = {"meeting_id": meeting_id, "poll_id": poll["id"]}
            poll = ok(chair.emit("poll.open", ref, callback=True))["poll"]
        return poll

    return make


def option(poll: dict[str, Any], code_or_label: str) -> int:
    for o in poll["options"]:
        if code_or_label in (o["code"], o["label"]):
            return int(o["id"])
    raise KeyError(code_or_label)
