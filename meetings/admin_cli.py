"""`python -m meetings admin create`: a system admin without the demo seed.

The password is asked twice without echo on a terminal, or read from the first line of
stdin otherwise (`echo "$PW" | python -m meetings admin create ...` in a deployment script).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from meetings.errors import AppError

# Exit codes: 0 created, 1 refused (weak password, taken username...), 2 bad use.
REFUSED, USAGE = 1, 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = sub.add_parser("admin", help="system admins")
    admin.add_argument("action", choices=["create"])
    admin.add_argument("--username", help="tên đăng nhập (hỏi nếu thiếu)")
    admin.add_argument("--full-name", help="họ và tên (hỏi nếu thiếu)")
    admin.add_argument("--unit-code", help="mã đơn vị (mặc định: đơn vị gốc)")


def _ask(label: str, given: str | None, stdin: TextIO, stderr: TextIO) -> str | None:
    if given is not None:
        return given
    if not stdin.isatty():
        return None
    print(f"{label}: ", end="", file=stderr, flush=True)  # stdout stays for the result
    return stdin.readline().strip()


def _password(stdin: TextIO, stderr: TextIO) -> str | None:
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        print("Hai lần nhập mật khẩu không khớp.", file=stderr)
        return None
    return first


def create_admin(
    args: argparse.Namespace,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> int:
    """Run inside an app context; returns the process exit code."""
    from meetings.services.accounts.admins import create_system_admin

    username = _ask("Tên đăng nhập", args.username, stdin, stderr)
    full_name = _ask("Họ và tên", args.full_name, stdin, stderr)
    if username is None or full_name is None:
        print("Cần --username và --full-name khi không chạy từ bàn phím.", file=stderr)
        return USAGE
    password = _password(stdin, stderr)
    if password is None:
        return REFUSED
    try:
        user = create_system_admin(username, full_name, password, args.unit_code)
    except AppError as exc:
        print(exc.message, file=stderr)
        return REFUSED
    print(f"Đã tạo quản trị hệ thống '{user.username}'.", file=stdout)
    return 0
