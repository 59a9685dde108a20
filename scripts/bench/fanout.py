"""Fan-out benchmark: N tablets in one meeting, the chair moves the agenda M times.

    .venv/bin/python scripts/bench/fanout.py                  # N=500, one worker + two workers
    .venv/bin/python scripts/bench/fanout.py --clients 100 --moves 10 --no-two-workers

Tablets are python-socketio asyncio clients over real websockets, all in this process.
Latency is measured from just before the chair sends `agenda.next`/`agenda.previous` to
each tablet's receipt of the `agenda.updated` event carrying that version, so it includes
validation, the database commit, the emit and (two workers) the hop through Redis.
One worker runs on SQLite (the default deployment); two workers need PostgreSQL and Redis.
Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import socketio
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from meetings.models import Meeting, Unit, User
from scripts.bench._seed import add_delegates, session_cookie
from scripts.bench._server import (
    Server,
    fresh_postgres,
    prepare_database,
    running,
)

TARGET_P99_MS = 150.0
TARGET_RSS_MB = 300.0


def add_tablet_users(database_url: str, n: int) -> tuple[int, list[int], int]:
    """Create n delegates in the demo meeting; return (meeting id, their ids, chair id)."""
    engine = create_engine(database_url)
    with Session(engine) as s, s.begin():
        meeting = s.scalar(select(Meeting).where(Meeting.title.like("Phiên họp UBND tỉnh%")))
        chair = s.scalar(select(User).where(User.username == "chair"))
        province = s.scalar(select(Unit).where(Unit.depth == 0))
        assert meeting and chair and province
        users = add_delegates(s, meeting.id, province.id, "tablet", n)
        result = meeting.id, [u.id for u in users], chair.id
    engine.dispose()
    return result


class PeakSampler:
    """Samples CPU time and RSS of the server processes every 50 ms in a thread."""

    def __init__(self, pids: list[int]) -> None:
        self.procs = [psutil.Process(p) for p in pids]
        self.peak_rss = [0] * len(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for i, proc in enumerate(self.procs):
                self.peak_rss[i] = max(self.peak_rss[i], proc.memory_info().rss)
            self._stop.wait(0.05)

    def cpu_seconds(self) -> float:
        return float(sum(p.cpu_times().user + p.cpu_times().system for p in self.procs))

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu_pct: float = 0.0
    rss_mb: float = 0.0
    connect_s: float = 0.0
    ack_ms: list[float] = field(default_factory=list)  # chair's command round trip
    first_ms: list[float] = field(default_factory=list)  # first tablet to hear of a move

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        return round(data[min(len(data) - 1, int(q / 100 * len(data)))], 1)


DEFLATE = {"compress": 0}  # --deflate: offer permessage-deflate as browsers do


async def _connect(
    url: str, cookie: str, on_event: Callable[[dict[str, Any]], Awaitable[None]]
) -> Any:
    sio = socketio.AsyncClient(reconnection=False, websocket_extra_options=dict(DEFLATE))
    sio.on("agenda.updated", on_event)
    await sio.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)
    return sio


async def drive(
    urls: list[str], meeting_id: int, tablet_ids: list[int], chair_id: int, moves: int
) -> Run:
    run = Run()
    arrivals: dict[int, list[float]] = {}  # version -> receipt times at the tablets
    arrived = asyncio.Event()

    def record(envelope: dict[str, Any]) -> None:
        arrivals.setdefault(envelope["version"], []).append(time.perf_counter())
        arrived.set()

    async def tablet_handler(envelope: dict[str, Any]) -> None:
        record(envelope)

    gate = asyncio.Semaphore(25)  # like tablets arriving, not one thundering herd

    async def join(i: int, user_id: int) -> Any:
        async with gate:
            try:
                sio = await _connect(urls[i % len(urls)], session_cookie(user_id), tablet_handler)
                ack = await sio.call("meeting.join", {"meeting_id": meeting_id}, timeout=60)
                if not ack.get("ok"):
                    run.errors.append(f"join: {ack}")
                return sio
            except Exception as exc:
                run.errors.append(f"connect: {type(exc).__name__}: {exc}")
                return None

    started = time.perf_counter()
    tablets = await asyncio.gather(*(join(i, uid) for i, uid in enumerate(tablet_ids)))
    run.connect_s = time.perf_counter() - started

    async def ignore(_envelope: dict[str, Any]) -> None:
        return None

    chair = await _connect(urls[0], session_cookie(chair_id), ignore)
    listening = sum(1 for t in tablets if t is not None)
    ack = await chair.call("meeting.start", {"meeting_id": meeting_id}, timeout=30)
    if not ack.get("ok"):
        run.errors.append(f"meeting.start: {ack}")
    await asyncio.sleep(1.0)
    for move in range(moves):
        name = "agenda.next" if move % 2 == 0 else "agenda.previous"
        before = max(arrivals, default=0)
        sent = time.perf_counter()
        ack = await chair.call(name, {"meeting_id": meeting_id}, timeout=30)
        run.ack_ms.append((time.perf_counter() - sent) * 1000)
        if not ack.get("ok"):
            run.errors.append(f"{name}: {ack}")
            continue
        deadline = time.perf_counter() + 5.0
        while time.perf_counter() < deadline:
            newest = max(arrivals, default=0)
            if newest > before and len(arrivals[newest]) >= listening:
                break
            arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), timeout=0.5)
        newest = max(arrivals, default=0)
        got = arrivals[newest] if newest > before else []
        run.latencies_ms.extend((t - sent) * 1000 for t in got)
        if got:
            run.first_ms.append((min(got) - sent) * 1000)
        if len(got) < listening:
            run.errors.append(f"move {move}: {listening - len(got)} tablets missed it")
        await asyncio.sleep(0.2)
    await chair.disconnect()
    await asyncio.gather(*(t.disconnect() for t in tablets if t is not None))
    return run


def bench(
    workers: int,
    database_url: str,
    redis_url: str | None,
    workdir: Path,
    clients: int,
    moves: int,
) -> Run:
    prepare_database(database_url, workdir)
    meeting_id, tablet_ids, chair_id = add_tablet_users(database_url, clients)
    with running(workers, database_url=database_url, redis_url=redis_url, workdir=workdir) as srv:
        servers: list[Server] = srv
        with PeakSampler([s.pid for s in servers]) as sampler:
            cpu_before, wall_before = sampler.cpu_seconds(), time.perf_counter()
            run = asyncio.run(
                drive([s.url for s in servers], meeting_id, tablet_ids, chair_id, moves)
            )
            cpu = sampler.cpu_seconds() - cpu_before
            run.cpu_pct = round(100 * cpu / (time.perf_counter() - wall_before), 1)
        run.rss_mb = round(max(sampler.peak_rss) / 2**20, 1)
    return run


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--no-two-workers", action="store_true")
    parser.add_argument(
        "--pg-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to create the database bench_fanout on",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--deflate",
        action="store_true",
        help="tablets offer permessage-deflate (browsers do; the server then compresses "
        "every event once per connection)",
    )
    args = parser.parse_args()
    if args.deflate:
        DEFLATE["compress"] = 15

    rows: list[tuple[str, Run]] = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        Path(tmp, "one").mkdir()
        one = bench(
            1, f"sqlite:///{tmp}/one/bench.db", None, Path(tmp) / "one", args.clients, args.moves
        )
        rows.append(("1 worker, SQLite", one))
        two: Run | None = None
        if not args.no_two_workers:
            try:
                db_url = fresh_postgres(args.pg_url, "bench_fanout")
            except Exception as exc:  # no PostgreSQL here: report the single-worker figures
                print(f"two workers skipped: {exc}", file=sys.stderr)
            else:
                two = bench(2, db_url, args.redis_url, Path(tmp) / "two", args.clients, args.moves)
                rows.append(("2 workers, PostgreSQL + Redis", two))

    deflate = ", permessage-deflate" if args.deflate else ""
    print(f"fan-out: {args.clients} tablets, {args.moves} agenda moves{deflate}")
    print(
        f"{'setup':<32}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}"
        f"{'CPU %':>8}{'RSS MB':>8}{'join s':>8}"
    )
    for label, run in rows:
        print(
            f"{label:<32}{run.pct(50):>8}{run.pct(95):>8}{run.pct(99):>8}{len(run.errors):>8}"
            f"{run.cpu_pct:>8}{run.rss_mb:>8}{run.connect_s:>8.1f}"
        )
        print(
            f"    median chair ack {median(run.ack_ms)} ms, "
            f"median first tablet {median(run.first_ms)} ms"
        )
        for error in run.errors[:5]:
            print(f"    {error}")
    print(f"targets: p99 <= {TARGET_P99_MS} ms, RSS <= {TARGET_RSS_MB} MB, 0 errors")
    figures = {
        "bench": "fanout",
        "clients": args.clients,
        "moves": args.moves,
        "deflate": args.deflate,
        "p50_ms": one.pct(50),
        "p95_ms": one.pct(95),
        "p99_ms": one.pct(99),
        "errors": len(one.errors),
        "cpu_pct": one.cpu_pct,
        "rss_mb": one.rss_mb,
        "peak_rss_mb": one.rss_mb,  # the server's peak during the run (same as rss_mb)
        "join_all_s": round(one.connect_s, 2),  # every tablet connected and joined
        "p50_ms_two_workers": two.pct(50) if two else None,
        "p99_ms_two_workers": two.pct(99) if two else None,
        "errors_two_workers": len(two.errors) if two else None,
        "rss_mb_two_workers": two.rss_mb if two else None,
        "join_all_s_two_workers": round(two.connect_s, 2) if two else None,
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
