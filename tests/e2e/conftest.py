"""Shared fixtures for browser tests: a real server, one Chromium, one context per person.

    def test_something(login_as, screenshot):
        chair = login_as("chair")                       # logged-in Page at #/
        tablet = login_as("delegate01", path="/meetings/1/tablet", viewport=TABLET_PORTRAIT)
        chair.get_by_role("button", name="…").click()
        screenshot(chair, "chair-agenda")               # → $SHOTS_DIR/chair-agenda.png

Fixtures
    live_server   (session) base URL of `python -m meetings` on a free port, with a fresh
                  SQLite database, the Hà Nam units and the demo accounts (password
                  DEMO_PASSWORD). Its log: live_server_log (path); the tail is printed when a
                  test failed. Extra environment: override `live_server_env` (session) in
                  tests/e2e/conftest.py, or call start_live_server() (tests/e2e/live_server.py)
                  for a special server (e.g. LOGIN_MAX_FAILURES=2) and stop() it.
    browser       (session) headless Debian Chromium with the ARCHITECTURE §4 flags; the test
                  is skipped, with the reason shown, when /usr/bin/chromium is missing.
    new_context   factory: new_context(viewport="tablet", lang=None, **playwright_kw)
                  → BrowserContext on live_server (one per person), closed after the test.
                  viewport: "tablet" 1280x800, "portrait" 800x1280, "laptop" 1440x900,
                  "projector" 1920x1080, or a {"width", "height"} dict. lang: "vi"/"en"
                  preset for a fresh context (default: the app's default, Vietnamese).
    login_as      factory: login_as(username, password=DEMO_PASSWORD, *, path="/",
                  viewport="tablet", via="api"|"ui", lang=None, wait_connected=True,
                  **new_context_kwargs)
                  → Page signed in, showing #<path>, its Socket.IO connected
                  (html[data-conn=connected]). via="api" is fast; "ui" uses the form.
    meeting_room  factory: meeting_room(title, room, agenda, bridge=False) → MeetingRoom of a
                  fresh meeting (tests/e2e/room_helpers.py): .id, .meeting, .chair(),
                  .tablet(username, viewport="tablet"), .projector().
    make_live_server  factory: make_live_server(extra_env=None) → LiveServer (.url, .stop(),
                  .start() restarts on the same port and database); stopped after the test.
                  Use with new_context(base_url=server.url) / login_as(..., base_url=server.url).
    js_errors     list of uncaught page errors ("pageerror") from every page of new_context;
                  assert it is empty at the end of a test.
    ui_login      ui_login(page, username, password=DEMO_PASSWORD): fill + submit the form.
    demo_password "Demo@2026".
    screenshot    screenshot(page, name, full_page=False) → Path under $SHOTS_DIR (/tmp/shots).

Test modules should not import this conftest (pytest loads it; importing makes a second copy);
use the fixtures.

Every test under tests/e2e/ is marked `browser` automatically.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.live_server import LiveServer, start_live_server
from tests.e2e.room_helpers import MeetingRoom, schedule_meeting

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
SHOTS_DIR = Path(os.environ.get("SHOTS_DIR", "/tmp/shots"))

DEMO_PASSWORD = "Demo@2026"
DEMO_USERS = ["admin", "chair", "secretary", *[f"delegate{i:02d}" for i in range(1, 11)], "bridge"]

TABLET_LANDSCAPE = {"width": 1280, "height": 800}
TABLET_PORTRAIT = {"width": 800, "height": 1280}
LAPTOP = {"width": 1440, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
# new_context(viewport=...) and login_as(..., viewport=...) accept these names or a dict.
VIEWPORTS = {
    "tablet": TABLET_LANDSCAPE,
    "portrait": TABLET_PORTRAIT,
    "laptop": LAPTOP,
    "projector": PROJECTOR,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
    # Browser tests last: the session's sync Playwright keeps an event loop running in the
    # main thread, and asyncio.run() in later tests (tests/media, tests/conference) fails.
    items.sort(key=lambda item: here in Path(str(item.fspath)).parents)


# ---------------------------------------------------------------------------- server


@pytest.fixture(scope="session")
def live_server_env() -> dict[str, str]:
    """Extra environment for the shared server; override in a conftest to add settings."""
    return {}


@pytest.fixture(scope="session")
def live_server_instance(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    live_server_env: dict[str, str],
) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("live_server"), live_server_env)
    yield server
    server.stop()
    if request.session.testsfailed:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        text = f"server log: {server.log_path}\n{server.log_tail(80)}"
        if reporter is not None:
            reporter.write_sep("-", "live_server log tail")
            reporter.write_line(text)
        else:
            print(text, file=sys.stderr)


@pytest.fixture
def make_live_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LiveServer]]:
    """A private server for one test (restarts, special settings); stopped afterwards.

    server = make_live_server({"LOGIN_MAX_FAILURES": "2"}); login_as(..., base_url=server.url)
    """
    servers: list[LiveServer] = []

    def make(extra_env: dict[str, str] | None = None) -> LiveServer:
        server = start_live_server(tmp_path_factory.mktemp("private_server"), extra_env)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_server(live_server_instance: LiveServer) -> str:
    """Base URL, e.g. http://127.0.0.1:43121 (no trailing slash)."""
    return live_server_instance.url


@pytest.fixture(scope="session")
def live_server_log(live_server_instance: LiveServer) -> Path:
    return live_server_instance.log_path


# ---------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
            "Playwright's own browser download does not work here"
        )
    if not (ROOT / "webclient/node_modules/socket.io-client/dist").is_dir():
        pytest.fail("webclient/node_modules is missing: run `npm ci` in webclient/", pytrace=False)
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    except Exception:
        playwright.stop()
        raise
    yield launched
    launched.close()
    playwright.stop()


@pytest.fixture
def js_errors() -> list[str]:
    return []


@pytest.fixture
def new_context(
    browser: Any, live_server: str, js_errors: list[str]
) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def make(
        viewport: dict[str, int] | str | None = None, lang: str | None = None, **kwargs: Any
    ) -> Any:
        if isinstance(viewport, str):
            viewport = VIEWPORTS[viewport]
        options: dict[str, Any] = {
            "base_url": live_server,
            "viewport": viewport or TABLET_LANDSCAPE,
            "locale": "vi-VN",
            "timezone_id": "Asia/Ho_Chi_Minh",
        }
        options.update(kwargs)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        if lang:
            # Before the first page only: later switches in the page still persist normally.
            context.add_init_script(
                "if (!localStorage.getItem('phs.lang')) "
                f"localStorage.setItem('phs.lang', {json.dumps(lang)});"
            )

        def watch(page: Any) -> None:
            page.on("pageerror", lambda error: js_errors.append(f"{page.url}: {error}"))

        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


def api_login(context: Any, username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
    """Sign a BrowserContext in through the REST API (cookies are shared with its pages)."""
    session = context.request.get("/api/session").json()
    response = context.request.post(
        "/api/auth/login",
        data={"username": username, "password": password},
        headers={"X-CSRFToken": session["csrf_token"]},
    )
    assert response.ok, f"login {username}: HTTP {response.status} {response.text()[:300]}"
    return dict(response.json()["user"])


def ui_login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill and submit the real login form (page must show #/login)."""
    page.locator("#login-username").fill(username)
    page.locator("#login-password").fill(password)
    page.locator("form.login-form button[type=submit]").click()


@pytest.fixture(name="ui_login")
def ui_login_fixture() -> Callable[..., None]:
    """ui_login(page, username, password=DEMO_PASSWORD): fill and submit the login form."""
    return ui_login


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def login_as(new_context: Callable[..., Any]) -> Callable[..., Any]:
    def login(
        username: str,
        password: str = DEMO_PASSWORD,
        *,
        path: str = "/",
        viewport: dict[str, int] | str | None = None,
        via: str = "api",
        lang: str | None = None,
        wait_connected: bool = True,
        **context_kwargs: Any,
    ) -> Any:
        context = new_context(viewport=viewport, lang=lang, **context_kwargs)
        page = context.new_page()
        if via == "api":
            api_login(context, username, password)
            page.goto(f"/#{path}")
        else:
            page.goto(f"/#/login?next={quote(path, safe='/')}" if path != "/" else "/#/login")
            page.wait_for_selector("[data-view=login]")
            ui_login(page, username, password)
        page.wait_for_selector("html[data-ready='1']")
        page.wait_for_function("() => !location.hash.startsWith('#/login')", timeout=10_000)
        if wait_connected:
            page.wait_for_selector("html[data-conn='connected']", timeout=15_000)
        return page

    return login


@pytest.fixture
def meeting_room(new_context: Any, login_as: Any) -> Callable[..., MeetingRoom]:
    """meeting_room(title, room, agenda, bridge=False): a fresh meeting (schedule_meeting)."""

    def make(title: str, room: str, agenda: list[tuple[str, str, int]], **kw: Any) -> MeetingRoom:
        scheduled = schedule_meeting(
            new_context, DEMO_PASSWORD, title=title, room=room, agenda=agenda, **kw
        )
        return MeetingRoom(scheduled["id"], login_as, scheduled)

    return make


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, full_page: bool = False) -> Path:
        path = SHOTS_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
