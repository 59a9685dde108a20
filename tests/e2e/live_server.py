"""`python -m meetings` in a subprocess on a free port, with a fresh seeded SQLite database
(the e2e fixtures live_server and make_live_server start it)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest

from scripts.bench._server import free_port

ROOT = Path(__file__).resolve().parents[2]
UNITS_FILE = Path(os.environ.get("UNITS_FILE", "/work/shared/data/ha-nam-units-2023.json"))

# Environment the server inherits from ours; everything else is set explicitly.
_PASSTHROUGH = {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "VIRTUAL_ENV"}


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
