"""Poll results as CSV and as a one-page (or more) PDF record ready for signing.

The PDF uses a system TrueType font with every Vietnamese letter (PyMuPDF's Base-14 fonts
lack ế, ị, ồ, ữ…); DejaVu Sans ships with Debian's fonts-dejavu-core.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from meetings.documents.fonts import vietnamese_bold_font, vietnamese_font
from meetings.models import Meeting, Poll
from meetings.models.polls import PollKind
from meetings.services.room import quorum
from meetings.services.voting import polls, tally

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
KIND_LABELS = {
    PollKind.YES_NO: "Tán thành / Không tán thành / Không biểu quyết",
    PollKind.SINGLE: "Chọn một phương án",
    PollKind.MULTIPLE: "Chọn nhiều phương án (bầu cử)",
}
RULE_LABELS = {
    "absolute": "Quá nửa tổng số đại biểu",
    "two_thirds": "Ít nhất hai phần ba tổng số đại biểu",
    "cast": "Quá nửa số phiếu biểu quyết (cần đủ túc số)",
    "simple": "Số phiếu tán thành nhiều hơn (cần đủ túc số)",
}
# The same words as the screens (poll.did_not_vote): "Không biểu quyết" is an answer
# (the abstain option), not the absence of one.
NOT_VOTED = "Chưa biểu quyết"
BASE_LABELS = {
    "cast": "số phiếu biểu quyết",
    "present": "số đại biểu có mặt",
    "entitled": "tổng số đại biểu",
}


def font_path(bold: bool = False) -> str:
    return vietnamese_bold_font() if bold else vietnamese_font()


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%H:%M:%S ngày %d/%m/%Y")


def summary_lines(meeting: Meeting, poll: Poll, result: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Cuộc họp", meeting.title),
        ("Nội dung biểu quyết", poll.title),
        ("Hình thức", KIND_LABELS[poll.kind] + (" — bỏ phiếu kín" if poll.secret else "")),
        ("Quy tắc", RULE_LABELS[poll.rule.value]),
        ("Bắt đầu", local_time(poll.opened_at)),
        ("Kết thúc", local_time(poll.closed_at)),
        ("Tổng số đại biểu", str(result["entitled"])),
        ("Đại biểu có mặt", str(result["present"])),
        ("Đại biểu được biểu quyết", str(result["eligible"])),
        ("Số phiếu biểu quyết", str(result["cast"])),
        (NOT_VOTED, str(result["not_voted"])),
        ("Tỉ lệ tính trên", f"{BASE_LABELS[result['percent_base']]} ({result['base_count']})"),
        *quorum_line(result),
        ("Kết luận", result["outcome"]["label"]),
    ]


def quorum_line(result: dict[str, Any]) -> list[tuple[str, str]]:
    """Túc số and why, e.g. "5/10 đại biểu đã biểu quyết, cần 6 (quá nửa) — không đủ"
    (results closed before the quorum was recorded have no line)."""
    if not result.get("quorum"):
        return []
    state = quorum.Quorum(**result["quorum"])
    return [("Túc số", f"{state.describe()} — {'đủ' if state.reached else 'không đủ'}")]


def choice_text(person: dict[str, Any]) -> str:
    """What one person of a named poll chose; a blank ballot is a vote with no choice."""
    if not person["voted"]:
        return NOT_VOTED
    return "; ".join(person["choices"]) or "Phiếu trắng"


def to_csv(meeting: Meeting, poll: Poll) -> str:
    result = polls.result_of(poll) or {}
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in summary_lines(meeting, poll, result):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(["Phương án", "Số phiếu", "Tỉ lệ (%)"])
    for row in result["options"]:
        writer.writerow([row["label"], row["votes"], f"{row['percent']:.2f}"])
    if result.get("blank"):
        writer.writerow(["Phiếu trắng", result["blank"], ""])
    if not poll.secret:
        writer.writerow([])
        writer.writerow(["Đại biểu", "Đã biểu quyết", "Lựa chọn"])
        for person in tally.named_list(poll):
            voted = "Có" if person["voted"] else "Không"
            writer.writerow([person["full_name"], voted, choice_text(person)])
    return "\ufeff" + out.getvalue()  # the BOM makes Excel read UTF-8 Vietnamese correctly


def _mupdf() -> Any:
    """PyMuPDF, imported on first export and typed loosely (its API is untyped)."""
    import pymupdf

    return pymupdf


class _Writer:
    """Lines top to bottom on A4 pages, starting a new page when one is full."""

    WIDTH, HEIGHT, MARGIN = 595, 842, 56

    def __init__(self) -> None:
        self.doc: Any = _mupdf().open()
        self.page: Any = None
        self.y = 0.0
        self._new_page()

    def _new_page(self) -> None:
        self.page = self.doc.new_page(width=self.WIDTH, height=self.HEIGHT)
        self.page.insert_font(fontname="vn", fontfile=font_path())
        self.page.insert_font(fontname="vnb", fontfile=font_path(bold=True))
        self.y = self.MARGIN

    def line(
        self,
        text: str,
        *,
        size: float = 11,
        bold: bool = False,
        x: float = 0,
        center: bool = False,
        gap: float = 5,
    ) -> None:
        if self.y + size > self.HEIGHT - self.MARGIN:
            self._new_page()
        font = _mupdf().Font(fontfile=font_path(bold))
        left = self.MARGIN + x
        if center:
            left = (self.WIDTH - font.text_length(text, fontsize=size)) / 2
        self.page.insert_text(
            (left, self.y + size), text, fontsize=size, fontname="vnb" if bold else "vn"
        )
        self.y += size + gap

    def cells(self, values: list[str], columns: list[float], *, bold: bool = False) -> None:
        if self.y + 11 > self.HEIGHT - self.MARGIN:
            self._new_page()
        y = self.y
        for value, x in zip(values, columns, strict=True):
            self.y = y
            self.line(value, x=x, bold=bold, gap=0)
        self.y = y + 16

    def space(self, height: float) -> None:
        self.y += height


def to_pdf(meeting: Meeting, poll: Poll) -> bytes:
    result = polls.result_of(poll) or {}
    w = _Writer()
    w.line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, center=True, size=12)
    w.line("Độc lập - Tự do - Hạnh phúc", bold=True, center=True, size=11)
    w.space(18)
    w.line("BIÊN BẢN KẾT QUẢ BIỂU QUYẾT", bold=True, center=True, size=15, gap=14)
    for label, value in summary_lines(meeting, poll, result):
        w.line(f"{label}: {value}"[:110])
    w.space(10)
    columns = [0.0, 330.0, 410.0]
    w.cells(["Phương án", "Số phiếu", "Tỉ lệ (%)"], columns, bold=True)
    for row in result["options"]:
        w.cells([row["label"][:55], str(row["votes"]), f"{row['percent']:.2f}"], columns)
    if result.get("blank"):
        w.cells(["Phiếu trắng", str(result["blank"]), ""], columns)
    if not poll.secret:
        w.space(10)
        w.line("Danh sách biểu quyết công khai", bold=True)
        for person in tally.named_list(poll):
            w.cells([person["full_name"][:40], choice_text(person)[:45]], [0.0, 230.0])
    w.space(30)
    if w.y + 100 > w.HEIGHT - w.MARGIN:
        w._new_page()
    w.cells(["THƯ KÝ", "CHỦ TRÌ"], [40.0, 320.0], bold=True)
    w.cells(["(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên)"], [20.0, 300.0])
    # Embed only the glyphs used: the whole DejaVu Sans pair made a 1-page record 1.5 MB.
    w.doc.subset_fonts()
    data: bytes = w.doc.tobytes(garbage=3, deflate=True)
    w.doc.close()
    return data
