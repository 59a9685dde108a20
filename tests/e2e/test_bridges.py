"""Video bridges end to end: headless Chromium pages with fake cameras, a real web server
and a real media node (`python -m media`, loopback-only ICE).

Bridge A (district 1) sends 640x480, bridge B (district 2) 320x240, so the width a page
decodes in its main (on-air) slot tells which site is on air.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.bridge_operator import seed_bridge_b

ROOT = Path(__file__).resolve().parents[2]
MAIN_STATS = "async () => window.phsBridge ? await window.phsBridge.mainStats() : null"


@dataclass
class Bridges:
    url: str
    meeting_id: int
    unit_a: int
    unit_b: int
    node_log: Path
    restart_node: Callable[[], None]


@pytest.fixture
def bridges(make_live_server: Callable[..., Any], tmp_path: Path) -> Iterator[Bridges]:
    key = secrets.token_hex(16)
    recordings = tmp_path / "recordings"
    server = make_live_server({"MEDIA_NODE_KEY": key, "MEDIA_RECORDINGS_DIR": str(recordings)})
    seeded = seed_bridge_b(f"sqlite:///{server.workdir / 'e2e.db'}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIA_")}
    env.update(
        MEDIA_WEB_URL=server.url,
        MEDIA_NODE_KEY=key,
        MEDIA_NODE_ID="media-test",
        MEDIA_ICE_LOOPBACK_ONLY="1",
        MEDIA_RECORDINGS_DIR=str(recordings),
        MEDIA_STATS_INTERVAL="1",
        PYTHONUNBUFFERED="1",
    )
    node_log = tmp_path / "media.log"
    nodes: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        with node_log.open("ab") as log:
            nodes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "media"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def restart() -> None:
        nodes[-1].kill()  # a crash: no goodbye to web or the browsers
        nodes[-1].wait(timeout=10)
        start()

    start()
    try:
        yield Bridges(
            server.url, seeded.meeting_id, seeded.unit_a, seeded.unit_b, node_log, restart
        )
    finally:
        for node in nodes:
            node.terminate()
            try:
                node.wait(timeout=10)
            except subprocess.TimeoutExpired:
                node.kill()
        if os.environ.get("SHOW_MEDIA_LOG"):
            print(node_log.read_text(errors="replace")[-4000:])
            print(server.log_tail(80))


def _open_bridge(login_as: Callable[..., Any], b: Bridges, user: str, quality: str) -> Any:
    page = login_as(user, path=f"/meetings/{b.meeting_id}/bridge?quality={quality}", base_url=b.url)
    page.wait_for_selector(".bridge-link[data-state='link_connected']", timeout=20_000)
    return page


def _console_and_both_sites(login_as: Callable[..., Any], b: Bridges) -> tuple[Any, Any, Any]:
    """The chair's conference console once it sees the node, then site A's page sending
    medium and site B's sending low."""
    console = login_as("chair", path=f"/meetings/{b.meeting_id}/conference", base_url=b.url)
    console.wait_for_selector(".conf-node-badge[data-ok='1']", timeout=20_000)
    page_a = _open_bridge(login_as, b, "bridge", "medium")
    return console, page_a, _open_bridge(login_as, b, "bridgeb", "low")


def _decoding(page: Any, width: int, timeout_ms: int = 10_000) -> None:
    """Wait until the page's main slot decodes frames `width` pixels wide (polled in the
    page every 50 ms, so the measured time is not Playwright round trips)."""
    found = page.evaluate(
        """async ([width, timeout]) => {
          const end = performance.now() + timeout;
          while (performance.now() < end) {
            const s = window.phsBridge ? await window.phsBridge.mainStats() : null;
            if (s && s.frameWidth === width && s.framesDecoded > 0) return s;
            await new Promise((r) => setTimeout(r, 50));
          }
          return null;
        }""",
        [width, timeout_ms],
    )
    assert found, f"no {width}-pixel frames decoded within {timeout_ms} ms"


def _frames(page: Any) -> int:
    stats = page.evaluate(MAIN_STATS)
    return int(stats["framesDecoded"]) if stats else 0


def test_on_air_switch_and_request_to_speak(
    bridges: Bridges, login_as: Callable[..., Any], screenshot: Any, js_errors: list[str]
) -> None:
    b = bridges
    console, page_a, page_b = _console_and_both_sites(login_as, b)
    row_a = console.locator(f".conf-site[data-unit-id='{b.unit_a}']")
    row_b = console.locator(f".conf-site[data-unit-id='{b.unit_b}']")
    for row in (row_a, row_b):
        row.locator(".conf-status[data-state='connected']").wait_for(timeout=15_000)

    # The chair puts A on air: B decodes A's 640-pixel picture, and keeps decoding.
    row_a.locator(".conf-onair-btn").click()
    _decoding(page_b, 640)
    before = _frames(page_b)
    page_b.wait_for_timeout(1000)
    assert _frames(page_b) > before
    row_a.locator(".conf-status[data-state='on_air']").wait_for()
    page_b.wait_for_selector(f".bridge-main-video[data-on-air='{b.unit_a}']")

    # The chair switches to B: A decodes B's 320-pixel picture within 1.5 s.
    started = time.monotonic()
    row_b.locator(".conf-onair-btn").click()
    _decoding(page_a, 320, timeout_ms=5000)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, f"switch took {elapsed:.2f} s"
    before = _frames(page_a)
    page_a.wait_for_timeout(1000)
    assert _frames(page_a) > before

    # Link quality reaches the chair's panel (bitrate from the node, RTT from the site).
    row_b.locator(".conf-stats").filter(has_text="kbit/s").wait_for(timeout=15_000)
    screenshot(page_a, "bridge-a-sees-b")
    screenshot(console, "conference-console")

    # B asks to speak: the request appears in the chair's queue.
    page_b.locator(".bridge-speak-btn").click()
    page_b.wait_for_selector(".bridge-speak-btn[data-state='waiting']")
    chair = login_as("chair", path=f"/meetings/{b.meeting_id}/chair", base_url=b.url)
    chair.locator(".queue-row").filter(has_text="Cán bộ điểm cầu huyện B").wait_for(timeout=10_000)
    # The chair console carries the same conference panel (its "conference" slot).
    panel = chair.locator(".room-slot-conference .conf-panel")
    panel.locator(
        f".conf-site[data-unit-id='{b.unit_b}'] .conf-status[data-state='on_air']"
    ).wait_for()
    screenshot(chair, "chair-console-with-conference")
    screenshot(page_b, "bridge-b-requested")
    assert js_errors == []


def test_bridge_pages_rejoin_after_the_media_node_restarts(
    bridges: Bridges, login_as: Callable[..., Any], js_errors: list[str]
) -> None:
    b = bridges
    console, page_a, page_b = _console_and_both_sites(login_as, b)
    row_a = console.locator(f".conf-site[data-unit-id='{b.unit_a}']")
    row_a.locator(".conf-status[data-state='connected']").wait_for(timeout=15_000)
    row_a.locator(".conf-onair-btn").click()
    _decoding(page_b, 640)
    first_peer = page_b.evaluate("() => window.phsBridge.peerId")

    b.restart_node()
    # Web drops the lost sites; each page sees its site offline and joins again by itself,
    # and the chair's choice (A on air) is applied to the new node.
    page_b.wait_for_function(
        f"() => window.phsBridge && window.phsBridge.peerId && "
        f"window.phsBridge.peerId !== {first_peer!r}",
        timeout=40_000,
    )
    page_b.wait_for_selector(".bridge-link[data-state='link_connected']", timeout=20_000)
    page_a.wait_for_selector(".bridge-link[data-state='link_connected']", timeout=20_000)
    _decoding(page_b, 640, timeout_ms=15_000)
    row_a.locator(".conf-status[data-state='on_air']").wait_for(timeout=10_000)
    assert js_errors == []


def _audio_grows(page: Any, timeout_ms: int = 15_000) -> dict[str, int]:
    """Wait until the page's audio inbound-rtp counters grow by a second of Opus (50
    packets) between two getStats() samples; polled in the page."""
    found = page.evaluate(
        """async (timeout) => {
          const sample = async () => {
            const pc = window.phsBridge && window.phsBridge.pc;
            if (!pc) return { bytes: 0, packets: 0 };
            const total = { bytes: 0, packets: 0 };
            (await pc.getStats()).forEach((s) => {
              if (s.type === "inbound-rtp" && s.kind === "audio") {
                total.bytes += s.bytesReceived || 0;
                total.packets += s.packetsReceived || 0;
              }
            });
            return total;
          };
          const end = performance.now() + timeout;
          const first = await sample();
          while (performance.now() < end) {
            await new Promise((r) => setTimeout(r, 250));
            const now = await sample();
            if (now.packets - first.packets >= 50 && now.bytes > first.bytes) return now;
          }
          return null;
        }""",
        timeout_ms,
    )
    assert found, f"no audio received within {timeout_ms} ms"
    return dict(found)


def test_chair_room_hears_the_on_air_site_and_the_site_hears_the_chair_room(
    bridges: Bridges, login_as: Callable[..., Any], js_errors: list[str]
) -> None:
    b = bridges
    chair_room = _open_bridge(login_as, b, "chair", "low")
    page_a = _open_bridge(login_as, b, "bridge", "low")
    console = login_as("chair", path=f"/meetings/{b.meeting_id}/conference", base_url=b.url)
    row_a = console.locator(f".conf-site[data-unit-id='{b.unit_a}']")
    row_a.locator(".conf-status[data-state='connected']").wait_for(timeout=15_000)
    row_a.locator(".conf-onair-btn").click()
    row_a.locator(".conf-status[data-state='on_air']").wait_for(timeout=10_000)
    # The on-air site's microphone reaches the chair room (slot audio2), and the chair
    # room's reaches the site (audio1).
    _audio_grows(chair_room)
    _audio_grows(page_a)
    assert js_errors == []


# Each site name's words: a word drawn on more than one line was broken mid-word (the
# field report's "Tỉnh Hà Na/m"). Also the name's width, which must not be a sliver.
NAME_LAYOUT = """() => [
  ...document.querySelectorAll(".room-slot-conference .conf-site-name"),
].map((el) => {
  const text = el.firstChild;
  const broken = [];
  let at = 0;
  for (const word of el.textContent.split(" ")) {
    const range = document.createRange();
    range.setStart(text, at);
    range.setEnd(text, at + word.length);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size > 1) broken.push(word);
    at += word.length + 1;
  }
  return { name: el.textContent, width: el.getBoundingClientRect().width, broken };
})"""


def test_site_names_in_the_chair_console_do_not_wrap_letter_by_letter(
    login_as: Callable[..., Any], live_server: str, screenshot: Any, js_errors: list[str]
) -> None:
    chair = login_as("chair", viewport={"width": 1366, "height": 768})
    meetings = chair.evaluate("() => fetch('/api/meetings?scope=upcoming').then((r) => r.json())")
    demo = next(m for m in meetings["meetings"] if m["title"].startswith("Phiên họp UBND tỉnh"))
    chair.goto(f"{live_server}/#/meetings/{demo['id']}/chair")
    chair.locator(".room-slot-conference .conf-site").first.wait_for(timeout=15_000)
    chair.locator(".room-slot-conference .conf-site-name").last.scroll_into_view_if_needed()
    names = chair.evaluate(NAME_LAYOUT)
    assert len(names) >= 2, names
    for name in names:
        assert not name["broken"], name
        assert name["width"] >= 120, name
    screenshot(chair, "chair-console-bridges-1366")
    assert js_errors == []


def test_meeting_end_closes_the_bridge_page_and_tells_the_chair(
    bridges: Bridges, login_as: Callable[..., Any], screenshot: Any, js_errors: list[str]
) -> None:
    b = bridges
    page_a = _open_bridge(login_as, b, "bridge", "low")
    chair = login_as("chair", path=f"/meetings/{b.meeting_id}/chair", base_url=b.url)
    panel = chair.locator(".room-slot-conference .conf-panel")
    panel.locator(
        f".conf-site[data-unit-id='{b.unit_a}'] .conf-status[data-state='connected']"
    ).wait_for(timeout=15_000)
    peer = page_a.evaluate("() => window.phsBridge.peerId")

    end = chair.locator("[data-focus-key='end']")
    end.click()
    end.click()  # the second click confirms
    # The chair is told what the end closed, and that the conference ended.
    chair.locator(".toast").filter(has_text="Đã bế mạc cuộc họp.").wait_for(timeout=15_000)
    chair.locator(".toast").filter(has_text="Cầu truyền hình đã kết thúc").wait_for(timeout=15_000)
    panel.locator(".conf-onair-line").filter(has_text="Cuộc họp đã kết thúc").wait_for()

    # The bridge page says so, closes its link and camera, and does not try to rejoin.
    page_a.locator(".bridge-ended").filter(has_text="Cuộc họp đã kết thúc").wait_for(timeout=15_000)
    page_a.wait_for_selector(".bridge-link[data-state='link_ended']")
    assert page_a.evaluate("() => window.phsBridge.pc.connectionState") == "closed"
    assert page_a.evaluate("() => document.querySelector('.bridge-preview').srcObject") is None
    page_a.wait_for_timeout(3000)  # longer than the first rejoin back-off
    assert page_a.evaluate("() => window.phsBridge.peerId") == peer
    assert page_a.locator(".bridge-error").is_hidden()
    screenshot(page_a, "bridge-meeting-ended")
    screenshot(chair, "chair-meeting-ended")
    assert js_errors == []
