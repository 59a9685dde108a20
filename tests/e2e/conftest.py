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
                  tests/e2e/conftest.py, or call start_live_server() yourself for a special
                  server (e.g. LOGIN_MAX_FAILURES=2) and stop() it.
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
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import quote
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS_FILE = Path(os.environ.get("UNITS_FILE", "/work/shared/data/ha-nam-units-2023.json"))
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

# Environment the server inherits from ours; everything else is set explicitly.
_PASSTHROUGH = {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "VIRTUAL_ENV"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
    # Browser tests last: the session's sync Playwright keeps an event loop running in the
    # main thread, and asyncio.run() in later tests (tests/media, tests/conference) fails.
    items.sort(key=lambda item: here in Path(str(item.fspath)).parents)


# ---------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class LiveServer:
    url: str
    port: int
    workdir: Path
    log_path: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log_path, lines)

    def start(self, timeout: float = 60) -> None:
        """Start (or restart, same port, same database) and wait for /healthz."""
        with self.log_path.open("ab") as log:
            log.write(b"$ python -m meetings\n")
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "meetings"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                pytest.fail(
                    f"the server exited with {self.process.returncode}\n{self.log_tail()}",
                    pytrace=False,
                )
            try:
                with urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"/healthz not ready after {timeout} s\n{self.log_tail()}", pytrace=False
                )
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_live_server(
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    *,
    seed: bool = True,
    timeout: float = 60,
) -> LiveServer:
    """Prepare a database in workdir, seed it, start the server, wait for /healthz."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k in _PASSTHROUGH or k.startswith("TEST_")}
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'e2e.db'}",
        SECRET_KEY=secrets.token_hex(16),
        PORT=str(port),
        HOST="127.0.0.1",
        INSTANCE_DIR=str(workdir / "instance"),
        DOCUMENTS_DIR=str(workdir / "docs"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    log_path = workdir / "server.log"
    server = LiveServer(f"http://127.0.0.1:{port}", port, workdir, log_path, env)

    with log_path.open("ab") as log:
        if seed:
            for args in (["units", "import", str(UNITS_FILE)], ["demo", "seed"]):
                log.write(f"$ python -m meetings {' '.join(args)}\n".encode())
                log.flush()
                done = subprocess.run(
                    [sys.executable, "-m", "meetings", *args],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=120,
                )
                if done.returncode != 0:
                    pytest.fail(
                        f"python -m meetings {' '.join(args)} exited {done.returncode}\n"
                        f"{_tail(log_path)}",
                        pytrace=False,
                    )
    server.start(timeout)
    return server


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
def screenshot() -> Callable[..., Path]:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, full_page: bool = False) -> Path:
        path = SHOTS_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
