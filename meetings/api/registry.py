"""Every REST route is declared once, as Socket.IO commands are (realtime/registry.py).

`ApiBlueprint.declare(method, rule, permission, responses=...)` registers the route with
flask-openapi3 and in ROUTES, the route table the authorization matrix test walks. A
request is then handled in this order:

1. authorize (`authorize_route`): 401 anonymous, 403 a missing permission, 404 a meeting
   or document the caller has no standing in (permissions.authorize's rule);
2. validate path, query and body (flask-openapi3): 400. Before this module, validation
   came first, so an anonymous caller learnt the schema from 400s; now 401/403 come first;
3. run the handler in one transaction with an Outbox, and send its events after commit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import g
from flask_openapi3 import APIBlueprint

from meetings.api.schemas import ERRORS, Responses
from meetings.auth import current_user
from meetings.db import transaction
from meetings.errors import AppError, not_found
from meetings.events.outbox import Outbox
from meetings.models import Document, Meeting, User
from meetings.permissions import Perm, authorize, signed_in
from meetings.services.documents.library import visible_document

H = TypeVar("H", bound=Callable[..., Any])

PUBLIC = None  # the permission of a route open to anyone (login, session probe, feed)


@dataclass(frozen=True)
class Route:
    endpoint: str  # the Flask endpoint, "<blueprint>.<handler>"
    method: str
    rule: str  # with the blueprint's prefix
    permission: Perm | None  # PUBLIC or the permission authorize() checks


ROUTES: dict[str, Route] = {}


@dataclass
class Ctx:
    """What a handler gets: who, the meeting or document already authorized, the outbox."""

    user: User | None
    found_meeting: Meeting | None = None
    found_document: Document | None = None
    outbox: Outbox = field(default_factory=Outbox)

    @property
    def me(self) -> User:
        if self.user is None:  # only a public route can get here without a user
            raise AppError("not_authenticated", "Bạn cần đăng nhập.")
        return self.user

    @property
    def meeting(self) -> Meeting:
        if self.found_meeting is None:
            raise not_found("Không tìm thấy cuộc họp.")
        return self.found_meeting

    @property
    def document(self) -> Document:
        if self.found_document is None:
            raise not_found("Không tìm thấy tài liệu.")
        return self.found_document


def authorize_route(permission: Perm | None, path: dict[str, Any]) -> Ctx:
    """Authorize from the raw path values, before anything is validated.

    A route with `meeting_id` is about that meeting; one with only `document_id` is about
    that document's meeting, and the document must be visible to the caller (404 if not).
    """
    user = current_user()
    if permission is PUBLIC:
        return Ctx(user)
    if "meeting_id" in path:
        return Ctx(user, authorize(user, permission, path["meeting_id"]))
    if "document_id" in path:
        doc = visible_document(signed_in(user), path["document_id"])  # 401 before 404
        return Ctx(user, authorize(user, permission, doc.meeting_id), doc)
    authorize(user, permission)
    return Ctx(user)


class ApiBlueprint(APIBlueprint):
    """A flask-openapi3 blueprint whose routes are all declared through `declare`."""

    def declare(
        self,
        method: str,
        rule: str,
        permission: Perm | None,
        *,
        responses: Responses | None = None,
        **options: Any,
    ) -> Callable[[H], H]:
        """Register `handler(ctx, path=, query=, body=)`; guarded routes answer ERRORS too."""
        declared = dict(responses or {})
        if permission is not PUBLIC:
            declared = {**ERRORS, **declared}

        def register(handler: H) -> H:
            @functools.wraps(handler)  # name, docstring and schemas, for flask-openapi3
            def run(**validated: Any) -> Any:
                ctx: Ctx = g.route_ctx
                with transaction():
                    result = handler(ctx, **validated)
                ctx.outbox.send()
                return result

            run.__route_permission__ = permission  # type: ignore[attr-defined]
            getattr(self, method)(rule, responses=declared, **options)(run)
            endpoint = f"{self.name}.{handler.__name__}"
            if endpoint in ROUTES:
                raise RuntimeError(f"route {endpoint} declared twice")
            prefix = self.url_prefix or ""
            ROUTES[endpoint] = Route(endpoint, method.upper(), prefix + rule, permission)
            return handler

        return register

    @staticmethod
    def create_view_func(func: Any, *args: Any, **kwargs: Any) -> Any:
        """flask-openapi3's view validates, then calls `func`: authorize around it, first."""
        view = APIBlueprint.create_view_func(func, *args, **kwargs)
        if not hasattr(func, "__route_permission__"):
            raise RuntimeError(f"{func.__name__}: declare API routes with ApiBlueprint.declare")
        permission: Perm | None = func.__route_permission__

        @functools.wraps(view)
        def guarded(**path: Any) -> Any:
            g.route_ctx = authorize_route(permission, path)
            return view(**path)

        return guarded
