"""Messages users see are Vietnamese (issue 10 §4: "offer has no audio or video section",
and "Dữ liệu không hợp lệ: title String should have at least 1 character").

Every error a client receives is an AppError (or a subclass), built directly or through a
helper such as `conflict()`. This test reads the source of meetings/ and checks the
message of each of them: a literal (or f-string, whose fixed parts are checked) must
contain a Vietnamese letter; anything computed must be one of the reviewed sources below.
A new English message, a new helper or a new pass-through of someone else's text fails.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from meetings.documents import errors as doc_errors
from meetings.documents.ingest import meaningful_title
from meetings.errors import invalid_payload
from meetings.services.documents import files as doc_files

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "meetings"

VIETNAMESE_LETTERS = frozenset(
    "àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ"
    "ÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬĐÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ"
)

# Functions that build an AppError from a message argument: name -> (position, keyword).
# A helper that is not listed here fails test_every_error_helper_is_known.
MESSAGE_ARG = {
    "AppError": (1, "message"),
    "DocError": (1, "message"),
    "VersionConflict": (1, "message"),
    "conflict": (0, "message"),
    "not_found": (0, "what"),
    "invalid_choice": (0, "message"),
}
# Helpers whose message is fixed inside (their AppError(...) call is checked there) or
# derived from an exception that is checked elsewhere.
BUILDS_ITS_OWN = {
    "invalid_payload",
    "_locked",
    "_not_found",
    "_gone",
    "from_document_error",
    "app_error",
    "database_unavailable",
    "_unexpected",
}

# Computed messages that were reviewed: (file, enclosing function, source of the message).
REVIEWED = {
    # the table _MESSAGES (checked below) with the pipeline's text only for unknown codes,
    # and every code has an entry (test_every_document_error_code_has_a_message)
    (
        "meetings/services/documents/files.py",
        "from_document_error",
        "_MESSAGES.get(exc.code, exc.message)",
    ),
    # the first pydantic error, worded by meetings/validation_vi.py
    ("meetings/errors.py", "invalid_payload", "f'Dữ liệu không hợp lệ: {where} {detail}'.strip()"),
    # the media node's codes worded in Vietnamese by a table with a fallback of its own
    (
        "meetings/media_bridge/node_errors.py",
        "app_error",
        "NODE_MESSAGES.get(exc.code, NODE_MESSAGES['unavailable'])",
    ),
    # Werkzeug's English descriptions replaced by the table (test_http_errors_are_vietnamese)
    (
        "meetings/app.py",
        "_http_error",
        "_HTTP_MESSAGES.get(exc.code or 500, 'Yêu cầu không thực hiện được.')",
    ),
}


@dataclass(frozen=True)
class Finding:
    where: str
    text: str


def is_vietnamese(text: str) -> bool:
    return any(c in VIETNAMESE_LETTERS for c in text)


def _fixed_text(node: ast.expr) -> str | None:
    """The literal text of a message expression, f-string parts included; None if computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fixed_text(node.left), _fixed_text(node.right)
        if left is not None or right is not None:
            return (left or "") + (right or "")
    if isinstance(node, ast.IfExp):
        a, b = _fixed_text(node.body), _fixed_text(node.orelse)
        if a is not None and b is not None:
            return a if not is_vietnamese(a) else b
    return None


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _message(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def scan() -> tuple[list[Finding], list[Finding], set[str]]:
    """(English literals, unreviewed computed messages, helpers returning an AppError)."""
    english: list[Finding] = []
    computed: list[Finding] = []
    helpers: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        owner: dict[ast.AST, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        for fn in _functions(tree):  # outer before inner: the innermost function wins
            if fn.returns is not None and ast.unparse(fn.returns) in {"AppError", "DocError"}:
                helpers.add(fn.name)
            for inner in ast.walk(fn):
                if inner is not fn:
                    owner[inner] = fn
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = _callee(call)
            if name not in MESSAGE_ARG:
                continue
            node = _message(call, *MESSAGE_ARG[name])
            if node is None:
                continue  # the helper's own default (checked where it is defined)
            fn = owner.get(call)
            params = {a.arg for a in fn.args.args} if fn else set()
            if isinstance(node, ast.Name) and node.id in params and fn and fn.name in helpers:
                continue  # a helper passing its parameter on: its callers are checked
            where = f"{rel}:{call.lineno}"
            text = _fixed_text(node)
            if text is None or not text.strip():
                key = (rel, fn.name if fn else "", ast.unparse(node))
                if key not in REVIEWED:
                    computed.append(Finding(where, ast.unparse(node)))
            elif not is_vietnamese(text):
                english.append(Finding(where, text))
    return english, computed, helpers


def test_every_error_message_literal_is_vietnamese() -> None:
    english, _computed, _helpers = scan()
    assert english == []


def test_every_computed_error_message_was_reviewed() -> None:
    _english, computed, _helpers = scan()
    assert computed == []


def test_every_error_helper_is_known() -> None:
    _english, _computed, helpers = scan()
    assert helpers <= set(MESSAGE_ARG) | BUILDS_ITS_OWN, helpers - set(MESSAGE_ARG)


def test_the_scan_catches_english() -> None:
    assert not is_vietnamese("offer has no audio or video section")
    assert is_vietnamese("Cuộc họp chưa bắt đầu.")
    tree = ast.parse('conflict(f"peer {x} sends no audio", "r")')
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    node = _message(call, *MESSAGE_ARG["conflict"])
    assert node is not None and _fixed_text(node) == "peer  sends no audio"


def test_every_document_error_code_has_a_message() -> None:
    messages = doc_files._MESSAGES
    assert set(doc_errors.CODES) <= set(messages)
    assert all(is_vietnamese(m) for m in messages.values())


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    title: str = Field(min_length=1, max_length=300)
    count: int = Field(default=1, ge=1)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"title": ""}, "Dữ liệu không hợp lệ: title cần ít nhất 1 ký tự"),
        ({}, "Dữ liệu không hợp lệ: title bắt buộc phải có"),
        ({"title": "x", "count": 0}, "Dữ liệu không hợp lệ: count phải từ 1 trở lên"),
        ({"title": "x", "extra": 1}, "Dữ liệu không hợp lệ: extra không được phép gửi trường này"),
        ({"title": "x", "count": "1"}, "Dữ liệu không hợp lệ: count phải là số nguyên"),
    ],
)
def test_invalid_payload_messages_are_vietnamese(payload: dict[str, object], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate(payload)
    assert invalid_payload(caught.value).message == expected


def test_http_errors_are_vietnamese(client: Any) -> None:
    from meetings import app as app_module

    assert all(is_vietnamese(m) for m in app_module._HTTP_MESSAGES.values())
    response = client.get("/api/no-such-route")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"]["code"] == "not_found" and is_vietnamese(body["error"]["message"])


@pytest.mark.parametrize("placeholder", ["Untitled", "untitled 1", "Microsoft Word - Document1"])
def test_a_placeholder_pdf_title_gives_way_to_the_file_name(
    app: Any, login_as: Any, tmp_path: Path, placeholder: str
) -> None:
    from tests.documents_web.conftest import upload, write_blank_pdf
    from tests.realtime.room import make_room

    room = make_room(app)
    path = write_blank_pdf(tmp_path / "a.pdf", pages=1)
    doc = pymupdf.open(path)
    doc.set_metadata({"title": placeholder})
    doc.saveIncr()
    doc.close()
    secretary = login_as("secretary")
    response = upload(secretary, room.meeting_id, path, "Tờ trình số 5.pdf")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["document"]["title"] == "Tờ trình số 5"


def test_an_empty_title_is_refused_in_vietnamese_and_changes_nothing(
    app: Any, login_as: Any, tmp_path: Path
) -> None:
    from tests.conftest import csrf_token
    from tests.documents_web.conftest import upload, write_blank_pdf
    from tests.realtime.room import make_room

    room = make_room(app)
    secretary = login_as("secretary")
    path = write_blank_pdf(tmp_path / "b.pdf", pages=1)
    created = upload(secretary, room.meeting_id, path, "Báo cáo.pdf").get_json()["document"]
    url = f"/api/documents/{created['id']}"
    response = secretary.patch(
        url, json={"title": "   "}, headers={"X-CSRFToken": csrf_token(secretary)}
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_payload"
    assert error["message"] == "Dữ liệu không hợp lệ: title cần ít nhất 1 ký tự"
    assert secretary.get(url).get_json()["document"]["title"] == created["title"]


def test_meaningful_title_keeps_real_titles() -> None:
    assert meaningful_title("Kế hoạch đầu tư công 2027") == "Kế hoạch đầu tư công 2027"
    assert meaningful_title("Documentation of the plan") == "Documentation of the plan"
    assert meaningful_title("  Untitled  ") is None and meaningful_title("") is None
