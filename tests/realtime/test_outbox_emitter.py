"""The outbox knows no transport: the app installs the emitter, and without one a send
fails loudly instead of dropping committed events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from meetings.events import outbox
from meetings.events.outbox import Outbox, set_emitter
from meetings.realtime.events import emit_event


@pytest.fixture
def restore_emitter() -> Iterator[None]:
    installed = outbox._emitter
    yield
    set_emitter(installed)


def test_the_app_installs_the_socketio_emitter(app: Any) -> None:
    assert outbox._emitter is emit_event


@pytest.mark.usefixtures("restore_emitter")
def test_send_without_an_emitter_raises() -> None:
    set_emitter(None)
    with pytest.raises(RuntimeError, match="no event emitter installed"):
        Outbox().send()


@pytest.mark.usefixtures("restore_emitter")
def test_send_hands_each_queued_event_to_the_emitter() -> None:
    sent: list[tuple[str, Any, str]] = []
    set_emitter(lambda name, payload, *, to: sent.append((name, payload, to)))
    box = Outbox()
    envelope = {"meeting_id": 4, "version": None, "data": {}}
    box._items.append(("meeting:4:poll.manage", "test.only", envelope))
    box.send()
    box.send()  # emptied by the first send
    assert sent == [("test.only", envelope, "meeting:4:poll.manage")]
