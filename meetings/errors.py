"""One error type for REST and Socket.IO: a stable code, a message, an HTTP status."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from meetings import validation_vi

STATUS = {
    "invalid_payload": 400,
    "invalid_credentials": 401,
    "not_authenticated": 401,
    "csrf_failed": 403,
    "permission_denied": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "closed": 409,
    "too_large": 413,
    "account_locked": 423,
    "rate_limited": 429,
    "internal_error": 500,
    "unavailable": 503,
    "storage_unavailable": 503,
    "storage_full": 507,
}


class AppError(Exception):
    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def conflict(message: str, reason: str) -> AppError:
    """A command that no longer applies; `reason` tells the client which rule refused."""
    return AppError("conflict", message, {"reason": reason})


def not_found(what: str = "Không tìm thấy") -> AppError:
    return AppError("not_found", what)


def invalid_payload(exc: ValidationError) -> AppError:
    """Name the first offending field; the client shows the translated code anyway."""
    errors = exc.errors()
    where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
    detail = validation_vi.phrase(errors[0]) if errors else ""
    return AppError("invalid_payload", f"Dữ liệu không hợp lệ: {where} {detail}".strip())
