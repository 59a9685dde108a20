"""Shared by the meeting-room browser tests: a fresh meeting per test, layout checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

DELEGATES = [f"delegate{i:02d}" for i in range(1, 11)]
# The agenda and the candidates of the voting screens (test_voting.py, test_screens.py).
VOTING_AGENDA = [
    ("Khai mạc", "Chủ tọa", 5),
    ("Tờ trình về kế hoạch đầu tư công năm 2027", "Sở Tài chính", 25),
    ("Bầu bổ sung Ủy viên Ủy ban nhân dân tỉnh", "Thường trực HĐND", 20),
]
CANDIDATES = ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Quang Minh"]
_serial = count(1)


def csrf(context: Any) -> str:
    return str(context.request.get("/api/session").json()["csrf_token"])


def demo_meeting_id(context: Any) -> int:
    """The seeded "Phiên họp UBND tỉnh…" meeting, seen by the user signed in to context."""
    meetings = context.request.get("/api/meetings?scope=upcoming").json()["meetings"]
    demo = [m for m in meetings if m["title"].startswith("Phiên họp UBND tỉnh")] or meetings
    assert demo, "the demo meeting is missing"
    return int(demo[0]["id"])


def upload_pdf(page: Any, mid: int, pdf: Path) -> int:
    """Upload through REST as the page's user; the new document's id."""
    response = page.context.request.post(
        f"/api/meetings/{mid}/documents",
        multipart={
            "file": {"name": pdf.name, "mimeType": "application/pdf", "buffer": pdf.read_bytes()}
        },
        headers={"X-CSRFToken": csrf(page.context)},
        timeout=90_000,
    )
    assert response.ok, response.text()
    return int(response.json()["document"]["id"])


def schedule_meeting(
    new_context: Any,
    demo_password: str,
    *,
    title: str,
    room: str,
    agenda: list[tuple[str, str, int]],
    bridge: bool = False,
) -> dict[str, Any]:
    """A fresh meeting scheduled through REST by the secretary (a unit admin of the
    province): chair, secretary, ten delegates, the given agenda; with bridge=True also
    the demo bridge operator ("bridge") for its site."""
    context = new_context()
    response = context.request.post(
        "/api/auth/login",
        data={"username": "secretary", "password": demo_password},
        headers={"X-CSRFToken": csrf(context)},
    )
    assert response.ok, response.text()[:300]
    detail = context.request.get(f"/api/meetings/{demo_meeting_id(context)}").json()
    users = {p["username"]: p["user_id"] for p in detail["participants"]}
    operators = [
        {"user_id": p["user_id"], "role": "bridge_operator", "bridge_unit_id": p["bridge_unit_id"]}
        for p in detail["participants"]
        if bridge and p["username"] == "bridge"
    ]
    assert operators or not bridge, "the demo bridge operator is missing"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    body = {
        "title": f"{title} {next(_serial)}",
        "host_unit_id": detail["host_unit"]["id"],
        "room": room,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "participants": [
            {"user_id": users["chair"], "role": "chair"},
            {"user_id": users["secretary"], "role": "secretary"},
            *({"user_id": users[name], "role": "delegate"} for name in DELEGATES),
            *operators,
        ],
        "agenda": [
            {"title": item, "presenter": presenter, "planned_minutes": minutes}
            for item, presenter, minutes in agenda
        ],
    }
    response = context.request.post(
        "/api/meetings", data=body, headers={"X-CSRFToken": csrf(context)}
    )
    assert response.status == 201, response.text()[:500]
    meeting = dict(response.json())
    context.close()
    return meeting


@dataclass
class MeetingRoom:
    """A scheduled meeting (the `meeting_room` fixture) and its screens, each a signed-in page:
    the chair's console on a laptop, tablets, the secretary's projector."""

    id: int
    login_as: Callable[..., Any]
    meeting: dict[str, Any] = field(default_factory=dict)  # as scheduled, when it was

    def screen(self, username: str, screen: str, viewport: str, **login_kw: Any) -> Any:
        path = f"/meetings/{self.id}/{screen}"
        return self.login_as(username, path=path, viewport=viewport, **login_kw)

    def chair(self) -> Any:
        return self.screen("chair", "chair", "laptop")

    def tablet(self, username: str, viewport: str = "tablet", **login_kw: Any) -> Any:
        return self.screen(username, "tablet", viewport, **login_kw)

    def projector(self) -> Any:
        return self.screen("secretary", "projector", "projector")


def close_poll(card: Any) -> None:
    """Close the poll on the chair's card: the second tap confirms."""
    from playwright.sync_api import expect

    close = card.locator("[data-action=poll-close]")
    close.click()
    close.click()
    expect(card).to_have_attribute("data-status", "closed")


def small_targets(page: Any, minimum: int = 44) -> list[str]:
    return list(
        page.evaluate(
            """(min) => [...document.querySelectorAll('button, input, a[href], select, summary')]
                .filter((el) => el.offsetParent !== null && !el.closest('.app-header'))
                .filter((el) => !el.classList.contains('visually-hidden'))  // its label is
                .map((el) => ({el: el.outerHTML.slice(0, 90), r: el.getBoundingClientRect()}))
                .filter(({r}) => r.height < min || r.width < min)
                .map(({el, r}) => `${el} ${Math.round(r.width)}x${Math.round(r.height)}`)""",
            minimum,
        )
    )


def fits_without_scrolling(page: Any) -> None:
    size = page.evaluate(
        """() => {
            const root = document.documentElement;
            return {w: root.scrollWidth, h: root.scrollHeight, iw: innerWidth, ih: innerHeight};
        }"""
    )
    assert size["w"] <= size["iw"] and size["h"] <= size["ih"], size


def stray_literals(page: Any) -> list[str]:
    """Visible text that is a leaked JavaScript value ("null", "undefined", "NaN",
    "[object Object]"), e.g. from a native append() given null."""
    return list(
        page.evaluate(
            r"""() => {
                const bad = /(^|\s)(null|undefined|NaN|\[object Object\])(\s|$)/;
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                const out = [];
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    const el = n.parentElement;
                    if (!el || !el.checkVisibility() || !bad.test(n.textContent)) continue;
                    if (el.closest("input, textarea, script, style")) continue;
                    out.push(`${el.outerHTML.slice(0, 120)} → ${JSON.stringify(n.textContent)}`);
                }
                return out;
            }"""
        )
    )


def folds_without_mark(page: Any) -> list[str]:
    """Visible <summary> rows with no disclosure mark: neither the browser's marker nor a
    drawn ::before (a closed group then looks empty)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('details > summary')]
                .filter((s) => s.checkVisibility())
                .filter((s) => {
                    const cs = getComputedStyle(s);
                    const marker = cs.display === 'list-item' && cs.listStyleType !== 'none';
                    const before = getComputedStyle(s, '::before').content;
                    return !marker && ['none', 'normal', '""'].includes(before);
                })
                .map((s) => s.outerHTML.slice(0, 120))"""
        )
    )


def low_contrast(page: Any, selector: str, minimum: float = 4.5) -> list[str]:
    """Text under `selector` whose colour against its actual background (semi-transparent
    layers blended over the ancestors') has a WCAG contrast ratio under `minimum` (3 for
    large text)."""
    return list(
        page.evaluate(
            """([selector, minimum]) => {
                const parse = (c) => {
                    const m = c.match(/rgba?\\(([^)]+)\\)/);
                    if (!m) return null;
                    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
                    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
                };
                const over = (top, under) => {
                    const a = top[3];
                    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
                };
                const background = (el) => {
                    const layers = [];
                    for (let e = el; e; e = e.parentElement) {
                        const c = parse(getComputedStyle(e).backgroundColor);
                        if (c && c[3] > 0) layers.push(c);
                        if (c && c[3] >= 1) break;
                    }
                    let colour = [255, 255, 255, 1];
                    for (const layer of layers.reverse()) colour = over(layer, colour);
                    return colour;
                };
                const lum = (c) => {
                    const [r, g, b] = c.slice(0, 3).map((v) => {
                        const s = v / 255;
                        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
                    });
                    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                };
                const out = [];
                for (const root of document.querySelectorAll(selector)) {
                    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                        const el = n.parentElement;
                        if (!n.textContent.trim() || !el.checkVisibility()) continue;
                        const cs = getComputedStyle(el);
                        const bg = background(el);
                        const fg = over(parse(cs.color), bg);
                        const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
                        const ratio = (hi + 0.05) / (lo + 0.05);
                        const size = parseFloat(cs.fontSize);
                        const large = size >= 24 || (size >= 18.6 && Number(cs.fontWeight) >= 700);
                        if (ratio < (large ? Math.min(3, minimum) : minimum)) {
                            const text = n.textContent.trim().slice(0, 40);
                            out.push(`${el.className || el.tagName}: ${text}: ${ratio.toFixed(2)}`);
                        }
                    }
                }
                return out;
            }""",
            [selector, minimum],
        )
    )


def hidden_text(page: Any, selector: str) -> list[str]:
    """Text under `selector` that sticks out of it or lies under something else (the
    element at the middle of the text is neither it nor inside it)."""
    return list(
        page.evaluate(
            """(selector) => {
                const out = [];
                for (const root of document.querySelectorAll(selector)) {
                    if (!root.checkVisibility()) continue;
                    const box = root.getBoundingClientRect();
                    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                        const el = n.parentElement;
                        if (!n.textContent.trim() || !el.checkVisibility()) continue;
                        const range = document.createRange();
                        range.selectNodeContents(n);
                        const r = range.getBoundingClientRect();
                        if (!r.width || !r.height) continue;
                        const text = n.textContent.trim().slice(0, 40);
                        const name = `${el.className || el.tagName}: ${text}`;
                        if (r.left < box.left - 1 || r.right > box.right + 1) {
                            out.push(`${name} sticks out`);
                            continue;
                        }
                        const x = r.left + r.width / 2, y = r.top + r.height / 2;
                        if (y < 0 || y > innerHeight || x < 0 || x > innerWidth) continue;
                        const top = document.elementFromPoint(x, y);
                        if (top && top !== el && !el.contains(top) && !top.contains(el)) {
                            out.push(`${name} under ${top.className || top.tagName}`);
                        }
                    }
                }
                return out;
            }""",
            selector,
        )
    )
