"""The result exports: the screens' words, a small PDF with readable Vietnamese, exact
headers (issue 10 §4)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from meetings.services.voting.export import _mupdf
from tests.voting.conftest import new_key, ok, option

MAX_RESULT_PDF_BYTES = 200_000
ROOT = Path(__file__).resolve().parents[2]


def _published(make_poll: Any, joined: Any, chair: Any, meeting_id: int) -> dict[str, Any]:
    """delegate01 for, delegate02 abstains ("Không biểu quyết"), the other 8 do not vote."""
    poll = make_poll()
    ref = {"meeting_id": meeting_id, "poll_id": poll["id"]}
    for username, code in (("delegate01", "yes"), ("delegate02", "abstain")):
        body = {**ref, "ballot_id": new_key(), "choices": [option(poll, code)]}
        ok(joined(username).emit("poll.cast", body, callback=True))
    ok(chair.emit("poll.close", ref, callback=True))
    view: dict[str, Any] = ok(chair.emit("poll.publish", ref, callback=True))["poll"]
    named = ok(chair.emit("poll.get", ref, callback=True))["poll"]["named_list"]
    return {**view, "named_list": named}


def _rows(pdf: bytes) -> tuple[list[str], list[Any]]:
    """The text of each printed row (cells on one baseline joined), and the page fonts."""
    doc = _mupdf().open(stream=pdf, filetype="pdf")
    rows: list[str] = []
    fonts: list[Any] = []
    for page in doc:
        by_y: dict[float, list[tuple[float, str]]] = defaultdict(list)
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    by_y[round(span["origin"][1])].append((span["origin"][0], span["text"]))
        rows += [" | ".join(t for _x, t in sorted(by_y[y])) for y in sorted(by_y)]
        fonts += page.get_fonts()
    doc.close()
    return rows, fonts


def test_result_pdf_is_small_says_chua_bieu_quyet_and_keeps_vietnamese(
    make_poll: Any, joined: Any, chair: Any, meeting_id: int, login_as: Any
) -> None:
    poll = _published(make_poll, joined, chair, meeting_id)
    response = login_as("delegate01").get(
        f"/api/meetings/{meeting_id}/polls/{poll['id']}/result.pdf"
    )
    assert response.status_code == 200
    pdf = response.data
    assert len(pdf) < MAX_RESULT_PDF_BYTES, len(pdf)

    rows, fonts = _rows(pdf)
    # Only subsets are embedded (PDF names a subset "ABCDEF+Name").
    assert fonts and all(re.match(r"^[A-Z]{6}\+", f[3]) for f in fonts), fonts
    text = "\n".join(rows)
    for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BIÊN BẢN KẾT QUẢ BIỂU QUYẾT"):
        assert phrase in text, phrase
    people = {p["full_name"]: p for p in poll["named_list"]}
    for name, person in people.items():
        row = next(r for r in rows if r.startswith(name + " |"))
        if not person["voted"]:
            assert row == f"{name} | Chưa biểu quyết", row
    voters = {p["full_name"]: p["choices"] for p in poll["named_list"] if p["voted"]}
    assert sorted(map(tuple, voters.values())) == [("Không biểu quyết",), ("Tán thành",)]
    for name, choices in voters.items():
        assert f"{name} | {choices[0]}" in rows
    # "(không biểu quyết)" was the old label for people who did not vote: gone.
    assert "(không biểu quyết)" not in text.lower()
    assert "Chưa biểu quyết: 8" in rows
    assert any(r.startswith("Túc số: 2/10 đại biểu đã biểu quyết, cần 6") for r in rows), rows


def test_result_csv_uses_the_same_words_and_one_charset(
    make_poll: Any, joined: Any, chair: Any, meeting_id: int, login_as: Any
) -> None:
    poll = _published(make_poll, joined, chair, meeting_id)
    response = login_as("chair").get(f"/api/meetings/{meeting_id}/polls/{poll['id']}/result.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data(as_text=True)
    assert "Chưa biểu quyết,8" in body
    not_voted = next(p["full_name"] for p in poll["named_list"] if not p["voted"])
    assert f"{not_voted},Không,Chưa biểu quyết" in body


def test_no_route_spells_out_a_charset_flask_adds_itself() -> None:
    """Flask appends "; charset=utf-8" to text mimetypes: spelling it out doubled it."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "meetings").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"mimetype\s*=\s*[\"'][^\"']*charset", line)
    ]
    assert offenders == []
