"""Session probe, login and logout."""

from __future__ import annotations

from flask import current_app
from flask_openapi3 import Tag
from flask_wtf.csrf import generate_csrf
from pydantic import BaseModel, Field

from meetings.api.registry import PUBLIC, ApiBlueprint, Ctx
from meetings.api.schemas import ERRORS, ErrorBody, OkOut, Strict, UserOut
from meetings.auth import end_session, start_session
from meetings.config import Config
from meetings.permissions import Perm
from meetings.realtime.sessions import current_login, end_login, new_login
from meetings.services.accounts.login import do_login

bp = ApiBlueprint("auth", __name__, url_prefix="/api", abp_tags=[Tag(name="auth")])


class SessionOut(BaseModel):
    authenticated: bool
    user: UserOut | None
    csrf_token: str


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    user: UserOut


@bp.declare("get", "/session", PUBLIC, responses={200: SessionOut})
def get_session(ctx: Ctx) -> dict[str, object]:
    """Who is signed in, and the CSRF token to send as X-CSRFToken."""
    user = ctx.user
    return SessionOut(
        authenticated=user is not None,
        user=UserOut.of(user) if user else None,
        csrf_token=generate_csrf(),
    ).model_dump(mode="json")


@bp.declare("post", "/auth/login", PUBLIC, responses={200: LoginOut, 423: ErrorBody, **ERRORS})
def login(ctx: Ctx, body: LoginIn) -> dict[str, object]:
    """Sign in. Unknown user and wrong password answer alike; repeated failures lock."""
    config: Config = current_app.config["APP_CONFIG"]
    user = do_login(
        body.username,
        body.password,
        max_failures=config.login_max_failures,
        lock_minutes=config.login_lock_minutes,
    )
    start_session(user)
    new_login()
    return LoginOut(user=UserOut.of(user)).model_dump(mode="json")


@bp.declare("post", "/auth/logout", Perm.SIGNED_IN, responses={200: OkOut})
def logout(ctx: Ctx) -> dict[str, object]:
    login_id = current_login()
    end_session()
    end_login(login_id)  # its sockets too, on every worker
    return {"ok": True}
