"""The presenter's document, page and zoomed region, which the whole room follows.

Who may present: anyone holding PRESENT — the chair, and the person named as presenter of
the agenda item now in progress (permissions.SITUATIONAL_PERMS). The state is one row per
meeting; every change is a versioned `presenter.changed` event and the snapshot carries
the same shape, so a tablet that reconnects lands on the page the room is on.
"""

from __future__ import annotations

from typing import Any

from meetings.clock import now
from meetings.db import db
from meetings.errors import AppError
from meetings.events.outbox import Outbox
from meetings.models import Document, Meeting, PresenterState, User
from meetings.permissions import Perm, meeting_perms
from meetings.services.documents import pages as doc_pages
from meetings.services.documents.library import visible_document
from meetings.services.room.guards import ensure_live

EVENT = "presenter.changed"


def may_present(user: User, meeting: Meeting) -> bool:
    # The chair, or the current item's named presenter: permissions.py grants PRESENT.
    return Perm.PRESENT in meeting_perms(user, meeting)


def _require(user: User, meeting: Meeting) -> None:
    if not may_present(user, meeting):
        raise AppError("permission_denied", "Chỉ chủ tọa hoặc người trình bày được điều khiển.")


def state_out(state: PresenterState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    doc = db.get(Document, state.document_id)
    presenter = db.get(User, state.presenter_id) if state.presenter_id else None
    return {
        # No title: a restricted document's name is not for everyone in the room; clients
        # that may see it fetch it by id.
        "document_id": state.document_id,
        "page_count": doc.page_count if doc else 0,
        "page": state.page,
        "zoom": {"x": state.zoom_x, "y": state.zoom_y, "w": state.zoom_w, "h": state.zoom_h},
        "presenter": {"id": presenter.id, "full_name": presenter.full_name} if presenter else None,
        "updated_at": state.updated_at.isoformat(),
    }


def current(meeting_id: int) -> PresenterState | None:
    return db.get(PresenterState, meeting_id)


def _emit(meeting: Meeting, state: PresenterState | None, outbox: Outbox) -> dict[str, Any] | None:
    out = state_out(state)
    outbox.meeting_event(meeting.id, EVENT, {"presenter": out})
    return out


def open_document(
    meeting: Meeting, user: User, document_id: int, page: int, outbox: Outbox
) -> dict[str, Any] | None:
    # The registry has checked PRESENT; the check below is for other callers.
    doc = visible_document(user, document_id)
    if doc.meeting_id != meeting.id:
        raise AppError("not_found", "Không tìm thấy tài liệu.")
    _require(user, meeting)
    ensure_live(meeting)
    if not 0 <= page < doc.page_count:
        raise AppError("invalid_payload", "Không có trang này.")
    state = current(meeting.id)
    if state is None:
        state = PresenterState(meeting_id=meeting.id, document_id=doc.id)
        db.add(state)
    state.document_id = doc.id
    state.page = page
    state.zoom_x, state.zoom_y, state.zoom_w, state.zoom_h = 0.0, 0.0, 1.0, 1.0
    state.presenter_id = user.id
    state.updated_at = now()
    db.flush()
    doc_pages.prewarm(doc, page)  # the room is about to ask for this page
    return _emit(meeting, state, outbox)


def _active(meeting: Meeting, user: User) -> PresenterState:
    ensure_live(meeting)
    state = current(meeting.id)
    if state is None:
        raise AppError("conflict", "Chưa trình chiếu tài liệu nào.")
    _require(user, meeting)
    return state


def turn_page(meeting: Meeting, user: User, page: int, outbox: Outbox) -> dict[str, Any] | None:
    state = _active(meeting, user)
    doc = db.get(Document, state.document_id)
    if doc is None or not 0 <= page < doc.page_count:
        raise AppError("invalid_payload", "Không có trang này.")
    if page == state.page and (state.zoom_w, state.zoom_h) == (1.0, 1.0):
        return state_out(state)  # a repeated tap: no event, no version bump
    state.page = page
    state.zoom_x, state.zoom_y, state.zoom_w, state.zoom_h = 0.0, 0.0, 1.0, 1.0
    state.presenter_id = user.id
    state.updated_at = now()
    doc_pages.prewarm(doc, page)  # the room is about to ask for this page
    return _emit(meeting, state, outbox)


def zoom(
    meeting: Meeting, user: User, rect: tuple[float, float, float, float], outbox: Outbox
) -> dict[str, Any] | None:
    x, y, w, h = rect
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > 1.0001 or y + h > 1.0001:
        raise AppError("invalid_payload", "Vùng phóng to phải nằm trong trang.")
    state = _active(meeting, user)
    state.zoom_x, state.zoom_y, state.zoom_w, state.zoom_h = x, y, min(w, 1 - x), min(h, 1 - y)
    state.presenter_id = user.id
    state.updated_at = now()
    return _emit(meeting, state, outbox)


def stop(meeting: Meeting, user: User, outbox: Outbox) -> None:
    state = _active(meeting, user)
    db.delete(state)
    db.flush()
    _emit(meeting, None, outbox)


def end(meeting: Meeting, outbox: Outbox) -> bool:
    """The meeting ended: presenting stops, whoever presented. True if something was shown."""
    state = current(meeting.id)
    if state is None:
        return False
    db.delete(state)
    db.flush()
    _emit(meeting, None, outbox)
    return True
