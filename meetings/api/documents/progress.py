"""Upload progress for the managers' screens, sent through the realtime layer."""

from __future__ import annotations

import time
from collections.abc import Callable

from meetings.realtime.events import emit_event
from meetings.realtime.presenter import uploads_room

MIN_INTERVAL = 0.12  # seconds: at most ~8 events per second per upload and stage


def progress_emitter(
    meeting_id: int, upload_id: str, filename: str
) -> Callable[[str, float], None]:
    """A `progress(stage, fraction)` callback for ingest; the last event always goes."""
    last_stage, last_t = [""], [0.0]

    def emit(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage == last_stage[0] and now - last_t[0] < MIN_INTERVAL and fraction < 1.0:
            return
        last_stage[0], last_t[0] = stage, now
        progress = {
            "upload_id": upload_id,
            "filename": filename,
            "stage": stage,
            "fraction": round(fraction, 3),
        }
        # The documented envelope, unversioned: progress is not meeting state.
        envelope = {"meeting_id": meeting_id, "version": None, "data": progress}
        emit_event("document.progress", envelope, to=uploads_room(meeting_id))

    return emit
