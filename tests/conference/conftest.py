"""Conference tests: a real web server process and a real media node process on loopback.

def test_x(stack):            # Stack: .url, .meeting_id, .unit_a, .unit_b, restart_*()
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scripts.bench._server import free_port
from tests.bridge_operator import seed_bridge_b
from tests.conftest import DEMO_PASSWORD, UNITS_JSON

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    workdir: Path
    env: dict[str, str]
    port: int
    meeting_id: int = 0
    unit_a: int = 0
    unit_b: int = 0
    web: subprocess.Popen[bytes] | None = None
    node: subprocess.Popen[bytes] | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_web(self) -> None:
        log = (self.workdir / "web.log").open("ab")
        self.web = subprocess.Popen(
            [sys.executable, "-m", "meetings"], cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 60
        while True:
            assert self.web.poll() is None, self.tail("web.log")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, self.tail("web.log")
            time.sleep(0.2)

    def start_node(self) -> None:
        env = {k: v for k, v in self.env.items() if k not in ("PORT",)}
        env.update(
            MEDIA_WEB_URL=self.url,
            MEDIA_NODE_ID="media-test",
            MEDIA_ICE_LOOPBACK_ONLY="1",
            MEDIA_STATS_INTERVAL="1",
        )
        log = (self.workdir / "media.log").open("ab")
        self.node = subprocess.Popen(
            [sys.executable, "-m", "media"], cwd=ROOT, env=env, stdout=log, stderr=log
        )

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes] | None) -> None:
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def stop_web(self) -> None:
        self._stop(self.web)

    def stop_node(self, kill: bool = False) -> None:
        if kill and self.node is not None:
            self.node.kill()
            self.node.wait(timeout=10)
        self._stop(self.node)

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / name
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _prepare(stack: Stack) -> None:
    for args in (["units", "import", str(UNITS_JSON)], ["demo", "seed"]):
        done = subprocess.run(
            [sys.executable, "-m", "meetings", *args],
            cwd=ROOT,
            env=stack.env,
            capture_output=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]
    seeded = seed_bridge_b(stack.env["DATABASE_URL"])
    stack.meeting_id, stack.unit_a, stack.unit_b = seeded.meeting_id, seeded.unit_a, seeded.unit_b


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIA_", "TURN_"))}
    port = free_port()
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'conf.db'}",
        SECRET_KEY=secrets.token_hex(16),
        INSTANCE_DIR=str(tmp_path / "instance"),
        HOST="127.0.0.1",
        PORT=str(port),
        PYTHONUNBUFFERED="1",
        MEDIA_NODE_KEY=secrets.token_hex(16),
        MEDIA_RECORDINGS_DIR=str(tmp_path / "recordings"),
    )
    env.pop("REDIS_URL", None)
    s = Stack(workdir=tmp_path, env=env, port=port)
    _prepare(s)
    s.start_web()
    s.start_node()
    try:
        yield s
    finally:
        s.stop_node()
        s.stop_web()
        if os.environ.get("SHOW_STACK_LOGS"):
            print(s.tail("web.log", 80), s.tail("media.log", 80), sep="\n")


def login_cookie(base: str, username: str) -> str:
    import requests

    http = requests.Session()
    token = http.get(f"{base}/api/session", timeout=10).json()["csrf_token"]
    response = http.post(
        f"{base}/api/auth/login",
        json={"username": username, "password": DEMO_PASSWORD},
        headers={"X-CSRFToken": token},
        timeout=10,
    )
    response.raise_for_status()
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)
