"""Where a documents folder keeps its files, and the errors of the document web layer.

    <DOCUMENTS_DIR>/objects/ab/<sha256>.pdf     the PDFs, content-addressed (ContentStore)
    <DOCUMENTS_DIR>/thumbs/ab/<sha256>/p0000.png  thumbnails written at ingest
    <DOCUMENTS_DIR>/renders/ab/<sha256>/...      page images at the widths asked (RenderCache)
    <DOCUMENTS_DIR>/marked/ab/<sha256>/...       per-person copies, bounded (MarkedStore)
    <DOCUMENTS_DIR>/tmp/                         uploads in flight (same file system: rename)

Everything is keyed by the digest, so the same file uploaded to ten meetings is stored,
thumbnailed and rendered once; only the per-person mark is drawn per person and page.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from meetings.documents.errors import DocumentError
from meetings.documents.marked import MarkedStore
from meetings.documents.render import RenderCache
from meetings.documents.storage import ContentStore, check_sha256
from meetings.errors import AppError

# HTTP status per document error code: the file's fault is 422, too big 413, the server
# lacking LibreOffice 503 (an administrator must act; retrying will not help the user).
_STATUS = {
    "too_large": 413,
    "converter_missing": 503,
    "download_forbidden": 403,
    "upload_incomplete": 400,
    "missing_file": 400,
}
_MESSAGES = {
    "not_pdf": "Tệp không phải PDF.",
    "encrypted": "Tệp PDF có mật khẩu, không mở được.",
    "empty": "Tệp PDF không có trang nào.",
    "unreadable": "Không đọc được tệp PDF (tệp hỏng hoặc quá phức tạp).",
    "too_large": "Tệp quá lớn.",
    "converter_missing": "Máy chủ chưa cài LibreOffice để chuyển tệp văn phòng sang PDF.",
    "unsupported_type": "Loại tệp này không được hỗ trợ.",
    "convert_failed": "Không chuyển được tệp sang PDF.",
    "font_missing": "Máy chủ thiếu phông chữ tiếng Việt.",
}


class DocError(AppError):
    """An AppError whose HTTP status fits document outcomes (errors.STATUS knows none)."""

    @property
    def status(self) -> int:
        return _STATUS.get(self.code, 422)


def from_document_error(exc: DocumentError) -> DocError:
    # The pipeline's message is for logs (it may name limits); the client translates code.
    return DocError(exc.code, _MESSAGES.get(exc.code, exc.message), {"reason": exc.message})


@dataclass(frozen=True)
class DocFiles:
    root: Path
    store: ContentStore
    renders: RenderCache
    tmp: Path
    marked: MarkedStore

    def pdf(self, sha256: str) -> Path:
        return self.store.path(sha256)

    def thumb_dir(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / "thumbs" / sha256[:2] / sha256

    def thumb(self, sha256: str, index: int) -> Path:
        return self.thumb_dir(sha256) / f"p{index:04d}.png"


_files: dict[Path, DocFiles] = {}
_lock = threading.Lock()


def files_for(root: Path) -> DocFiles:
    """One DocFiles per folder and process: the render cache keeps documents open."""
    root = root.resolve()
    with _lock:
        found = _files.get(root)
        if found is None:
            tmp = root / "tmp"
            tmp.mkdir(parents=True, exist_ok=True)
            renders, marked = RenderCache(root / "renders"), MarkedStore(root / "marked")
            found = DocFiles(root, ContentStore(root), renders, tmp, marked)
            _files[root] = found
        return found
