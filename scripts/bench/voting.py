"""Voting benchmark: N delegates on real Socket.IO connections all vote within one second.

    .venv/bin/python scripts/bench/voting.py [--voters 500] [--secret|--named]
                                             [--database-url URL] [--window 1.0]

Starts a real `python -m meetings` server (scripts/bench/_server.py) on its own SQLite file
(or the given PostgreSQL URL), inserts N delegate accounts straight into that database
(one argon2 hash shared by all: hashing N passwords would take minutes) and a meeting with
them, then connects N python-socketio AsyncClients. Sessions are cookies signed with the
server's shared SECRET_KEY, exactly as a login would set them (N argon2 verifications at
login would dominate the run and measure nothing about voting).

Measures:
- record_all_ms: from the first poll.cast sent until the last ballot is acknowledged;
- result_broadcast_p99_ms: from the chair's poll.close (followed at once by poll.publish)
  until each client has the published result, p99 over clients (target ≤ 500 ms);
- tally_exact: the published counts equal the choices the clients made, and every ballot
  was recorded (target: all).
Prints a table, then one JSON line with bench="voting".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import socketio  # noqa: E402
from _server import prepare_database, running  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from meetings.models import Meeting, MeetingRole, Participant, Unit, User  # noqa: E402
from meetings.services.accounts.login import hash_password  # noqa: E402
from scripts.bench._seed import session_cookie  # noqa: E402

CHOICES = ("yes", "no", "abstain")


def add_voters(database_url: str, n: int) -> tuple[int, int, list[int]]:
    """Insert n delegates and a meeting they all sit in; (meeting_id, chair_id, voter ids)."""
    engine = create_engine(database_url)
    shared_hash = hash_password("Bench@2026")
    with Session(engine) as s, s.begin():
        province = s.scalar(select(Unit).where(Unit.depth == 0).order_by(Unit.id))
        chair = s.scalar(select(User).where(User.username == "chair"))
        assert province is not None and chair is not None
        users = [
            User(
                username=f"bench{i:04d}",
                full_name=f"Đại biểu thử {i:04d}",
                password_hash=shared_hash,
                unit_id=province.id,
            )
            for i in range(1, n + 1)
        ]
        s.add_all(users)
        start = datetime.now(UTC)
        meeting = Meeting(
            title=f"Kỳ họp thử tải {n} đại biểu",
            host_unit_id=province.id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        s.add(meeting)
        s.flush()
        s.add(Participant(meeting_id=meeting.id, user_id=chair.id, role=MeetingRole.CHAIR))
        s.add_all(
            Participant(meeting_id=meeting.id, user_id=u.id, role=MeetingRole.DELEGATE)
            for u in users
        )
        ids = (meeting.id, chair.id, [u.id for u in users])
    engine.dispose()
    return ids


class Voter:
    def __init__(self, url: str, user_id: int, meeting_id: int) -> None:
        self.url, self.user_id, self.meeting_id = url, user_id, meeting_id
        self.sio = socketio.AsyncClient(reconnection=False)
        self.published_at: float | None = None
        self.closed_at: float | None = None
        self.result: dict[str, Any] | None = None
        self.sio.on("poll.published", self._published)
        self.sio.on("poll.closed", self._closed)

    async def _published(self, envelope: dict[str, Any]) -> None:
        self.published_at = time.perf_counter()
        self.result = envelope["data"]["poll"]["result"]

    async def _closed(self, _envelope: dict[str, Any]) -> None:
        self.closed_at = time.perf_counter()

    async def connect(self) -> None:
        await self.sio.connect(
            self.url,
            headers={"Cookie": session_cookie(self.user_id)},
            transports=["websocket"],
            wait_timeout=30,
        )
        ack = await self.sio.call("meeting.join", {"meeting_id": self.meeting_id}, timeout=60)
        assert ack["ok"], ack

    async def call(self, name: str, payload: dict[str, Any]) -> Any:
        ack = await self.sio.call(name, payload, timeout=60)
        if not ack["ok"]:
            raise RuntimeError(f"{name}: {ack['error']}")
        return ack["data"]


async def run(url: str, meeting_id: int, chair_id: int, voter_ids: list[int], args: Any) -> Any:
    chair = Voter(url, chair_id, meeting_id)
    await chair.connect()
    voters = [Voter(url, uid, meeting_id) for uid in voter_ids]
    t = time.perf_counter()
    for i in range(0, len(voters), 50):  # connect in waves, as tablets do when a room fills
        await asyncio.gather(*(v.connect() for v in voters[i : i + 50]))
    connect_s = time.perf_counter() - t
    created = await chair.call(
        "poll.create",
        {"meeting_id": meeting_id, "title": "Biểu quyết thử tải", "secret": args.secret},
    )
    poll = (
        await chair.call("poll.open", {"meeting_id": meeting_id, "poll_id": created["poll"]["id"]})
    )["poll"]
    options = {o["code"]: o["id"] for o in poll["options"]}
    ref = {"meeting_id": meeting_id, "poll_id": poll["id"]}
    rng = random.Random(6)
    plan = [(v, rng.choice(CHOICES), rng.uniform(0, args.window)) for v in voters]
    expected = Counter(code for _v, code, _d in plan)
    failures: list[str] = []
    acked: list[float] = []
    start = time.perf_counter()

    async def vote(v: Voter, code: str, delay: float) -> None:
        await asyncio.sleep(delay)
        body = {**ref, "ballot_id": str(uuid.uuid4()), "choices": [options[code]]}
        try:
            await v.call("poll.cast", body)
            acked.append(time.perf_counter())
        except Exception as exc:  # recorded, reported: the bench must not hide losses
            failures.append(str(exc))

    await asyncio.gather(*(vote(v, c, d) for v, c, d in plan))
    record_all_ms = (max(acked) - start) * 1000 if acked else None
    voted = (await chair.call("poll.get", ref))["poll"]["voted_count"]

    await asyncio.sleep(0.5)  # let the last coalesced progress event settle
    t0 = time.perf_counter()
    await chair.call("poll.close", ref)
    await chair.call("poll.publish", ref)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and any(v.published_at is None for v in voters):
        await asyncio.sleep(0.01)
    latencies = sorted((v.published_at - t0) * 1000 for v in voters if v.published_at)
    closed = sorted((v.closed_at - t0) * 1000 for v in voters if v.closed_at)
    result = next((v.result for v in voters if v.result), None) or {}
    got = {o["code"]: o["votes"] for o in result.get("options", [])}
    await asyncio.gather(*(v.sio.disconnect() for v in [chair, *voters]))
    return {
        "connect_s": connect_s,
        "record_all_ms": record_all_ms,
        "voted_count": voted,
        "failures": failures,
        "latencies": latencies,
        "closed": closed,
        "tally_exact": got == {c: expected.get(c, 0) for c in CHOICES}
        and result.get("cast") == len(voters),
        "received": len(latencies),
    }


def p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--window", type=float, default=1.0, help="seconds the votes span")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--keep", type=Path, default=None, help="keep server logs in this folder")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--secret", dest="secret", action="store_true", default=True)
    mode.add_argument("--named", dest="secret", action="store_false")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 2 sockets per voter

    with tempfile.TemporaryDirectory(prefix="bench-voting-") as tmp:
        workdir = args.keep or Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        prepare_database(url, workdir)
        meeting_id, chair_id, voter_ids = add_voters(url, args.voters)
        with running(1, database_url=url, redis_url=None, workdir=workdir) as servers:
            out = asyncio.run(run(servers[0].url, meeting_id, chair_id, voter_ids, args))
        backend = url.split(":", 1)[0]
    all_recorded = out["voted_count"] == args.voters and not out["failures"]
    p99 = p(out["latencies"], 0.99)
    rows = [
        ("database", backend),
        ("ballot mode", "secret" if args.secret else "named"),
        ("voters connected in", f"{out['connect_s']:.1f} s"),
        ("ballots acknowledged", f"{args.voters - len(out['failures'])}/{args.voters}"),
        ("ballots recorded (server count)", f"{out['voted_count']}/{args.voters}"),
        ("time to record all (ms)", f"{out['record_all_ms']:.0f}" if out["record_all_ms"] else "-"),
        ("clients with result", f"{out['received']}/{args.voters}"),
        ("close → poll.closed p50/p99 (ms)", f"{p(out['closed'], 0.5)} / {p(out['closed'], 0.99)}"),
        (
            "close → result p50/p99/max (ms)",
            f"{p(out['latencies'], 0.5)} / {p99} / {p(out['latencies'], 1.0)}",
        ),
        ("tally exact", str(out["tally_exact"])),
    ]
    for label, value in rows:
        print(f"{label:<36} {value}")
    for failure in out["failures"][:5]:
        print("  failure:", failure)
    print(
        json.dumps(
            {
                "bench": "voting",
                "voters": args.voters,
                "all_recorded": all_recorded,
                "tally_exact": out["tally_exact"],
                "record_all_ms": round(out["record_all_ms"], 1) if out["record_all_ms"] else None,
                "result_broadcast_p99_ms": p99,
                "result_received": out["received"],
                "secret": args.secret,
                "database": backend,
                "within_target": all_recorded
                and p99 is not None
                and p99 <= 500
                and out["received"] == args.voters,
            }
        )
    )


if __name__ == "__main__":
    main()
