"""The web client's frame: login page, app shell, language switch, connection status."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

TABLET_LANDSCAPE = "tablet"
TABLET_PORTRAIT = "portrait"
LAPTOP = "laptop"

SOCKET_PROBE = """
async () => {
  const { io } = await import("/vendor/socket.io-client/dist/socket.io.esm.min.js");
  return await new Promise((resolve) => {
    const s = io({ path: "/socket.io", transports: ["websocket", "polling"],
                   tryAllTransports: true, reconnection: false, forceNew: true });
    const done = (result) => { s.disconnect(); resolve(result); };
    s.on("connect", () => done("connected"));
    s.on("connect_error", (e) => done("refused: " + e.message));
    setTimeout(() => done("timeout"), 8000);
  });
}
"""


def session_of(page: Any) -> dict[str, Any]:
    return dict(page.request.get("/api/session").json())


def open_login(new_context: Any, viewport: str = TABLET_LANDSCAPE) -> Any:
    page = new_context(viewport=viewport).new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"#/login$"))
    page.wait_for_selector("[data-view=login]")
    return page


def assert_fits(page: Any) -> None:
    """No sideways scrolling, and every control is a comfortable touch target."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input, a[href], select')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => ({el: el.outerHTML.slice(0, 80), r: el.getBoundingClientRect()}))
            .filter(({r}) => r.height < 44 || r.width < 44)
            .map(({el, r}) => `${el} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert small == [], small


def test_login_shell_language_reload_and_sign_out(
    new_context: Any,
    js_errors: list[str],
    screenshot: Any,
    ui_login: Any,
    demo_password: str,
) -> None:
    page = open_login(new_context)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("html")).to_have_attribute("data-conn", "offline")
    expect(page.locator(".login-title")).to_have_text("Phòng họp số")
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    expect(page.get_by_label("Mật khẩu", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    expect(page).to_have_title("Đăng nhập · Phòng họp số")
    screenshot(page, "login-vi-tablet")

    # Show / hide the password.
    page.get_by_label("Mật khẩu", exact=True).fill("bí mật")
    page.get_by_role("button", name="Hiện mật khẩu").click()
    expect(page.locator("#login-password")).to_have_attribute("type", "text")
    page.get_by_role("button", name="Ẩn mật khẩu").click()
    expect(page.locator("#login-password")).to_have_attribute("type", "password")

    ui_login(page, "delegate01", demo_password)
    page.wait_for_selector("[data-view=home]")
    expect(page).to_have_url(re.compile(r"#/$"))
    user = session_of(page)["user"]
    name = user["full_name"]
    unit = user["unit"]["name"] if user["unit"] else None
    header = page.locator(".app-header")
    expect(header.locator(".brand-name")).to_have_text("Phòng họp số")
    expect(header.locator(".user-name")).to_have_text(name)
    if unit:
        expect(header.locator(".user-unit")).to_have_text(unit)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào, {name}")
    expect(page.get_by_role("heading", name="Cuộc họp của tôi")).to_be_visible()
    # delegate01 takes part in the demo meeting: "my meetings" lists it (test_meeting_room.py).
    expect(page.locator("[data-section=my-meetings] .meeting-card").first).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.locator(".conn-pill")).to_have_text("Đã kết nối")
    expect(page).to_have_title("Trang chủ · Phòng họp số")
    expect(page.get_by_role("button", name="Tiếng Việt")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "home-vi-tablet")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")
    expect(page.get_by_role("heading", name="My meetings")).to_be_visible()
    join = page.locator("[data-section=my-meetings] [data-action=tablet]").first
    expect(join).to_have_text("Join")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator(".conn-pill")).to_have_text("Connected")
    expect(page.locator(".brand-name")).to_have_text("Digital Meeting Room")
    expect(page).to_have_title("Home · Digital Meeting Room")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "home-en-tablet")

    page.reload()
    page.wait_for_selector("[data-view=home]")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")
    expect(page.locator(".conn-pill")).to_have_text("Connected")
    assert page.evaluate("localStorage.getItem('phs.lang')") == "en"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("[data-view=login]")
    expect(page).to_have_url(re.compile(r"#/login\?reason=signed_out$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-conn", "offline")
    assert session_of(page)["authenticated"] is False

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()

    # Back button after sign-out must not show the shell.
    page.goto("/#/")
    page.wait_for_selector("[data-view=login]")
    assert js_errors == []


def test_wrong_credentials_show_one_message(
    new_context: Any,
    js_errors: list[str],
    screenshot: Any,
    ui_login: Any,
) -> None:
    page = open_login(new_context, TABLET_PORTRAIT)
    message = "Tên đăng nhập hoặc mật khẩu không đúng."

    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#login-error")).to_have_text("Vui lòng nhập tên đăng nhập và mật khẩu.")

    ui_login(page, "delegate10", "sai-mat-khau")
    expect(page.locator("#login-error")).to_have_text(message)
    expect(page.locator("#login-password")).to_have_value("")
    expect(page.locator("#login-username")).to_have_value("delegate10")
    screenshot(page, "login-error-vi-portrait")

    ui_login(page, "khong-ton-tai", "sai-mat-khau")
    expect(page.locator("#login-error")).to_have_text(message)
    expect(page).to_have_url(re.compile(r"#/login$"))

    page.get_by_role("button", name="English").click()
    expect(page.locator("#login-error")).to_have_text("Incorrect username or password.")
    # The server never leaks HTML or its own wording into the page.
    assert "<" not in page.locator("#login-error").inner_text()
    assert js_errors == []


def test_locked_account_shows_until_when(
    new_context: Any,
    js_errors: list[str],
    screenshot: Any,
    ui_login: Any,
) -> None:
    page = open_login(new_context)
    body = {
        "error": {
            "code": "account_locked",
            "message": "locked",
            "details": {"locked_until": "2026-11-30T10:00:00+00:00"},
        }
    }
    page.route(
        "**/api/auth/login",
        lambda route: route.fulfill(
            status=423, content_type="application/json", body=json.dumps(body)
        ),
    )
    ui_login(page, "delegate09", "whatever")
    error = page.locator("#login-error")
    expect(error).to_contain_text("tạm thời bị khóa")
    expect(error).to_contain_text("thử lại sau 17:00 ngày 30/11/2026")  # Vietnam time
    screenshot(page, "login-locked-vi-tablet")
    page.get_by_role("button", name="English").click()
    expect(error).to_contain_text("temporarily locked")
    expect(error).to_contain_text("try again after 17:00 on 30/11/2026")


def test_server_error_page_is_never_shown_raw(
    new_context: Any,
    js_errors: list[str],
    ui_login: Any,
) -> None:
    page = open_login(new_context)
    page.route(
        "**/api/auth/login",
        lambda route: route.fulfill(
            status=502, content_type="text/html", body="<html><h1>Bad Gateway</h1></html>"
        ),
    )
    ui_login(page, "delegate09", "whatever")
    expect(page.locator("#login-error")).to_have_text(
        "Hệ thống đang bận hoặc bảo trì. Vui lòng thử lại sau."
    )


def test_socket_refused_until_signed_in(
    new_context: Any,
    js_errors: list[str],
    ui_login: Any,
    demo_password: str,
) -> None:
    page = open_login(new_context)
    assert page.evaluate(SOCKET_PROBE).startswith("refused")
    expect(page.locator("html")).to_have_attribute("data-conn", "offline")

    ui_login(page, "delegate02", demo_password)
    page.wait_for_selector("[data-view=home]")
    expect(page.locator(".conn-pill")).to_have_text("Đã kết nối")
    expect(page.locator(".conn-pill")).to_have_attribute("data-state", "connected")
    assert page.evaluate(SOCKET_PROBE) == "connected"
    assert js_errors == []


# WebSockets that fail before opening, like behind a proxy that refuses the upgrade.
BLOCK_WEBSOCKETS = """
window.WebSocket = class BlockedWebSocket extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.readyState = 0;
    setTimeout(() => {
      this.readyState = 3;
      if (this.onerror) this.onerror(new Event("error"));
      if (this.onclose) this.onclose({ code: 1006, reason: "", wasClean: false });
    }, 20);
  }
  send() {}
  close() {}
};
"""
TRANSPORT = "async () => (await import('/static/js/socket.js')).transportName()"


def test_socket_prefers_websocket_and_falls_back_to_polling(
    new_context: Any, login_as: Any, ui_login: Any, js_errors: list[str]
) -> None:
    page = login_as("delegate06")
    assert page.evaluate(TRANSPORT) == "websocket"

    # A network that blocks WebSockets (some proxies do): long-polling takes over.
    context = new_context()
    context.add_init_script(BLOCK_WEBSOCKETS)
    blocked = context.new_page()
    blocked.goto("/#/login")
    blocked.wait_for_selector("[data-view=login]")
    ui_login(blocked, "delegate07")
    blocked.wait_for_selector("[data-view=home]")
    expect(blocked.locator(".conn-pill")).to_have_text("Đã kết nối", timeout=20_000)
    assert blocked.evaluate(TRANSPORT) == "polling"
    assert js_errors == []


def test_deep_link_survives_login(
    new_context: Any,
    js_errors: list[str],
    ui_login: Any,
    demo_password: str,
) -> None:
    page = new_context().new_page()
    page.goto("/#/khong-co-trang-nay")
    page.wait_for_selector("[data-view=login]")
    expect(page).to_have_url(re.compile(r"#/login\?next=%2Fkhong-co-trang-nay$"))
    ui_login(page, "delegate03", demo_password)
    page.wait_for_selector("[data-view=not-found]")
    expect(page).to_have_url(re.compile(r"#/khong-co-trang-nay$"))
    expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    page.get_by_role("link", name="Về trang chủ").click()
    page.wait_for_selector("[data-view=home]")
    assert js_errors == []


@pytest.mark.parametrize(
    ("label", "viewport"),
    [("laptop", LAPTOP), ("tablet", TABLET_LANDSCAPE), ("portrait", TABLET_PORTRAIT)],
)
def test_layout_fits_each_screen(
    label: str,
    viewport: str,
    new_context: Any,
    login_as: Any,
    js_errors: list[str],
    screenshot: Any,
) -> None:
    page = open_login(new_context, viewport)
    assert_fits(page)
    screenshot(page, f"login-vi-{label}")

    home = login_as("secretary", viewport=viewport)
    home.wait_for_selector("[data-view=home]")
    assert_fits(home)
    screenshot(home, f"home-vi-{label}")
    home.get_by_role("button", name="English").click()
    expect(home.get_by_role("button", name="Sign out")).to_be_visible()
    assert_fits(home)
    screenshot(home, f"home-en-{label}")
    assert js_errors == []


WEBCLIENT = Path(__file__).resolve().parents[2] / "webclient"
ROOT = WEBCLIENT.parent
KEY_USE = re.compile(
    r"""(?:\bt\(|setI18n\([^,()]+,|\bi18n:|titleKey:|labelKey:|toast\()\s*"([a-z_]+(?:\.[a-z0-9_]+)+)\""""
)


def test_catalogs_match_and_cover_the_code() -> None:
    """vi and en have the same keys, and every literal key used in the client exists."""
    vi = json.loads((WEBCLIENT / "i18n" / "vi.json").read_text())
    en = json.loads((WEBCLIENT / "i18n" / "en.json").read_text())
    assert set(vi) ^ set(en) == set()
    assert all(isinstance(v, str) and v.strip() for v in [*vi.values(), *en.values()])
    used: set[str] = set()
    for path in [*WEBCLIENT.glob("js/**/*.js"), WEBCLIENT / "index.html"]:
        text = re.sub(r"/\*.*?\*/|^\s*//[^\n]*", "", path.read_text(), flags=re.S | re.M)
        used.update(KEY_USE.findall(text))
        used.update(re.findall(r'data-i18n="([^"]+)"', text))
        for block in re.findall(r"i18nAttr:\s*\{([^}]*)\}", text):
            used.update(re.findall(r'"([a-z_]+(?:\.[a-z0-9_]+)+)"', block))
    assert len(used) > 25
    assert sorted(used - set(vi)) == []


# Tone mark at the end of "oa", "oe", "uy" syllables: one spelling everywhere, the modern
# official one ("hủy", "xóa", "hòa"), not the old one ("huỷ", "xoá", "hoà"). "quý" is
# the same in both ("qu" is one consonant).
OLD_TONE_PLACEMENT = re.compile(r"(?<![qQ])(?:[oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?!\w)")


def test_one_spelling_of_huy_xoa_hoa() -> None:
    assert OLD_TONE_PLACEMENT.findall("Huỷ xoá HOÀ huỷ") == ["uỷ", "oá", "OÀ", "uỷ"]
    assert OLD_TONE_PLACEMENT.findall("Hủy xóa hòa quý hoàn toán thuyết") == []
    sources = [
        *(WEBCLIENT / "i18n").glob("*.json"),
        *WEBCLIENT.glob("js/**/*.js"),
        WEBCLIENT / "index.html",
        # The poll commands' messages and docs reach users too.
        ROOT / "meetings/realtime/polls.py",
        ROOT / "meetings/services/voting/polls.py",
    ]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OLD_TONE_PLACEMENT.search(line)
    ]
    assert found == []
