"""What a failing backing service looks like to clients: a specific code and a Vietnamese
message instead of `internal_error` (or no answer at all).

One rule for REST (app error handler) and Socket.IO (`dispatch`):
- the database refuses or drops connections → `unavailable` (503): retry later;
- the documents folder is full → `storage_full` (507), read-only or failing →
  `storage_unavailable` (503): an administrator must act.
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from meetings.errors import AppError

_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
# Cannot write where the store lives: read-only mount, lost permissions, a path that
# became a file, a failing disk.
_UNWRITABLE = frozenset(
    {errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.ENOTDIR, errno.EEXIST}
)


def is_database_outage(exc: BaseException) -> bool:
    """The database cannot be reached (refused, dropped, timed out, pool exhausted)."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def database_unavailable() -> AppError:
    return AppError(
        "unavailable", "Không kết nối được cơ sở dữ liệu, vui lòng thử lại sau ít phút."
    )


def storage_error(exc: BaseException) -> AppError | None:
    """The AppError for a failed write to the server's files, or None if `exc` is not one."""
    if not isinstance(exc, OSError) or exc.errno is None:
        return None
    if exc.errno in _FULL:
        return AppError("storage_full", "Không ghi được tài liệu: bộ nhớ máy chủ đã đầy.")
    if exc.errno in _UNWRITABLE:
        return AppError(
            "storage_unavailable", "Không ghi được tài liệu: thư mục lưu trữ không ghi được."
        )
    return None


def outage_error(exc: BaseException) -> AppError | None:
    """The client-facing error for an outage, or None when `exc` is a plain bug."""
    if is_database_outage(exc):
        return database_unavailable()
    return storage_error(exc)
