"""Start real `python -m meetings` server processes for benchmarks and multi-worker tests.

    db_url = fresh_postgres("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", "bench_x")
    prepare_database(db_url, workdir)            # migrate, import units, seed demo
    with running(2, database_url=db_url, redis_url="redis://127.0.0.1:6379/0",
                 workdir=workdir) as servers:
        servers[0].url, servers[1].url ...       # http://127.0.0.1:<port>
        servers[0].pid                           # for CPU / RSS sampling

Each process gets its own INSTANCE_DIR under `workdir` and a shared SECRET_KEY, so a
session cookie from one worker is valid on the other. Output goes to `<instance>/server.log`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UNITS_JSON = ROOT.parent / "shared" / "data" / "ha-nam-units-2023.json"
SECRET_KEY = "bench-shared-secret"


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    instance_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def log(self) -> Path:
        return self.instance_dir / "server.log"


def stop_process(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Ask it to stop; after `timeout` seconds, kill it."""
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(
    database_url: str, redis_url: str | None, instance_dir: Path, port: int = 0
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        INSTANCE_DIR=str(instance_dir),
        HOST="127.0.0.1",
        PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def fresh_postgres(server_url: str, name: str) -> str:
    """(Re)create database `name` on the server of `server_url`; return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def prepare_database(database_url: str, workdir: Path) -> None:
    """Migrate (once, before workers race to do it), import the units, seed the demo."""
    instance = workdir / "prepare"
    instance.mkdir(parents=True, exist_ok=True)
    env = _env(database_url, None, instance)
    for args in (["units", "import", str(UNITS_JSON)], ["demo", "seed"]):
        done = subprocess.run(
            [sys.executable, "-m", "meetings", *args], cwd=ROOT, env=env, capture_output=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"meetings {' '.join(args)} failed:\n{done.stderr.decode()[-2000:]}")


def wait_healthy(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited: see {server.log}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{server.url} not healthy after {timeout}s: see {server.log}")


def start_servers(
    n: int,
    *,
    database_url: str,
    redis_url: str | None,
    workdir: Path,
    extra_env: dict[str, str] | None = None,
) -> list[Server]:
    servers: list[Server] = []
    try:
        for i in range(n):
            instance = workdir / f"worker{i}"
            instance.mkdir(parents=True, exist_ok=True)
            port = free_port()
            env = {**_env(database_url, redis_url, instance, port), **(extra_env or {})}
            log = (instance / "server.log").open("wb")
            proc = subprocess.Popen(
                [sys.executable, "-m", "meetings", "serve"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            servers.append(Server(proc, port, instance))
        for server in servers:
            wait_healthy(server)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        if server.proc.poll() is None:
            server.proc.terminate()
    for server in servers:
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


@contextmanager
def running(
    n: int,
    *,
    database_url: str,
    redis_url: str | None,
    workdir: Path,
    extra_env: dict[str, str] | None = None,
) -> Iterator[list[Server]]:
    servers = start_servers(
        n, database_url=database_url, redis_url=redis_url, workdir=workdir, extra_env=extra_env
    )
    try:
        yield servers
    finally:
        stop_servers(servers)
