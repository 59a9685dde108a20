"""Media node settings, read from the environment."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiortc import RTCIceServer


def _ice_servers(raw: str) -> list[RTCIceServer]:
    """``MEDIA_ICE_SERVERS``: JSON list of {"urls", "username"?, "credential"?} objects."""
    servers = []
    for item in json.loads(raw or "[]"):
        if not isinstance(item, dict) or "urls" not in item:
            raise ValueError("MEDIA_ICE_SERVERS entries need 'urls'")
        servers.append(
            RTCIceServer(
                urls=item["urls"], username=item.get("username"), credential=item.get("credential")
            )
        )
    return servers


@dataclass(frozen=True)
class NodeConfig:
    web_url: str = "http://127.0.0.1:5000"
    node_key: str = ""
    node_id: str = "media-1"
    units: tuple[str, ...] = ()
    ice_servers: list[RTCIceServer] = field(default_factory=list)
    loopback_only: bool = False  # test-only: ICE host candidates on 127.0.0.1 only
    recordings_dir: Path = Path("instance/recordings")
    stats_interval: float = 5.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> NodeConfig:
        return cls(
            web_url=env.get("MEDIA_WEB_URL", cls.web_url),
            node_key=env.get("MEDIA_NODE_KEY", ""),
            node_id=env.get("MEDIA_NODE_ID", cls.node_id),
            units=tuple(u.strip() for u in env.get("MEDIA_UNITS", "").split(",") if u.strip()),
            ice_servers=_ice_servers(env.get("MEDIA_ICE_SERVERS", "[]")),
            loopback_only=env.get("MEDIA_ICE_LOOPBACK_ONLY", "") in ("1", "true", "yes"),
            recordings_dir=Path(env.get("MEDIA_RECORDINGS_DIR", str(cls.recordings_dir))),
            stats_interval=float(env.get("MEDIA_STATS_INTERVAL", cls.stats_interval)),
        )
