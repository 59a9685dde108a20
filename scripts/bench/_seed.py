"""What several benchmarks add to the seeded database, and the cookie that signs them in."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.orm import Session

from meetings.models import MeetingRole, Participant, User
from scripts.bench._server import SECRET_KEY


def session_cookie(user_id: int) -> str:
    """The cookie POST /api/auth/login would set (same SECRET_KEY as the bench servers)."""
    app = Flask("bench")
    app.secret_key = SECRET_KEY
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    if serializer is None:
        raise RuntimeError("Flask made no session serializer (is secret_key set?)")
    return f"phs_session={serializer.dumps({'uid': user_id, 'epoch': 0})}"


def add_delegates(s: Session, meeting_id: int, unit_id: int, prefix: str, n: int) -> list[User]:
    """n users `<prefix>0000`… who never log in by password (the bench signs their cookies),
    each a delegate of the meeting."""
    users = [
        User(username=f"{prefix}{i:04d}", full_name=f"Đại biểu {i}", password_hash="!",
             unit_id=unit_id)
        for i in range(n)
    ]  # fmt: skip
    s.add_all(users)
    s.flush()
    s.add_all(
        Participant(meeting_id=meeting_id, user_id=u.id, role=MeetingRole.DELEGATE) for u in users
    )
    return users
