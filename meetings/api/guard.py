"""Route permission: every API view names one, checked by permissions.authorize()."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from meetings.auth import current_user
from meetings.permissions import Perm, authorize

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"


def requires(perm: Perm) -> Callable[[F], F]:
    """Authorize before the view runs. Meeting permissions read `path.meeting_id`."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            path = kwargs.get("path")
            authorize(current_user(), perm, getattr(path, "meeting_id", None))
            return view(*args, **kwargs)

        guarded.__permission__ = perm  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return wrap


def public(view: F) -> F:
    """Mark a view open to anyone (login, session probe); the route test checks the mark."""
    view.__permission__ = PUBLIC  # type: ignore[attr-defined]
    return view
