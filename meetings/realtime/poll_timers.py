"""Background work for polls: closing at the deadline and coalesced progress events.

Both run as greenlets (Flask-SocketIO background tasks), each in its own app context and
transaction. Closing is idempotent (services.voting.polls.do_close flips open → closed with a
conditional UPDATE), so a timer in every worker, a lazy close on access and the chair's
click may all race: exactly one of them closes.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app

from meetings.clock import now
from meetings.db import db, transaction
from meetings.events.outbox import Outbox
from meetings.extensions import socketio
from meetings.models import Poll
from meetings.models.polls import PollStatus
from meetings.realtime.deadlines import Deadlines
from meetings.services.voting import polls, tally

log = logging.getLogger(__name__)

# Progress events are coalesced: 500 ballots in one second must not become 500 broadcasts
# to 500 tablets. At most one poll.progress per poll per PROGRESS_INTERVAL.
PROGRESS_INTERVAL = 0.25

_pending_progress: set[int] = set()


def _app() -> Flask:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def ensure_close_timer(poll: Poll) -> None:
    """Make sure this worker closes `poll` at its deadline (called on open and on access,
    so a restarted worker picks deadlines up again)."""
    if poll.status is not PollStatus.OPEN or poll.deadline_at is None:
        return
    _closing.arm(poll.id, poll.deadline_at, poll.meeting_id)


def close_if_due(meeting_id: int, poll_id: int) -> bool:
    """Close the poll if its deadline has passed; True if this call closed it."""
    outbox = Outbox()
    with transaction():
        poll = polls.lock_poll(meeting_id, poll_id)
        due = poll.deadline_at is not None and poll.deadline_at <= now()
        closed = due and polls.do_close(poll, None, outbox)
    outbox.send()
    return closed


_closing = Deadlines("poll deadline close", close_if_due)


def schedule_progress(meeting_id: int, poll_id: int) -> None:
    """Ask for one poll.progress soon; calls within the interval share it."""
    if poll_id in _pending_progress:
        return
    _pending_progress.add(poll_id)
    socketio.start_background_task(_send_progress, _app(), meeting_id, poll_id)


def _send_progress(app: Flask, meeting_id: int, poll_id: int) -> None:
    socketio.sleep(PROGRESS_INTERVAL)
    _pending_progress.discard(poll_id)  # casts from now on schedule the next one
    try:
        with app.app_context():
            outbox = Outbox()
            with transaction():
                poll = db.get(Poll, poll_id)
                if poll is not None and poll.status is PollStatus.OPEN:
                    outbox.meeting_event(meeting_id, "poll.progress", progress_of(poll))
            outbox.send()  # nothing queued once closed: poll.closed carries the final count
            db.remove()
    except Exception:
        log.exception("poll progress failed", extra={"poll_id": poll_id})


def progress_of(poll: Poll) -> dict[str, Any]:
    show = poll.show_running_tally and not poll.secret
    voted = tally.voted_count(poll.id)
    return {
        "poll_id": poll.id,
        "voted_count": voted,
        "eligible_count": poll.eligible_count,
        "quorum": tally.quorum_of(poll, voted),
        "running_tally": tally.running_tally(poll) if show else None,
    }
