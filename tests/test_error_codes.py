"""Every error code a client can receive is registered (and so documented) in one place.

The scan reads the source, so a code raised on a path no test reaches is still caught.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from meetings.errors import CONFLICT_REASONS, ERROR_CODES, AppError, conflict
from meetings.realtime import load_commands
from meetings.realtime.registry import COMMANDS

PACKAGE = Path(__file__).resolve().parent.parent / "meetings"
RAISERS = {"AppError", "DocError"}  # constructors whose first argument is the code


def _strings(node: ast.expr) -> list[str] | None:
    """The literal strings an expression can be (`a if x else b` included); None: dynamic."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body), _strings(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _app_error_subclasses(tree: ast.Module) -> Iterator[ast.ClassDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id in RAISERS for b in node.bases
        ):
            yield node


def _uses() -> Iterator[tuple[str, str, list[str] | None, str]]:
    """(kind, where, literal values or None, ...) for every code / reason in the source."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        where = str(path.relative_to(PACKAGE.parent))
        subclass_inits = {
            id(call)
            for cls in _app_error_subclasses(tree)
            for call in ast.walk(cls)
            if isinstance(call, ast.Call) and _name(call) == "__init__"
        }
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            name = _name(call)
            if name in RAISERS or id(call) in subclass_inits:
                yield "code", f"{where}:{call.lineno}", _strings(call.args[0]), name
                details = call.args[2] if len(call.args) > 2 else None
                if isinstance(details, ast.Dict):
                    for key, value in zip(details.keys, details.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == "reason":
                            yield "reason", f"{where}:{call.lineno}", _strings(value), name
            elif name == "conflict" and len(call.args) > 1:
                yield "reason", f"{where}:{call.lineno}", _strings(call.args[1]), name


# Calls whose code is computed; each is checked against its source of codes below.
DYNAMIC = {
    "meetings/app.py",
    "meetings/media_bridge/node_errors.py",
    "meetings/services/documents/files.py",
}
# conflict() checks its reason itself; document errors put the pipeline's log text there.
REASON_PASSERS = ("meetings/errors.py", "meetings/services/documents/files.py")


def test_every_code_and_reason_in_the_source_is_registered() -> None:
    unregistered, unexplained_dynamic = [], []
    uses = list(_uses())
    assert len(uses) > 40, "the scan found almost nothing: is it still looking at the code?"
    for kind, where, values, _ in uses:
        if values is None:
            if kind == "code" and where.rsplit(":", 1)[0] in DYNAMIC:
                continue
            if kind == "reason" and where.startswith(REASON_PASSERS):
                continue
            unexplained_dynamic.append(where)
            continue
        table = ERROR_CODES if kind == "code" else CONFLICT_REASONS
        unregistered += [(kind, v, where) for v in values if v not in table]
    assert unregistered == []
    assert unexplained_dynamic == []


def test_computed_codes_come_from_registered_tables() -> None:
    from media.protocol import ERROR_CODES as NODE_CODES
    from meetings.app import _HTTP_CODES
    from meetings.documents.errors import CODES as DOCUMENT_CODES
    from meetings.media_bridge.node_errors import app_error
    from meetings.media_bridge.nodes import NodeError
    from meetings.services.documents.files import _STATUS as DOC_STATUS
    from meetings.services.documents.files import DocError

    assert set(_HTTP_CODES.values()) | {"http_error"} <= set(ERROR_CODES)
    for code in set(DOCUMENT_CODES) | set(DOC_STATUS):
        assert code in ERROR_CODES, code
        # The documents layer keeps its own statuses: they must agree with the table.
        assert DocError(code, "").status == ERROR_CODES[code].status, code
    for node_code in (*NODE_CODES, "unavailable", "timeout", "something_new"):
        err = app_error(NodeError(node_code, "x"))
        assert err.code in ERROR_CODES
        assert err.details == {"node_code": node_code, "node_message": "x"}


def test_every_command_declares_registered_codes() -> None:
    load_commands()
    assert COMMANDS
    for name, cmd in COMMANDS.items():
        unknown = [code for code in cmd.all_errors if code not in ERROR_CODES]
        assert unknown == [], name


def test_unregistered_code_or_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="not registered"):
        AppError("oops_new_code", "x")
    with pytest.raises(ValueError, match="not registered"):
        conflict("x", "made_up_reason")
    err = conflict("Cuộc họp đã kết thúc.", "ended")
    assert (err.status, err.body()["error"]["details"]) == (409, {"reason": "ended"})


def test_every_code_has_a_translation_in_both_catalogs() -> None:
    """Errors travel as codes and the client translates them (webclient/js/i18n.js)."""
    root = PACKAGE.parent / "webclient" / "i18n"
    for lang in ("vi", "en"):
        catalog = json.loads((root / f"{lang}.json").read_text("utf-8"))
        assert [c for c in ERROR_CODES if f"error.{c}" not in catalog] == [], lang
