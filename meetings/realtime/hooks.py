"""Connection lifecycle hooks, so domains can react to join/leave/disconnect without each
registering its own Socket.IO "disconnect" handler (Flask-SocketIO keeps only one per
namespace: a second registration would silently replace the first).

Join and leave hooks run inside the command's transaction with its outbox; disconnect hooks
get a fresh transaction and outbox each, sent after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from meetings.db import transaction
from meetings.events.outbox import Outbox

if TYPE_CHECKING:
    from meetings.realtime.registry import Ctx

log = logging.getLogger(__name__)

JoinHook = Callable[["Ctx"], None]
DisconnectHook = Callable[[str, Outbox], None]

JOIN_HOOKS: list[JoinHook] = []
LEAVE_HOOKS: list[JoinHook] = []
DISCONNECT_HOOKS: list[DisconnectHook] = []


def on_join(fn: JoinHook) -> JoinHook:
    if fn not in JOIN_HOOKS:
        JOIN_HOOKS.append(fn)
    return fn


def on_leave(fn: JoinHook) -> JoinHook:
    if fn not in LEAVE_HOOKS:
        LEAVE_HOOKS.append(fn)
    return fn


def on_disconnect(fn: DisconnectHook) -> DisconnectHook:
    if fn not in DISCONNECT_HOOKS:
        DISCONNECT_HOOKS.append(fn)
    return fn


def run_join(ctx: Ctx) -> None:
    for hook in JOIN_HOOKS:
        hook(ctx)


def run_leave(ctx: Ctx) -> None:
    for hook in LEAVE_HOOKS:
        hook(ctx)


def run_disconnect(sid: str) -> None:
    for hook in DISCONNECT_HOOKS:
        outbox = Outbox()
        try:
            with transaction():
                hook(sid, outbox)
        except Exception:  # one failing domain must not keep the others from cleaning up
            log.exception("disconnect hook failed", extra={"hook": hook.__name__})
            continue
        outbox.send()
