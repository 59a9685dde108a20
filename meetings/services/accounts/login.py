"""Passwords (argon2) and the login rule with lockout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from meetings.config import PRODUCTION_HASHING
from meetings.db import transaction
from meetings.errors import AppError
from meetings.models import User


@dataclass(frozen=True)
class _Hashing:
    parameters: Parameters
    hasher: PasswordHasher
    # Verified when the username is unknown, so both failures take the same time.
    dummy_hash: str

    @classmethod
    def build(cls, parameters: Parameters) -> _Hashing:
        hasher = PasswordHasher.from_parameters(parameters)
        return cls(parameters, hasher, hasher.hash("not-a-real-password"))


# Built on first use, so importing this module costs no hash.
_hashing: _Hashing | None = None


def use_hashing(parameters: Parameters) -> None:
    """Hash with these parameters from now on; the app passes Config.password_hashing at
    start-up. Hashes made with other parameters still verify, and are redone at login."""
    global _hashing
    if _hashing is None or _hashing.parameters != parameters:
        _hashing = _Hashing.build(parameters)


def _current() -> _Hashing:
    global _hashing
    if _hashing is None:  # no app configured it (a script): production cost
        _hashing = _Hashing.build(PRODUCTION_HASHING)
    return _hashing


def hash_password(password: str) -> str:
    return _current().hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _current().hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def do_login(username: str, password: str, *, max_failures: int, lock_minutes: int) -> User:
    """Return the user or raise invalid_credentials / account_locked.

    Unknown user and wrong password give the same error; only a locked account says more.
    """
    now = datetime.now(UTC)
    with transaction() as s:
        user = s.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
        if user is None or not user.is_active:
            _verify(_current().dummy_hash, password)
            raise AppError("invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")
        if user.locked_until is not None and user.locked_until > now:
            raise _locked(user.locked_until)
        if not _verify(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= max_failures:
                user.failed_logins = 0
                user.locked_until = now + timedelta(minutes=lock_minutes)
        else:
            user.failed_logins = 0
            user.locked_until = None
            if _current().hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            return user
    # Committed the failure count above; now report it.
    if user.locked_until is not None and user.locked_until > now:
        raise _locked(user.locked_until)
    raise AppError("invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")


def _locked(until: datetime) -> AppError:
    return AppError(
        "account_locked",
        f"Tài khoản tạm khoá do đăng nhập sai nhiều lần, đến {until:%H:%M %d/%m/%Y} (UTC).",
        {"locked_until": until.isoformat()},
    )
