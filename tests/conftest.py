"""Shared fixtures: an app on SQLite (and PostgreSQL when TEST_DATABASE_URL is set),
seeded once per session with the Hà Nam units and the demo accounts."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2.profiles import CHEAPEST
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

# Every event and ack is checked against its declared schema while tests run (servers the
# tests start in a subprocess inherit this and log violations at ERROR).
os.environ["CHECK_PAYLOADS"] = "1"

from meetings.app import create_app
from meetings.config import Config
from meetings.events import contract
from meetings.migrate import upgrade

contract.ENABLED = True

ROOT = Path(__file__).resolve().parent.parent
# Shared data sits next to the main checkout; a worktree elsewhere finds it by UNITS_FILE.
UNITS_JSON = Path(
    os.environ.get("UNITS_FILE")
    or next(
        (
            p
            for p in (ROOT.parent / "shared", Path("/work/shared"))
            if (p / "data" / "ha-nam-units-2023.json").exists()
        ),
        ROOT.parent / "shared",
    )
    / "data"
    / "ha-nam-units-2023.json"
)
DEMO_PASSWORD = "Demo@2026"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def fail_on_violations() -> None:
    """Fail the running test if a payload sent during it broke its declared schema."""
    found = contract.take_violations()
    if found:
        pytest.fail("payloads broke the protocol contract:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def payloads_match_their_schemas() -> Iterator[None]:
    contract.take_violations()  # not this test's
    yield
    fail_on_violations()


def reset_postgres(url: str) -> None:
    """Start from an empty schema, so migrations are tested from nothing."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_config(tmp: Path, database_url: str, **overrides: Any) -> Config:
    env = {"INSTANCE_DIR": str(tmp), "DATABASE_URL": database_url, "SECRET_KEY": "test-secret"}
    # argon2's test profile: a login costs microseconds instead of 0.15 s (test_auth.py
    # checks the production parameters).
    overrides.setdefault("password_hashing", CHEAPEST)
    return Config.from_env(env, testing=True, **overrides)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def seeded_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    from meetings.demo import seed_demo
    from meetings.services.accounts.units import import_units

    app = create_app(make_config(tmp_path_factory.mktemp("seed"), database_url))
    with app.app_context():
        import_units(UNITS_JSON)
        seed_demo()
    return database_url


@pytest.fixture
def app(seeded_url: str, tmp_path: Path) -> Iterator[Any]:
    # No app context is held open here: requests must each get their own `g`.
    yield create_app(make_config(tmp_path, seeded_url))


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient) -> str:
    token: str = client.get("/api/session").get_json()["csrf_token"]
    return token


def post(client: FlaskClient, url: str, json: Any = None, **kw: Any) -> Any:
    return client.post(url, json=json, headers={"X-CSRFToken": csrf_token(client)}, **kw)


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> Any:
    response = post(client, "/api/auth/login", {"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["user"]


_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{os.getpid()}x{next(_counter)}"


@pytest.fixture
def login_as(app: Any) -> Any:
    """login_as("chair") -> a test client signed in as that demo user."""

    def make(username: str, password: str = DEMO_PASSWORD) -> FlaskClient:
        c = app.test_client()
        login(c, username, password)
        return c

    return make


@pytest.fixture
def socket_for(app: Any, login_as: Any) -> Any:
    """socket_for("delegate01") -> a connected Socket.IO test client for that user."""
    from meetings.extensions import socketio

    clients: list[Any] = []

    def make(username: str) -> Any:
        sc = socketio.test_client(app, flask_test_client=login_as(username))
        assert sc.is_connected()
        clients.append(sc)
        return sc

    yield make
    for sc in clients:
        if sc.is_connected():
            sc.disconnect()
