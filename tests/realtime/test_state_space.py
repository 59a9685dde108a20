"""Issue 10 §1: the snapshot of every role, in every state a real session passes through,
matches the published snapshot schema, and so does every event seen on the way.

One walk through a meeting with real commands over Socket.IO test clients; at each state
every role's connection asks for `meeting.snapshot`. Acks and events are also checked as
they are sent (tests/conftest.py), so this test fails on any payload that breaks its schema.

"Conference on air" is set up the way the conference service's own state would be with a
bridge connected (a Site in `conference.CONFERENCES`, no media node: no orders are sent);
the chair's `conference.on_air` and the bridge's `conference.report` are real commands.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import gevent
import pytest
from pydantic import TypeAdapter
from sqlalchemy import select

from meetings.clock import now
from meetings.db import db, transaction
from meetings.events import contract
from meetings.events.catalogue import check_event
from meetings.media_bridge import conference
from meetings.models import SpeakerRequest, SpeakerStatus, Unit
from meetings.models.meetings import MeetingStatus
from meetings.realtime.snapshot import snapshot_schema
from meetings.services.room.speakers import OVERTIME_GRACE_SECONDS
from tests.annotations.helpers import add_document, new_id, stroke
from tests.realtime.room import ROLE_USERS, Room, ack_ok, make_room

# The projector is a screen signed in with the chair's account: a second connection.
SCREENS = {
    "chair": "chair",
    "projector": "chair",
    "secretary": "secretary",
    "delegate": "delegate",
    "observer": "observer",
    "guest": "guest",
    "bridge_operator": "bridge_operator",
    "unit_admin": "unit_admin",
}
WAIT_S = 30.0  # generous: the machine is shared


class Walk:
    def __init__(self, app: Any, room: Room, sockets: dict[str, Any]) -> None:
        self.app, self.room, self.sockets = app, room, sockets
        self.mid = room.meeting_id
        self.received: dict[str, list[dict[str, Any]]] = {name: [] for name in sockets}
        self.states: list[str] = []
        self.snapshot = TypeAdapter(snapshot_schema())

    def send(self, screen: str, name: str, **body: Any) -> Any:
        return ack_ok(
            self.sockets[screen].emit(name, {"meeting_id": self.mid, **body}, callback=True)
        )

    def drain(self) -> None:
        for screen, sc in self.sockets.items():
            self.received[screen].extend(sc.get_received())

    def names(self, screen: str) -> list[str]:
        self.drain()
        return [e["name"] for e in self.received[screen]]

    def wait_for(self, screen: str, test: Callable[[dict[str, Any]], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_S  # not the hub's clock: stale until it runs
        while time.monotonic() < deadline:
            self.drain()
            if any(test(e) for e in self.received[screen]):
                return
            gevent.sleep(0.05)
        raise AssertionError(f"{what} never reached {screen}")

    def state(self, label: str, check: Callable[[str, dict[str, Any]], None]) -> None:
        """Every screen's snapshot now: valid as a client parses it, and as expected."""
        self.states.append(label)
        for screen in self.sockets:
            snap = self.send(screen, "meeting.snapshot")
            self.snapshot.validate_json(json.dumps(snap), strict=True)
            check(screen, snap)

    def speaking_since(self, seconds: int) -> None:
        with self.app.app_context():
            with transaction():
                req = db.scalar(
                    select(SpeakerRequest).where(
                        SpeakerRequest.meeting_id == self.mid,
                        SpeakerRequest.status == SpeakerStatus.SPEAKING,
                    )
                )
                assert req is not None
                req.started_at = now() - timedelta(seconds=seconds)
            db.remove()


@pytest.fixture
def walk(app: Any, socket_for: Any) -> Iterator[Walk]:
    room = make_room(app, status=MeetingStatus.SCHEDULED, waiting_request=False)
    sockets = {screen: socket_for(ROLE_USERS[role]) for screen, role in SCREENS.items()}
    w = Walk(app, room, sockets)
    for screen in sockets:
        w.send(screen, "meeting.join")
    yield w
    conference.CONFERENCES.pop(room.meeting_id, None)


def _manager(screen: str) -> bool:
    return screen in {"chair", "projector", "secretary"}


def test_every_role_in_every_state(walk: Walk, app: Any) -> None:
    w, room = walk, walk.room
    doc = add_document(app, w.mid, pages=3)

    w.state("not started", lambda s, snap: _status(snap, "scheduled"))
    w.send("chair", "meeting.start")
    w.state("item running", lambda s, snap: _current_item(snap, room.item_ids[0]))
    w.send("secretary", "agenda.create", title="Kiến nghị", presenter="Thư ký")
    w.send("chair", "agenda.extend", minutes=5)
    w.send("chair", "agenda.next")
    w.send("chair", "agenda.set_current", item_id=None)
    w.state("break", lambda s, snap: _current_item(snap, None))
    w.send("chair", "agenda.jump", item_id=room.item_ids[1])

    w.send("delegate", "attendance.checkin")
    w.send("secretary", "attendance.mark", user_id=room.users["delegate02"], status="excused")

    mine = w.send("delegate", "speaker.request", topic="Ý kiến về đầu tư công")
    site = w.send("bridge_operator", "speaker.request")
    w.state("queue non-empty", lambda s, snap: _queue(snap, 2))
    w.send("chair", "speaker.grant", request_id=mine["id"], limit_seconds=60)
    w.state("floor held, queue non-empty", lambda s, snap: _floor(snap, mine["id"], False))
    w.speaking_since(65)
    w.state("floor overtime", lambda s, snap: _floor(snap, mine["id"], True))
    w.send("chair", "speaker.grant", request_id=site["id"])  # a bridge site speaks

    poll = w.send("secretary", "poll.create", title="Thông qua tờ trình", show_running_tally=True)[
        "poll"
    ]
    w.send("secretary", "poll.update", poll_id=poll["id"], duration_seconds=600)
    w.state("poll draft", lambda s, snap: _drafts(s, snap, 1))
    w.send("chair", "poll.open", poll_id=poll["id"])
    yes = next(o["id"] for o in poll["options"] if o["code"] == "yes")
    w.send("delegate", "poll.cast", poll_id=poll["id"], ballot_id=new_id(), choices=[yes])
    w.wait_for("projector", lambda e: e["name"] == "poll.progress", "poll.progress")
    w.state("poll open", lambda s, snap: _poll(snap, "open"))
    w.send("delegate", "poll.get", poll_id=poll["id"])
    w.send("chair", "poll.list")
    w.send("chair", "poll.close", poll_id=poll["id"])
    w.state("poll closed", lambda s, snap: _poll(snap, "closed"))
    w.send("chair", "poll.publish", poll_id=poll["id"])
    w.state("poll published", lambda s, snap: _poll(snap, "published"))
    secret = w.send("secretary", "poll.create", title="Bầu tổ trưởng", secret=True)["poll"]
    w.send("chair", "poll.open", poll_id=secret["id"])
    no = next(o["id"] for o in secret["options"] if o["code"] == "no")
    receipt = w.send(
        "delegate", "poll.cast", poll_id=secret["id"], ballot_id=new_id(), choices=[no]
    )
    assert "receipt" in receipt and "choices" not in receipt
    w.send("chair", "poll.cancel", poll_id=secret["id"])
    w.send(
        "secretary",
        "poll.delete",
        poll_id=w.send("secretary", "poll.create", title="Nháp")["poll"]["id"],
    )

    w.send("chair", "presenter.open", document_id=doc, page=0)
    w.send("chair", "presenter.page", page=1)
    w.send("chair", "presenter.zoom", x=0.1, y=0.2, w=0.5, h=0.3)
    w.state("presenter on", lambda s, snap: _presenting(snap, doc))
    w.send("chair", "annotation.mark", annotation=stroke(doc, page=1))
    private = w.send("delegate", "annotation.create", annotation=stroke(doc, page=1))
    w.send(
        "delegate",
        "annotation.update",
        id=private["id"],
        base_version=1,
        op_id=new_id(),
        changes={"color": "#1565c0"},
    )
    shared = w.send("delegate", "annotation.share", id=private["id"], shared_id=new_id())
    w.send("chair", "annotation.laser", document_id=doc, page=1, at=[0.4, 0.3])
    w.send("delegate", "annotation.list", document_id=doc)
    w.send(
        "delegate",
        "annotation.sync",
        ops=[{"op": "create", "op_id": new_id(), "annotation": stroke(doc)}],
    )
    w.state("shared marks present", lambda s, snap: _marks(snap, 2))
    w.send("delegate", "annotation.delete", id=shared["id"])
    w.send("chair", "annotation.clear", document_id=doc, page=1)

    _bridge_connected(w, app)
    w.send("chair", "conference.state")
    w.send("chair", "conference.on_air", unit_id=room.commune_ids[0])
    w.send("bridge_operator", "conference.report", peer_id=_peer(w), rtt_ms=18.0, quality="good")
    w.wait_for("chair", lambda e: e["name"] == "conference.stats", "conference.stats")
    w.state("conference on air", lambda s, snap: _on_air(s, snap, room.commune_ids[0]))

    w.send("chair", "presenter.stop")
    w.send("chair", "meeting.end")
    w.state("meeting ended", lambda s, snap: _status(snap, "ended"))

    # Every event every screen saw, as a client receives it.
    w.drain()
    for got in w.received.values():
        for e in got:
            check_event(e["name"], e["args"][0])
    assert contract.take_violations() == []
    seen = {e["name"] for got in w.received.values() for e in got}
    expected = {
        "meeting.updated",
        "agenda.updated",
        "attendance.updated",
        "speaker.updated",
        "poll.created",
        "poll.updated",
        "poll.deleted",
        "poll.opened",
        "poll.progress",
        "poll.closed",
        "poll.published",
        "poll.cancelled",
        "presenter.changed",
        "annotation.created",
        "annotation.deleted",
        "annotation.cleared",
        "annotation.laser",
        "conference.updated",
        "conference.stats",
    }
    assert expected <= seen, expected - seen
    assert "poll.created" not in w.names("delegate")  # drafts are the managers' business


def test_a_turn_ends_by_itself_after_its_limit_and_grace(walk: Walk) -> None:
    w = walk
    w.send("chair", "meeting.start")
    mine = w.send("delegate", "speaker.request")
    w.send("chair", "speaker.grant", request_id=mine["id"], limit_seconds=30)
    w.speaking_since(30 + OVERTIME_GRACE_SECONDS - 1)  # due in a second
    w.send("chair", "meeting.snapshot")  # re-arms the timer for the new end

    def turn_ended(e: dict[str, Any]) -> bool:
        data = e["args"][0]["data"] if e["name"] == "speaker.updated" else None
        return data is not None and data["current"] is None and bool(data["history"])

    w.wait_for("projector", turn_ended, "the end of the turn")
    history = w.send("guest", "meeting.snapshot")["speakers"]["history"]
    assert [r["id"] for r in history] == [mine["id"]] and history[0]["status"] == "done"
    # The timer of the grant (another worker's, say) finds it ended: nothing happens twice.
    from meetings.realtime.speaker_timers import end_if_due

    with w.app.app_context():
        assert end_if_due(w.mid, mine["id"]) is False
    gevent.sleep(0.5)
    w.drain()
    assert len([e for e in w.received["projector"] if turn_ended(e)]) == 1


# --- expectations per state ---------------------------------------------------------------


def _status(snap: dict[str, Any], status: str) -> None:
    assert snap["meeting"]["status"] == status


def _current_item(snap: dict[str, Any], item_id: int | None) -> None:
    assert snap["agenda"]["current_item_id"] == item_id


def _queue(snap: dict[str, Any], n: int) -> None:
    assert len(snap["speakers"]["queue"]) == n and snap["speakers"]["current"] is None


def _floor(snap: dict[str, Any], request_id: int, overtime: bool) -> None:
    current = snap["speakers"]["current"]
    assert current["id"] == request_id and current["overrun"] is overtime
    assert snap["speakers"]["queue"]


def _drafts(screen: str, snap: dict[str, Any], n: int) -> None:
    assert len(snap["poll"]["drafts"]) == (n if _manager(screen) else 0)


def _poll(snap: dict[str, Any], status: str) -> None:
    assert snap["poll"]["current"]["status"] == status


def _presenting(snap: dict[str, Any], doc: int) -> None:
    assert snap["presenter"]["document_id"] == doc and snap["presenter"]["page"] == 1


def _marks(snap: dict[str, Any], n: int) -> None:
    assert len(snap["shared_marks"]) == n


def _on_air(screen: str, snap: dict[str, Any], unit_id: int) -> None:
    # Only those who may join the conference follow it; the others get null.
    if "conference.join" not in snap["meeting"]["my_permissions"]:
        assert screen not in {"chair", "projector", "bridge_operator"}
        assert snap["conference"] is None
        return
    assert snap["conference"]["on_air"]["unit_id"] == unit_id
    assert snap["conference"]["recording"] is not None


def _peer(w: Walk) -> str:
    return f"m{w.mid}-u{w.room.commune_ids[0]}-state"


def _bridge_connected(w: Walk, app: Any) -> None:
    """The conference service's state with the bridge's site connected and recording."""
    with app.app_context():
        unit = db.get(Unit, w.room.commune_ids[0])
        assert unit is not None
        conf = conference.Conference(meeting_id=w.mid, host_unit_id=w.room.district_id)
        conf.sites[unit.id] = conference.Site(
            peer_id=_peer(w),
            unit_id=unit.id,
            unit_code=unit.code,
            name=unit.name,
            role="site",
            user_id=w.room.users["bridge"],
            node_id="node-state-test",
            sid=None,
            publishes=("video", "audio"),
            state="connected",
        )
        conf.recording = {"recording_id": "r1", "started_at": now().isoformat(), "file": "r1.webm"}
        conference.CONFERENCES[w.mid] = conf
        db.remove()
