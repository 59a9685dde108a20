"""Every command is registered once with its schema and permission.

`dispatch()` parses and authorizes before the handler runs, runs the handler in one
transaction, and emits the queued events only after the commit.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FunctionType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from meetings.auth import current_user
from meetings.db import db, transaction
from meetings.errors import AppError, invalid_payload
from meetings.events import contract
from meetings.events.outbox import Outbox
from meetings.models import Meeting, User
from meetings.outages import outage_error
from meetings.permissions import Perm, authorize
from meetings.realtime.idempotency import idempotent

log = logging.getLogger(__name__)

P = TypeVar("P", bound=BaseModel)

# Errors every command can answer with; commands list their own on top. `unavailable`:
# the database cannot be reached (meetings/outages.py).
COMMON_ERRORS = (
    "invalid_payload",
    "not_authenticated",
    "permission_denied",
    "not_found",
    "unavailable",
)


@dataclass
class Ctx:
    """What a handler gets: who, which meeting (already authorized), and the outbox."""

    user: User
    meeting: Meeting | None
    sid: str | None
    outbox: Outbox = field(default_factory=Outbox)

    @property
    def meeting_required(self) -> Meeting:
        if self.meeting is None:
            raise RuntimeError("meeting-scoped command without meeting_id")
        return self.meeting


@dataclass(frozen=True)
class Command:
    name: str
    schema: type[BaseModel]
    permission: Perm
    handler: Callable[[Ctx, Any], Any]
    summary: str
    example: dict[str, Any]
    errors: tuple[str, ...] = ()
    # Schema of the ack's `data`: a model or type (`Model | None`), None for no data, or a
    # function returning one when it is only known once every module is loaded (snapshot).
    result: Any = None

    @property
    def all_errors(self) -> tuple[str, ...]:
        return COMMON_ERRORS + tuple(e for e in self.errors if e not in COMMON_ERRORS)

    @property
    def result_schema(self) -> Any:
        return self.result() if isinstance(self.result, FunctionType) else self.result


COMMANDS: dict[str, Command] = {}


def command(
    name: str,
    *,
    schema: type[P],
    permission: Perm,
    summary: str,
    example: dict[str, Any],
    errors: tuple[str, ...] = (),
    result: Any = None,
) -> Callable[[Callable[[Ctx, P], Any]], Callable[[Ctx, P], Any]]:
    def register(handler: Callable[[Ctx, P], Any]) -> Callable[[Ctx, P], Any]:
        if name in COMMANDS:
            raise RuntimeError(f"command {name} registered twice")
        schema.model_validate(example)  # an example that doesn't parse is a bug
        COMMANDS[name] = Command(
            name, schema, permission, handler, summary, example, errors, result
        )
        return handler

    return register


def ok(data: Any = None) -> dict[str, Any]:
    return {"ok": True, "data": data}


def fail(error: AppError) -> dict[str, Any]:
    return {"ok": False, "error": error.body()["error"]}


@idempotent  # a retry with the same `idempotency_key` gets the first answer back
def dispatch(name: str, payload: Any, sid: str | None) -> dict[str, Any]:
    cmd = COMMANDS.get(name)
    if cmd is None:
        return fail(AppError("unknown_command", f"Lệnh không tồn tại: {name[:64]}"))
    try:
        user = current_user()
    except Exception as exc:  # the database is down: answer anyway, never leave it hanging
        return fail(_unexpected(exc, name, None))
    if user is None:
        return fail(AppError("not_authenticated", "Bạn cần đăng nhập."))
    try:
        body = cmd.schema.model_validate(payload if payload is not None else {})
    except ValidationError as exc:
        return fail(invalid_payload(exc))
    try:
        with transaction():
            meeting = authorize(user, cmd.permission, getattr(body, "meeting_id", None))
            ctx = Ctx(user=user, meeting=meeting, sid=sid)
            data = cmd.handler(ctx, body)
    except AppError as err:
        return fail(err)
    except Exception as exc:
        return fail(_unexpected(exc, name, user.id))
    ctx.outbox.send()
    contract.check(cmd.result_schema, data, f"ack of {name}")
    return ok(data)


def _unexpected(exc: Exception, name: str, user_id: int | None) -> AppError:
    """An outage gets its own code (`unavailable`, `storage_*`); anything else is a bug."""
    with contextlib.suppress(Exception):  # a dead connection must not cost the answer
        db.rollback()
    known = outage_error(exc)
    extra = {"command": name, "user_id": user_id}
    if known is not None:
        log.warning("command failed: %s (%s)", known.code, type(exc).__name__, extra=extra)
        return known
    log.exception("command failed", extra=extra)
    return AppError("internal_error", "Lỗi hệ thống, vui lòng thử lại.")
