"""Settings from the environment. Every setting is listed in the README's table."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import Parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

ROOT = Path(__file__).resolve().parent.parent
# Passwords: argon2id, 64 MiB, 3 passes, 4 lanes (about 0.15 s a hash), argon2-cffi's default.
PRODUCTION_HASHING = RFC_9106_LOW_MEMORY


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    return int(raw) if raw.strip() else default


def _secret_key(instance_dir: Path) -> str:
    """Generate the key once and keep it, so sessions survive a restart."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str
    instance_dir: Path
    documents_dir: Path
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 5000
    behind_tls: bool = False
    trust_proxy: bool = False
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    media_node_key: str | None = None
    # Video bridges: TURN for browsers behind NAT (coturn "use-auth-secret" REST scheme),
    # and the folder the media node writes recordings to (MEDIA_RECORDINGS_DIR, shared).
    turn_urls: tuple[str, ...] = ()
    turn_secret: str | None = None
    turn_ttl: int = 6 * 3600
    recordings_dir: Path | None = None
    # Documents: upload limits (DOCUMENT_MAX_MB, DOCUMENT_MAX_PAGES).
    document_max_mb: int = 100
    document_max_pages: int = 2000
    # Not read from the environment: the tests choose argon2's cheapest profile here.
    password_hashing: Parameters = field(default_factory=lambda: PRODUCTION_HASHING)
    testing: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Config:
        env = dict(os.environ if env is None else env)
        instance_dir = Path(env.get("INSTANCE_DIR") or ROOT / "instance")
        instance_dir.mkdir(parents=True, exist_ok=True)
        values: dict[str, object] = dict(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'meetings.db'}",
            secret_key=env.get("SECRET_KEY") or _secret_key(instance_dir),
            instance_dir=instance_dir,
            documents_dir=Path(env.get("DOCUMENTS_DIR") or instance_dir / "documents"),
            redis_url=env.get("REDIS_URL") or None,
            host=env.get("HOST") or "127.0.0.1",
            port=_int(env, "PORT", 5000),
            behind_tls=_bool(env.get("BEHIND_TLS")),
            trust_proxy=_bool(env.get("TRUST_PROXY")),
            login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 5),
            login_lock_minutes=_int(env, "LOGIN_LOCK_MINUTES", 15),
            media_node_key=env.get("MEDIA_NODE_KEY") or None,
            turn_urls=tuple(u.strip() for u in env.get("TURN_URLS", "").split(",") if u.strip()),
            turn_secret=env.get("TURN_SECRET") or None,
            turn_ttl=_int(env, "TURN_TTL", 6 * 3600),
            recordings_dir=Path(
                env.get("MEDIA_RECORDINGS_DIR") or instance_dir / "recordings"
            ).resolve(),
            document_max_mb=_int(env, "DOCUMENT_MAX_MB", 100),
            document_max_pages=_int(env, "DOCUMENT_MAX_PAGES", 2000),
        )
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
