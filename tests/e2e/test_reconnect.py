"""The connection status when the server goes away and comes back (a private server each)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def signed_in_then_server_stopped(
    make_live_server: Any, login_as: Any, username: str
) -> tuple[Any, Any]:
    """A private server, a page signed in and connected to it, then the server stopped."""
    server = make_live_server()
    page = login_as(username, base_url=server.url)
    expect(page.locator(".conn-pill")).to_have_text("Đã kết nối")
    server.stop()
    expect(page.locator(".conn-pill")).to_have_attribute(
        "data-state", "reconnecting", timeout=15_000
    )
    return server, page


def test_status_pill_follows_server_restart(
    make_live_server: Any,
    login_as: Any,
    js_errors: list[str],
    screenshot: Any,
) -> None:
    server, page = signed_in_then_server_stopped(make_live_server, login_as, "delegate04")
    expect(page.locator(".conn-pill")).to_have_text("Mất kết nối, đang thử lại…")
    screenshot(page, "home-reconnecting-tablet")

    server.start()
    expect(page.locator(".conn-pill")).to_have_text("Đã kết nối", timeout=20_000)
    assert js_errors == []


def test_expired_session_returns_to_login(
    make_live_server: Any,
    login_as: Any,
    js_errors: list[str],
    screenshot: Any,
) -> None:
    """A tablet whose session is gone when the server comes back lands on the login page."""
    server, page = signed_in_then_server_stopped(make_live_server, login_as, "delegate05")
    page.context.clear_cookies()
    server.start()
    page.wait_for_selector("[data-view=login]", timeout=30_000)
    expect(page.get_by_text("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-conn", "offline")
    screenshot(page, "login-expired-vi-tablet")
    assert js_errors == []
