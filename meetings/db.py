"""Engine and sessions. One scoped session per greenlet, removed after each request/event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker

CONNECT_TIMEOUT_S = 3

_session_factory: sessionmaker[Session] = sessionmaker(expire_on_commit=False)
db: scoped_session[Session] = scoped_session(_session_factory)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers run during a write; busy_timeout queues writers instead of failing.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A database that is down must fail a request in seconds, not hang it: the client then
    # gets `unavailable` (meetings/outages.py) and the pool reconnects once it is back.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        pool_timeout=CONNECT_TIMEOUT_S,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )


_bound: list[Engine] = []


def bind(engine: Engine) -> None:
    """Point sessions at `engine`. A process binds once; tests build many apps, so the
    previous engine's pooled connections are closed rather than left to pile up."""
    db.remove()
    for old in _bound:
        if old is not engine:
            old.dispose()
    _bound[:] = [engine]
    _session_factory.configure(bind=engine)


@contextmanager
def transaction() -> Iterator[Session]:
    """Commit on success, roll back on any error; callers emit events only after this exits."""
    session = db()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
