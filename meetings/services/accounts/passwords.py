"""The one password rule, for every place a password is set (admin CLI, users API).

No strength library is installed (zxcvbn is not), so the rule is the brief's: at least
MIN_PASSWORD_LENGTH characters, and not only letters nor only digits.
"""

from __future__ import annotations

from meetings.errors import AppError

MIN_PASSWORD_LENGTH = 10


def check_password_strength(password: str) -> None:
    """Refuse a weak password with `weak_password` and a message saying what is missing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AppError(
            "weak_password", f"Mật khẩu quá ngắn: cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."
        )
    if password.isalpha() or password.isdigit():
        raise AppError(
            "weak_password",
            "Mật khẩu quá yếu: không được chỉ gồm chữ cái hoặc chỉ gồm chữ số; "
            "hãy thêm chữ số hoặc ký hiệu.",
        )
