"""`python -m meetings admin create` and the one password rule behind it."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from meetings import admin_cli
from meetings.db import db
from meetings.errors import AppError
from meetings.models import Unit, User
from meetings.services.accounts.passwords import check_password_strength
from tests.conftest import login, post, unique

ROOT = Path(__file__).resolve().parents[1]
STRONG = "Quản-trị-2026"


@pytest.mark.parametrize("weak", ["Ab#12", "abcdefghijkl", "0123456789012", "ĐàNẵngQuảngNam"])
def test_weak_passwords_are_refused_with_their_own_code(weak: str) -> None:
    with pytest.raises(AppError) as refused:
        check_password_strength(weak)
    assert refused.value.code == "weak_password" and "Mật khẩu quá" in refused.value.message


def test_ten_characters_mixing_letters_and_digits_pass() -> None:
    check_password_strength("matkhau123")
    check_password_strength(STRONG)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(app: Any, stdin: io.StringIO, **options: str | None) -> tuple[int, str, str]:
    args = argparse.Namespace(
        action="create",
        username=options.get("username"),
        full_name=options.get("full_name"),
        unit_code=options.get("unit_code"),
    )
    out, err = io.StringIO(), io.StringIO()
    with app.app_context():
        code = admin_cli.create_admin(args, stdin, out, err)
    return code, out.getvalue(), err.getvalue()


def _users(app: Any) -> int:
    with app.app_context():
        return db.scalar(select(func.count()).select_from(User)) or 0


def test_password_from_piped_stdin_makes_a_system_admin_in_the_root_unit(
    app: Any, client: Any
) -> None:
    name = unique("root")
    code, out, err = _run(app, io.StringIO(STRONG + "\n"), username=name, full_name="Quản Trị")
    assert (code, err) == (0, "") and name in out
    with app.app_context():
        user = db.scalar(select(User).where(User.username == name))
        assert user is not None and user.is_system_admin and user.unit is not None
        assert user.unit.depth == 0
    login(client, name, STRONG)


def test_terminal_asks_everything_and_the_password_twice(app: Any, monkeypatch: Any) -> None:
    typed = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr(admin_cli.getpass, "getpass", lambda _prompt: next(typed))
    name = unique("tty")
    before = _users(app)
    code, _out, err = _run(app, _Terminal(f"{name}\nNguyễn Quản Trị\n"))
    assert code == 1 and "không khớp" in err and _users(app) == before
    typed = iter([STRONG, STRONG])
    code, _out, err = _run(app, _Terminal(f"{name}\nNguyễn Quản Trị\n"), unit_code="347")
    assert (code, err) == (0, "Tên đăng nhập: Họ và tên: ")  # prompts: stdout keeps the result
    with app.app_context():
        user = db.scalar(select(User).where(User.username == name))
        assert user is not None and user.full_name == "Nguyễn Quản Trị"
        assert user.unit_id == db.scalar(select(Unit.id).where(Unit.code == "347"))


@pytest.mark.parametrize(
    ("options", "password", "code", "message"),
    [
        ({"username": "ADMIN", "full_name": "X"}, STRONG, 1, "đã tồn tại"),
        ({"username": "fresh-one", "full_name": "X"}, "ngan123", 1, "ít nhất 10 ký tự"),
        ({"username": "fresh-one", "full_name": "X"}, "chichucaithoi", 1, "chỉ gồm chữ cái"),
        ({"username": "có dấu", "full_name": "X"}, STRONG, 1, "Tên đăng nhập gồm"),
        ({"username": "fresh-one", "full_name": "X", "unit_code": "nope"}, STRONG, 1, "nope"),
        ({"full_name": "X"}, STRONG, 2, "--username"),
    ],
)
def test_bad_input_is_refused_on_stderr_and_changes_nothing(
    app: Any, options: dict[str, str], password: str, code: int, message: str
) -> None:
    before = _users(app)
    got, out, err = _run(app, io.StringIO(password + "\n"), **options)
    assert (got, out) == (code, "") and message in err
    assert _users(app) == before


def test_users_api_applies_the_same_rule(login_as: Any) -> None:
    admin = login_as("secretary")
    unit = admin.get("/api/units").get_json()["units"][0]
    body = {"username": unique("weak"), "full_name": "X", "password": "12345678901"}
    r = post(admin, "/api/users", {**body, "unit_id": unit["id"]})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "weak_password"
    names = {u["username"] for u in admin.get("/api/users").get_json()["users"]}
    assert body["username"] not in names


def test_the_module_command_exits_0_then_1_for_the_same_username(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'first.db'}",
        "INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": "test-secret",
    }
    command = [sys.executable, "-m", "meetings", "admin", "create"]
    command += ["--username", "boss", "--full-name", "Quản Trị Đầu Tiên"]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, input=STRONG + "\n", env=env, cwd=ROOT, capture_output=True, text=True
        )

    first = run()
    assert first.returncode == 0, first.stderr
    assert "Đã tạo quản trị hệ thống 'boss'" in first.stdout
    second = run()
    assert second.returncode == 1 and "Tên đăng nhập đã tồn tại." in second.stderr
