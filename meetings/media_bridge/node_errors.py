"""A media node's error, as the user reads it: the web's error code and a Vietnamese
message; the node's own (English, technical) text stays in the details."""

from __future__ import annotations

from meetings.errors import AppError
from meetings.media_bridge.nodes import NodeError

NODE_MESSAGES = {
    "unavailable": "Máy chủ truyền hình không trả lời, vui lòng thử lại.",
    "timeout": "Máy chủ truyền hình không trả lời, vui lòng thử lại.",
    "not_found": "Máy chủ truyền hình không còn giữ kết nối này; trang sẽ kết nối lại.",
    "conflict": "Máy chủ truyền hình từ chối thao tác này (kết nối trùng hoặc điểm cầu "
    "không gửi loại tín hiệu đó).",
    "invalid_payload": "Yêu cầu gửi máy chủ truyền hình không hợp lệ.",
    "invalid_sdp": "Trình duyệt gửi thông tin kết nối (SDP) không hợp lệ: cần có hình hoặc tiếng.",
    "invalid_candidate": "Thông tin mạng (ICE candidate) của trình duyệt không hợp lệ.",
    "no_common_codec": "Trình duyệt không hỗ trợ chuẩn nén video của cuộc họp.",
}


def app_error(exc: NodeError) -> AppError:
    code = {
        "unavailable": "unavailable",
        "timeout": "unavailable",
        "not_found": "not_found",
        "conflict": "conflict",
        "invalid_payload": "invalid_payload",
        "invalid_sdp": "invalid_payload",
        "invalid_candidate": "invalid_payload",
        "no_common_codec": "no_common_codec",
    }.get(exc.code, "unavailable")
    # Users read the message; the node's own (English, technical) text stays in details.
    return AppError(
        code,
        NODE_MESSAGES.get(exc.code, NODE_MESSAGES["unavailable"]),
        {"node_code": exc.code, "node_message": exc.message},
    )
