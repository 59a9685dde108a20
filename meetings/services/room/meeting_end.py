"""What ending a meeting ("Bế mạc") closes, and the rule that nothing live starts again.

`close_live_parts()` runs inside the end command's (or a cancel's) transaction, after the
status became ENDED (CANCELLED), so every domain agrees in one commit:

- the speaker's turn ends and the queue is cleared;
- an open poll is CLOSED, not cancelled: the ballots already cast are counted and
  sealed (a secret poll forgets who cast which ballot, which cancelling would not do),
  and the close is in the audit chain. Nothing is published: the result waits in the
  record, since publishing means announcing to a room that has left;
- the presenter stops (the projector and tablets leave the document).

The video conference is not database state: it reacts to the committed
`meeting.updated` (meetings.media_bridge.conference, an `on_sent` listener), so its
media orders (recording stopped and kept, peers closed) leave only after the commit.

Afterwards `meetings.services.room.guards.ensure_live()` refuses conference, poll and
presenter commands with the code `closed`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetings.db import db
from meetings.events.outbox import Outbox
from meetings.models import Meeting, Poll
from meetings.models.polls import PollStatus
from meetings.services.documents import presenter as doc_presenter
from meetings.services.room.speakers import close_floor
from meetings.services.voting import polls


def close_live_parts(meeting: Meeting, actor_id: int | None, outbox: Outbox) -> dict[str, Any]:
    """Close what still runs in a meeting that has just ended; returns what was closed."""
    open_polls = list(
        db.scalars(
            select(Poll).where(Poll.meeting_id == meeting.id, Poll.status == PollStatus.OPEN)
        )
    )
    closed_polls = [p.id for p in open_polls if polls.do_close(p, actor_id, outbox)]
    return {
        "speaker_requests_closed": close_floor(meeting, outbox),
        "polls_closed": closed_polls,
        "presenter_stopped": doc_presenter.end(meeting, outbox),
    }
