"""Time-limited TURN credentials, the coturn REST scheme (`use-auth-secret`).

username = "<unix expiry>:<user id>", credential = base64(HMAC-SHA1(secret, username)).
coturn recomputes the credential from its `static-auth-secret` and refuses expired names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any


def turn_credentials(secret: str, user: str, ttl: int, now: float | None = None) -> dict[str, Any]:
    expiry = int((time.time() if now is None else now) + ttl)
    username = f"{expiry}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {
        "username": username,
        "credential": base64.b64encode(digest).decode(),
        "expires": expiry,
    }


def ice_servers(
    urls: tuple[str, ...], secret: str | None, user: str, ttl: int
) -> list[dict[str, Any]]:
    """RTCIceServer dicts for a browser: TURN URLs with credentials, STUN URLs without."""
    if not urls:
        return []
    stun = [u for u in urls if u.startswith("stun:")]
    turn = [u for u in urls if not u.startswith("stun:")]
    servers: list[dict[str, Any]] = []
    if stun:
        servers.append({"urls": stun})
    if turn and secret:
        cred = turn_credentials(secret, user, ttl)
        servers.append(
            {"urls": turn, "username": cred["username"], "credential": cred["credential"]}
        )
    return servers
