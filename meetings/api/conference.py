"""Video bridges over REST: ICE servers with TURN credentials, and meeting recordings.

Recordings are the files the media node writes into MEDIA_RECORDINGS_DIR, named
`m<meeting id>-<recording id>.webm|mkv`; the web server lists and serves them from the
same folder (one machine, or a shared mount).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, send_file
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from meetings.api.registry import ApiBlueprint, Ctx
from meetings.api.responses import app_config
from meetings.api.schemas import MeetingPath
from meetings.errors import AppError
from meetings.media_bridge import conference_state
from meetings.media_bridge.turn import ice_servers
from meetings.permissions import Perm

bp = ApiBlueprint(
    "conference", __name__, url_prefix="/api/meetings", abp_tags=[Tag(name="conference")]
)

_RECORDING_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
_EXTENSIONS = (".webm", ".mkv")


class RecordingPath(MeetingPath):
    recording_id: str = Field(max_length=128)


class IceServer(BaseModel):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class IceServersOut(BaseModel):
    ice_servers: list[IceServer]
    ttl: int


class RecordingOut(BaseModel):
    recording_id: str
    file: str
    bytes: int
    modified_at: str
    in_progress: bool


class RecordingList(BaseModel):
    recordings: list[RecordingOut]


@bp.declare(
    "get",
    "/<int:meeting_id>/conference/ice-servers",
    Perm.CONFERENCE_JOIN,
    responses={200: IceServersOut},
)
def get_ice_servers(ctx: Ctx, path: MeetingPath) -> dict[str, object]:
    """ICE servers for this site's browser: STUN, and TURN with a time-limited credential
    (coturn `use-auth-secret`: username "<expiry>:<user id>", HMAC-SHA1 credential)."""
    config = app_config()
    servers = ice_servers(config.turn_urls, config.turn_secret, str(ctx.me.id), config.turn_ttl)
    return {"ice_servers": servers, "ttl": config.turn_ttl}


def _files(meeting_id: int) -> list[Path]:
    folder = app_config().recordings_dir
    if folder is None or not folder.is_dir():
        return []
    prefix = f"{conference_state.node_meeting_id(meeting_id)}-"
    return sorted(
        (p for p in folder.iterdir() if p.name.startswith(prefix) and p.suffix in _EXTENSIONS),
        key=lambda p: p.name,
    )


def _recording_id(meeting_id: int, path: Path) -> str:
    return path.stem[len(conference_state.node_meeting_id(meeting_id)) + 1 :]


@bp.declare(
    "get", "/<int:meeting_id>/recordings", Perm.RECORDING_DOWNLOAD, responses={200: RecordingList}
)
def list_recordings(ctx: Ctx, path: MeetingPath) -> dict[str, object]:
    """Recordings of the meeting, oldest first; `in_progress` while still being written."""
    conf = conference_state.get(path.meeting_id)
    current = conf.recording["recording_id"] if conf and conf.recording else None
    items = []
    for file in _files(path.meeting_id):
        stat = file.stat()
        recording_id = _recording_id(path.meeting_id, file)
        items.append(
            {
                "recording_id": recording_id,
                "file": file.name,
                "bytes": stat.st_size,
                "modified_at": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(),
                "in_progress": recording_id == current,
            }
        )
    return {"recordings": items}


@bp.declare(
    "get",
    "/<int:meeting_id>/recordings/<recording_id>",
    Perm.RECORDING_DOWNLOAD,
    responses={200: None},
)
def download_recording(ctx: Ctx, path: RecordingPath) -> Response:
    """The recording file as a download (WebM: VP8 + Opus)."""
    if not _RECORDING_ID.match(path.recording_id):
        raise AppError("not_found", "Không tìm thấy bản ghi hình.")
    for file in _files(path.meeting_id):
        if _recording_id(path.meeting_id, file) == path.recording_id:
            mimetype = "video/webm" if file.suffix == ".webm" else "video/x-matroska"
            return send_file(
                file,
                mimetype=mimetype,
                as_attachment=True,
                download_name=f"ghi-hinh-cuoc-hop-{path.meeting_id}-{path.recording_id}{file.suffix}",
                conditional=True,
            )
    raise AppError("not_found", "Không tìm thấy bản ghi hình.")
