"""Video bridges: browser commands for joining the conference and running it.

Signalling: the browser sends its offer with `conference.join`; web checks who may join
(bridge operators as their bridge unit, the chair as the chair room), orders the media
node to create a peer and answers with the node's SDP answer. ICE candidates follow with
`conference.candidate`. The chair decides what is on air; see
meetings/media_bridge/conference.py for the rules and docs/media-control.md for the node.
"""

from __future__ import annotations

from typing import Any

from flask_socketio import join_room

from meetings.events.catalogue import audience_room, event
from meetings.events.outbox import Outbox
from meetings.media_bridge import conference, node_events  # noqa: F401  (node handlers)
from meetings.media_bridge.conference_state import control_room, watch
from meetings.media_bridge.conference_view import publish, view
from meetings.models import Meeting, User
from meetings.permissions import Perm, meeting_perms
from meetings.realtime.hooks import on_disconnect
from meetings.realtime.registry import Ctx, command
from meetings.realtime.snapshot import snapshot_part
from meetings.schemas.conference import (
    CONFERENCE_EXAMPLE,
    CandidateIn,
    Cmd,
    ConferenceOut,
    JoinIn,
    JoinOut,
    MuteIn,
    OnAirIn,
    PeerIn,
    RecordingOut,
    RecordingStopped,
    ReportIn,
    StatsOut,
)

JOIN_ERRORS = ("conflict", "unavailable", "no_common_codec")
NODE_ERRORS = ("conflict", "unavailable")

# Who follows the conference: those who may join it (bridge operators, the chair). Their
# meeting.join or conference.state puts them in its audience room; delegates, guests and
# the projector never get it. Unversioned, like every audience event.
AUDIENCE = Perm.CONFERENCE_JOIN

event(
    "conference.updated",
    schema=ConferenceOut,
    summary=(
        "Cầu truyền hình sau một thay đổi: điểm cầu đang phát (on air), trạng thái kết nối "
        "từng điểm cầu được mời, tắt tiếng, ghi hình, `ended` khi cuộc họp đã bế mạc. Chỉ "
        "gửi cho người có quyền `conference.join` (cán bộ điểm cầu, chủ trì); không tăng "
        "version (`version: null`)."
    ),
    example=CONFERENCE_EXAMPLE,
    audience=AUDIENCE,
)
event(
    "conference.stats",
    schema=StatsOut,
    summary=(
        "Chất lượng đường truyền từng điểm cầu (bitrate, khung hình, mất gói, RTT), tối đa "
        "2 giây một lần. Không tăng version (`version: null`); chỉ gửi cho người điều khiển "
        "đã gọi `conference.state`."
    ),
    example={
        "sites": [
            {
                "unit_id": 12,
                "peer_id": "m1-u12-9f2c1a0b",
                "state": "connected",
                "bitrate_kbps": 1450,
                "fps": 20.0,
                "rtt_ms": 18.0,
                "loss_pct": 0.0,
                "stalled": False,
                "level_dbov": -38.5,
            }
        ]
    },
)


def conference_view(meeting: Meeting) -> dict[str, Any]:
    return ConferenceOut.model_validate(view(meeting)).model_dump()


def follows_conference(user: User, meeting: Meeting) -> bool:
    return AUDIENCE in meeting_perms(user, meeting)


@snapshot_part("conference", schema=ConferenceOut | None)
def conference_part(meeting: Meeting, user: User) -> dict[str, Any] | None:
    """null for those outside the audience: they get no conference.updated either."""
    return conference_view(meeting) if follows_conference(user, meeting) else None


def _publish(ctx: Ctx) -> None:
    publish(ctx.meeting_required.id, ctx.outbox)


def _published(ctx: Ctx, result: dict[str, Any]) -> dict[str, Any]:
    """Queue conference.updated for a command that changed the conference; pass its
    result on."""
    _publish(ctx)
    return result


# --- commands ------------------------------------------------------------------------------


@command(
    "conference.join",
    schema=JoinIn,
    permission=Perm.CONFERENCE_JOIN,
    summary=(
        "Điểm cầu (hoặc phòng chủ trì) vào cầu truyền hình: gửi SDP offer, nhận SDP answer của "
        "máy chủ truyền hình. Offer: video sendrecv, video recvonly, audio sendrecv, audio "
        "recvonly, audio recvonly. Vào lại thì kết nối cũ của điểm cầu bị thay thế."
    ),
    example={"meeting_id": 1, "offer": {"type": "offer", "sdp": "v=0\r\n…"}},
    errors=JOIN_ERRORS,
    result=JoinOut,
)
def join(ctx: Ctx, body: JoinIn) -> dict[str, Any]:
    data = conference.join(ctx.meeting_required, ctx.user, body.offer.model_dump(), ctx.sid)
    _publish(ctx)
    return data


@command(
    "conference.candidate",
    schema=CandidateIn,
    permission=Perm.CONFERENCE_JOIN,
    summary="Gửi một ICE candidate của trình duyệt (null: đã thu thập xong).",
    example={
        "meeting_id": 1,
        "peer_id": "m1-u12-9f2c1a0b",
        "candidate": {
            "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
            "sdpMid": "0",
            "sdpMLineIndex": 0,
        },
    },
    errors=NODE_ERRORS,
)
def add_candidate(ctx: Ctx, body: CandidateIn) -> None:
    cand = body.candidate.model_dump(exclude={"usernameFragment"}) if body.candidate else None
    conference.candidate(ctx.meeting_required, ctx.user, body.peer_id, cand, ctx.sid)


@command(
    "conference.leave",
    schema=PeerIn,
    permission=Perm.CONFERENCE_JOIN,
    summary="Rời cầu truyền hình (đóng kết nối của điểm cầu).",
    example={"meeting_id": 1, "peer_id": "m1-u12-9f2c1a0b"},
)
def leave(ctx: Ctx, body: PeerIn) -> None:
    conference.leave(ctx.meeting_required, ctx.user, body.peer_id)
    _publish(ctx)


@command(
    "conference.report",
    schema=ReportIn,
    permission=Perm.CONFERENCE_JOIN,
    summary=(
        "Điểm cầu báo chất lượng đường truyền nó đo được (getStats) khoảng 5 giây một lần; "
        "cũng giữ kết nối truyền hình sau khi Socket.IO kết nối lại."
    ),
    example={"meeting_id": 1, "peer_id": "m1-u12-9f2c1a0b", "rtt_ms": 18.0, "loss_pct": 0.0},
)
def report(ctx: Ctx, body: ReportIn) -> None:
    numbers = body.model_dump(exclude={"meeting_id", "peer_id"})
    conference.report(ctx.meeting_required, ctx.user, body.peer_id, numbers, ctx.sid)


@command(
    "conference.state",
    schema=Cmd,
    permission=Perm.MEETING_VIEW,
    summary=(
        "Trạng thái cầu truyền hình (như phần `conference` của ảnh chụp). Người có quyền "
        "`conference.join` nhận các sự kiện `conference.updated` từ đây; người có quyền điều "
        "khiển nhận thêm `conference.stats`. Gọi lại sau mỗi lần kết nối lại."
    ),
    example={"meeting_id": 1},
    result=ConferenceOut,
)
def state(ctx: Ctx, body: Cmd) -> dict[str, Any]:
    meeting = ctx.meeting_required
    watch(meeting)
    held = meeting_perms(ctx.user, meeting)
    if ctx.sid is not None and AUDIENCE in held:
        join_room(audience_room(meeting.id, AUDIENCE), sid=ctx.sid)
        if Perm.CONFERENCE_CONTROL in held:
            join_room(control_room(meeting.id), sid=ctx.sid)
    return conference_view(meeting)


@command(
    "conference.on_air",
    schema=OnAirIn,
    permission=Perm.CONFERENCE_CONTROL,
    summary=(
        "Chủ trì chọn điểm cầu lên hình (khung chính của mọi điểm cầu). unit_id null: tự "
        "động — điểm cầu đang được phát biểu, nếu không thì phòng chủ trì."
    ),
    example={"meeting_id": 1, "unit_id": None},
    errors=NODE_ERRORS,
)
def put_on_air(ctx: Ctx, body: OnAirIn) -> None:
    conference.on_air(ctx.meeting_required, body.unit_id)
    _publish(ctx)


@command(
    "conference.mute",
    schema=MuteIn,
    permission=Perm.CONFERENCE_CONTROL,
    summary="Tắt / bật tiếng một điểm cầu (giữ nguyên khi điểm cầu vào lại).",
    example={"meeting_id": 1, "unit_id": 12, "muted": True},
    errors=NODE_ERRORS,
)
def mute(ctx: Ctx, body: MuteIn) -> None:
    conference.mute(ctx.meeting_required, body.unit_id, body.muted)
    _publish(ctx)


@command(
    "conference.recording_start",
    schema=Cmd,
    permission=Perm.CONFERENCE_CONTROL,
    summary="Bắt đầu ghi hình cuộc họp (khung chính, khung chủ trì và âm thanh).",
    example={"meeting_id": 1},
    errors=NODE_ERRORS,
    result=RecordingOut,
)
def recording_start(ctx: Ctx, body: Cmd) -> dict[str, Any]:
    return _published(ctx, conference.recording_start(ctx.meeting_required))


@command(
    "conference.recording_stop",
    schema=Cmd,
    permission=Perm.CONFERENCE_CONTROL,
    summary="Dừng ghi hình; tệp ghi hình tải về qua REST (thư ký, chủ trì).",
    example={"meeting_id": 1},
    errors=NODE_ERRORS,
    result=RecordingStopped,
)
def recording_stop(ctx: Ctx, body: Cmd) -> dict[str, Any]:
    return _published(ctx, conference.recording_stop(ctx.meeting_required))


@on_disconnect
def _socket_gone(sid: str, _outbox: Outbox) -> None:
    conference.socket_gone(sid)
