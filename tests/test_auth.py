from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY

from meetings.app import create_app
from meetings.config import Config
from meetings.db import transaction
from meetings.models import Unit, User
from meetings.services.accounts.login import hash_password, use_hashing
from tests.conftest import DEMO_PASSWORD, login, make_config, post, unique


def make_user(password: str = "Secret#2026") -> str:
    username = unique("u")
    with transaction() as s:
        unit = s.query(Unit).filter_by(code="35").one()
        s.add(
            User(
                username=username,
                full_name="Người Thử",
                password_hash=hash_password(password),
                unit_id=unit.id,
            )
        )
    return username


def test_login_and_logout(client: Any) -> None:
    user = login(client, "chair")
    assert user["username"] == "chair" and user["unit"]["code"] == "35"
    session = client.get("/api/session").get_json()
    assert session["authenticated"] is True and session["user"]["full_name"] == "Nguyễn Văn Chủ Trì"
    assert post(client, "/api/auth/logout").get_json() == {"ok": True}
    assert client.get("/api/session").get_json()["authenticated"] is False
    assert client.get("/api/units").status_code == 401


def test_session_cookie_flags(client: Any) -> None:
    response = post(client, "/api/auth/login", {"username": "chair", "password": DEMO_PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("phs_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # only behind TLS (BEHIND_TLS=1)


def test_unknown_user_and_wrong_password_look_the_same(client: Any) -> None:
    wrong_pw = post(client, "/api/auth/login", {"username": "chair", "password": "nope"})
    unknown = post(client, "/api/auth/login", {"username": "nobody-here", "password": "nope"})
    assert wrong_pw.status_code == unknown.status_code == 401
    assert wrong_pw.get_json() == unknown.get_json()
    assert wrong_pw.get_json()["error"]["code"] == "invalid_credentials"


def test_lockout_after_repeated_failures_then_unlock(client: Any) -> None:
    username = make_user()
    for _ in range(4):
        r = post(client, "/api/auth/login", {"username": username, "password": "bad"})
        assert r.status_code == 401
    fifth = post(client, "/api/auth/login", {"username": username, "password": "bad"})
    assert fifth.status_code == 423
    error = fifth.get_json()["error"]
    assert error["code"] == "account_locked"
    until = datetime.fromisoformat(error["details"]["locked_until"])
    assert 14 * 60 < (until - datetime.now(UTC)).total_seconds() <= 15 * 60
    assert "đến" in error["message"]
    # Even the right password is refused while locked, and no session starts.
    right = post(client, "/api/auth/login", {"username": username, "password": "Secret#2026"})
    assert right.status_code == 423
    assert client.get("/api/session").get_json()["authenticated"] is False
    # When the lock time has passed, the right password works again.
    with transaction() as s:
        user = s.query(User).filter_by(username=username).one()
        user.locked_until = datetime(2000, 1, 1, tzinfo=UTC)
    assert login(client, username, "Secret#2026")["username"] == username


def test_successful_login_resets_failure_count(client: Any) -> None:
    username = make_user()
    for _ in range(4):
        post(client, "/api/auth/login", {"username": username, "password": "bad"})
    login(client, username, "Secret#2026")
    post(client, "/api/auth/logout")
    for _ in range(4):
        assert (
            post(client, "/api/auth/login", {"username": username, "password": "bad"}).status_code
            == 401
        )


def test_tampered_session_cookie_is_anonymous(client: Any) -> None:
    login(client, "chair")
    client.set_cookie("phs_session", "eyJ1aWQiOjF9.forged.sig")
    assert client.get("/api/session").get_json()["authenticated"] is False


def test_unit_admin_creates_users_only_in_subtree(login_as: Any, client: Any) -> None:
    admin = login_as("secretary")  # the demo secretary administers the province unit
    units = admin.get("/api/units").get_json()["units"]
    commune = next(u for u in units if u["code"] == "13285")
    name = unique("new")
    created = post(
        admin,
        "/api/users",
        {
            "username": name,
            "full_name": "Cán bộ Xã",
            "password": "Password#1",
            "unit_id": commune["id"],
        },
    )
    assert created.status_code == 201, created.get_json()
    dup = post(
        admin,
        "/api/users",
        {"username": name, "full_name": "X", "password": "Password#1", "unit_id": commune["id"]},
    )
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "conflict"
    login(client, name, "Password#1")
    # A plain delegate cannot manage users at all.
    delegate = login_as("delegate01")
    r = post(
        delegate,
        "/api/users",
        {
            "username": unique("x"),
            "full_name": "X",
            "password": "Password#1",
            "unit_id": commune["id"],
        },
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "permission_denied"
    assert delegate.get("/api/users").status_code == 403


@pytest.fixture
def back_to_cheap_hashing() -> Iterator[None]:
    yield
    use_hashing(CHEAPEST)  # the other tests' apps set it again anyway; helpers may not


def stored_hash(username: str) -> str:
    with transaction() as s:
        return s.query(User).filter_by(username=username).one().password_hash


def test_production_hashing_and_rehash_of_cheap_hashes(
    seeded_url: str, tmp_path: Path, back_to_cheap_hashing: None
) -> None:
    create_app(make_config(tmp_path / "cheap", seeded_url))
    username = make_user()
    assert stored_hash(username).startswith("$argon2id$v=19$m=8,t=1,p=1$")
    # What a deployment gets: argon2id, 64 MiB, 3 passes, 4 lanes.
    env = {"INSTANCE_DIR": str(tmp_path / "prod"), "DATABASE_URL": seeded_url, "SECRET_KEY": "k"}
    config = Config.from_env(env, testing=True)
    assert config.password_hashing == RFC_9106_LOW_MEMORY
    production = create_app(config).test_client()
    assert hash_password("x").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    # A cheap hash still verifies, and the login redoes it at production cost.
    login(production, username, "Secret#2026")
    assert stored_hash(username).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    post(production, "/api/auth/logout")
    assert login(production, username, "Secret#2026")["username"] == username
