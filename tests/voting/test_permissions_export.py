"""Every poll command against every role; REST exports (CSV, PDF) and who may fetch them."""

from __future__ import annotations

from typing import Any

import pytest

from meetings.models import MeetingRole
from meetings.permissions import MANAGER_PERMS, ROLE_PERMS
from meetings.realtime.registry import COMMANDS
from tests.voting.conftest import err, new_key, ok, option

ROLES = {
    "chair": ROLE_PERMS[MeetingRole.CHAIR],
    "secretary": ROLE_PERMS[MeetingRole.SECRETARY],
    "delegate01": ROLE_PERMS[MeetingRole.DELEGATE],
    "bridge": ROLE_PERMS[MeetingRole.BRIDGE_OPERATOR],
    "admin": MANAGER_PERMS,  # system admin: organises the meeting, does not run or vote in it
}


@pytest.mark.parametrize("username", sorted(ROLES))
def test_every_poll_command_checks_its_permission(
    username: str, joined: Any, make_poll: Any, meeting_id: int
) -> None:
    poll = make_poll(open=False)
    sc = joined(username)
    names = sorted(n for n in COMMANDS if n.startswith("poll."))
    assert {"poll.create", "poll.cast", "poll.open", "poll.close", "poll.publish"} <= set(names)
    for name in names:
        cmd = COMMANDS[name]
        payload = {**cmd.example, "meeting_id": meeting_id}
        if "poll_id" in payload:
            payload["poll_id"] = poll["id"]
        if name == "poll.cast":
            payload["ballot_id"] = new_key()
        ack = sc.emit(name, payload, callback=True)
        allowed = cmd.permission in ROLES[username]
        if allowed:
            assert ack["ok"] or ack["error"]["code"] != "permission_denied", (name, ack)
        else:
            assert not ack["ok"] and ack["error"]["code"] == "permission_denied", (name, ack)


def test_delegates_do_not_see_drafts(joined: Any, make_poll: Any, meeting_id: int) -> None:
    draft = make_poll(open=False)
    d1 = joined("delegate01")
    ref = {"meeting_id": meeting_id, "poll_id": draft["id"]}
    assert err(d1.emit("poll.get", ref, callback=True)) == "not_found"
    listed = ok(d1.emit("poll.list", {"meeting_id": meeting_id}, callback=True))["polls"]
    assert draft["id"] not in [p["id"] for p in listed]


def _closed_poll(make_poll: Any, joined: Any, chair: Any, meeting_id: int, **kw: Any) -> Any:
    poll = make_poll(**kw)
    for username, code in (("delegate01", "yes"), ("delegate02", "no")):
        body = {"meeting_id": meeting_id, "poll_id": poll["id"], "ballot_id": new_key()}
        ok(
            joined(username).emit(
                "poll.cast", {**body, "choices": [option(poll, code)]}, callback=True
            )
        )
    ok(chair.emit("poll.close", {"meeting_id": meeting_id, "poll_id": poll["id"]}, callback=True))
    return poll


def test_exports_before_and_after_publish(
    make_poll: Any, joined: Any, chair: Any, meeting_id: int, login_as: Any
) -> None:
    poll = _closed_poll(make_poll, joined, chair, meeting_id)
    base = f"/api/meetings/{meeting_id}/polls/{poll['id']}"
    delegate, secretary = login_as("delegate01"), login_as("secretary")
    assert delegate.get(base + "/result.csv").status_code == 403  # not published yet
    response = secretary.get(base + "/result.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff") and "Tán thành,1,10.00" in text
    assert "Lê Văn An,Có,Tán thành" in text  # named list: who chose what
    ok(chair.emit("poll.publish", {"meeting_id": meeting_id, "poll_id": poll["id"]}, callback=True))
    assert delegate.get(base + "/result.csv").status_code == 200
    pdf = delegate.get(base + "/result.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    from meetings.services.voting.export import _mupdf

    doc = _mupdf().open(stream=pdf.data, filetype="pdf")
    extracted = "".join(doc[i].get_text() for i in range(doc.page_count))
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BIÊN BẢN KẾT QUẢ BIỂU QUYẾT",
        "Không tán thành",
        "Không biểu quyết",
        "Quá nửa tổng số đại biểu",
        "Phạm Thị Bình",
        "Đặng Văn Đức",
        "(Ký, ghi rõ họ tên)",
    ):
        assert phrase in extracted, phrase
    assert delegate.get(f"{base}x/result.pdf").status_code == 404


def test_secret_export_has_no_names(
    make_poll: Any, joined: Any, chair: Any, meeting_id: int, login_as: Any
) -> None:
    poll = _closed_poll(make_poll, joined, chair, meeting_id, secret=True)
    text = login_as("chair").get(f"/api/meetings/{meeting_id}/polls/{poll['id']}/result.csv")
    body = text.get_data(as_text=True)
    assert "bỏ phiếu kín" in body and "Lê Văn An" not in body


def test_rest_list_and_get(make_poll: Any, meeting_id: int, login_as: Any) -> None:
    poll = make_poll()
    client = login_as("delegate05")
    listed = client.get(f"/api/meetings/{meeting_id}/polls").get_json()["polls"]
    assert poll["id"] in [p["id"] for p in listed]
    one = client.get(f"/api/meetings/{meeting_id}/polls/{poll['id']}").get_json()["poll"]
    assert one["me"] == {"eligible": True, "voted": False}
    assert login_as("delegate05").get(f"/api/meetings/{meeting_id + 999}/polls").status_code == 404
