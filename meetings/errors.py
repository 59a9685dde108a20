"""One error type for REST and Socket.IO: a stable code, a message, an HTTP status.

Every code a client can receive is registered here, once, with its HTTP status and its
meaning; `AppError` refuses an unregistered code, and docs/protocol.md renders this table.
The same holds for the reason codes a `conflict` carries in `error.details.reason`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from meetings import validation_vi


@dataclass(frozen=True)
class ErrorCode:
    status: int  # HTTP status on REST; Socket.IO acks carry only the code
    meaning: str


ERROR_CODES: dict[str, ErrorCode] = {
    # Any request
    "invalid_payload": ErrorCode(400, "The payload breaks its schema, or a value is impossible."),
    "not_authenticated": ErrorCode(401, "No valid session: sign in (again)."),
    "csrf_failed": ErrorCode(403, "REST write without a valid `X-CSRFToken` header."),
    "permission_denied": ErrorCode(403, "Signed in, but the role does not allow this."),
    "not_found": ErrorCode(404, "No such object, or a meeting the person has no part in."),
    "method_not_allowed": ErrorCode(405, "REST: wrong HTTP method for this path."),
    "http_error": ErrorCode(400, "REST: another HTTP-level refusal; the status says which."),
    "unknown_command": ErrorCode(400, "Socket.IO: no command of that name."),
    "conflict": ErrorCode(409, "The command no longer applies; `details.reason` says why."),
    "closed": ErrorCode(409, "The poll has ended."),
    "too_large": ErrorCode(413, "Body, file or page count over the limit."),
    "rate_limited": ErrorCode(429, "Too many requests; wait and retry."),
    "internal_error": ErrorCode(500, "A server bug; retrying may help, the server logged it."),
    "unavailable": ErrorCode(503, "A service the server needs is down; retry later."),
    # Accounts
    "invalid_credentials": ErrorCode(401, "Unknown user or wrong password (never says which)."),
    "account_locked": ErrorCode(423, "Too many failed logins; the message says until when."),
    "weak_password": ErrorCode(400, "Password too short, or only letters or only digits."),
    # Agenda
    "presenter_not_participant": ErrorCode(
        400, "The presenter chosen as a person is not a participant of the meeting."
    ),
    # Voting
    "already_voted": ErrorCode(409, "A different ballot was already cast in this poll."),
    "invalid_choice": ErrorCode(400, "Options unknown, repeated, or too few / too many."),
    "not_eligible": ErrorCode(403, "This person may not vote in this poll."),
    # Annotations
    "version_conflict": ErrorCode(
        409, "Edited on an older version; `details` carry the current `annotation`."
    ),
    # Video bridge
    "no_common_codec": ErrorCode(409, "The offer has no codec the meeting's media node uses."),
    # Documents (upload and download; the pipeline's own codes)
    "missing_file": ErrorCode(400, "Upload without a file."),
    "upload_incomplete": ErrorCode(400, "The upload was cut off."),
    "download_forbidden": ErrorCode(403, "Confidential document: view only, no download."),
    "not_pdf": ErrorCode(422, "The file is not a PDF."),
    "encrypted": ErrorCode(422, "The PDF needs a password."),
    "empty": ErrorCode(422, "The PDF has no page."),
    "unreadable": ErrorCode(422, "The PDF cannot be read (damaged or too complex)."),
    "unsupported_type": ErrorCode(422, "A file type the server does not convert."),
    "convert_failed": ErrorCode(422, "The office file could not be converted to PDF."),
    "converter_missing": ErrorCode(503, "LibreOffice is not installed on the server."),
    "font_missing": ErrorCode(422, "No installed font covers Vietnamese."),
    "storage_full": ErrorCode(507, "The server's documents folder is full."),
    "storage_unavailable": ErrorCode(503, "The server cannot write its documents folder."),
}

# `error.details.reason` of a `conflict`: which rule refused the command.
CONFLICT_REASONS: dict[str, str] = {
    # Meeting and agenda
    "not_started": "The meeting has not started.",
    "ended": "The meeting has ended.",
    "already_started": "The meeting already started, ended or was cancelled.",
    "closed_meeting": "The meeting has ended or was cancelled.",
    # `closed` (conference, poll and presenter commands once the meeting is over)
    "meeting_ended": "`closed`: the meeting has ended (Bế mạc).",
    "meeting_cancelled": "`closed`: the meeting was cancelled.",
    "same_item": "That item is already the current one.",
    "no_next": "There is no next item.",
    "no_previous": "There is no previous item.",
    "no_current_item": "No item is current.",
    "not_on_break": "The meeting is not on a break: there is nothing to resume.",
    "stale_order": "The list changed meanwhile: reload and send the whole new order.",
    # Attendance
    "bridge_presence_is_automatic": "Bridges count as present by connection, not by hand.",
    # Floor
    "already_requested": "You already asked for the floor.",
    "not_in_queue": "The request is no longer waiting.",
    "request_closed": "The request was withdrawn, removed or already spoke.",
    "nobody_speaking": "Nobody has the floor.",
    # Polls
    "not_draft": "Only a draft poll can be edited or deleted.",
    "already_opened": "The poll was opened before.",
    "another_poll_open": "Another poll of the meeting is open.",
    "no_eligible_voters": "Nobody is eligible to vote.",
    "not_open": "The poll is not open.",
    "not_closed": "Only an ended poll can be published.",
    "cancelled": "The poll was cancelled.",
    # Any command sent with an `idempotency_key`
    "request_in_progress": "The first try with this `idempotency_key` is still running.",
}

# Other keys `error.details` may carry, and when.
DETAIL_KEYS: dict[str, str] = {
    "reason": "`conflict`: one of the reasons below. Document errors: the pipeline's log "
    "text (not a code).",
    "node_code": "Video bridge errors: the media node's own code (`invalid_sdp`, "
    "`invalid_candidate`, `timeout`, …) behind the mapped code.",
    "node_message": "Video bridge errors: the media node's own technical text (English, for "
    "logs); `message` is the Vietnamese wording for users.",
    "id, current_version, annotation": "`version_conflict`: the annotation as it is now.",
}

# Kept for callers that only need the status.
STATUS = {code: spec.status for code, spec in ERROR_CODES.items()}


class AppError(Exception):
    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        if code not in ERROR_CODES:  # a code clients cannot look up is a bug
            raise ValueError(f"error code {code!r} is not registered in meetings/errors.py")
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    @property
    def status(self) -> int:
        return ERROR_CODES[self.code].status

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def conflict(message: str, reason: str) -> AppError:
    """A command that no longer applies; `reason` tells the client which rule refused."""
    if reason not in CONFLICT_REASONS:
        raise ValueError(f"conflict reason {reason!r} is not registered in meetings/errors.py")
    return AppError("conflict", message, {"reason": reason})


def not_found(what: str = "Không tìm thấy") -> AppError:
    return AppError("not_found", what)


def invalid_payload(exc: ValidationError) -> AppError:
    """Name the first offending field; the client shows the translated code anyway."""
    errors = exc.errors()
    where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
    detail = validation_vi.phrase(errors[0]) if errors else ""
    return AppError("invalid_payload", f"Dữ liệu không hợp lệ: {where} {detail}".strip())
