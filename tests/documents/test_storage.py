"""Content-addressed store: one copy per content, atomic, no path tricks."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from meetings.documents.storage import ContentStore, atomic_write, check_sha256


def test_same_content_stored_once(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "store")
    src = tmp_path / "a.pdf"
    src.write_bytes(b"%PDF-1.7 same bytes")
    sha = store.put_file(src)
    assert sha == hashlib.sha256(src.read_bytes()).hexdigest()
    inode = store.path(sha).stat().st_ino
    assert store.put_bytes(b"%PDF-1.7 same bytes") == sha
    assert store.path(sha).stat().st_ino == inode  # not rewritten
    assert store.path(sha).read_bytes() == src.read_bytes()
    assert store.path(sha).is_relative_to(store.root)
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert files == [store.path(sha)]  # nothing left in tmp/


@pytest.mark.parametrize(
    "bad", ["../" * 10 + "etc/passwd", "/etc/passwd", "A" * 64, "a" * 63, "g" * 64, "", "a" * 65]
)
def test_only_hex_digests_are_paths(tmp_path: Path, bad: str) -> None:
    store = ContentStore(tmp_path)
    with pytest.raises(ValueError):
        store.path(bad)
    with pytest.raises(ValueError):
        check_sha256(bad)


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)

    class Boom:
        def read(self, n: int) -> bytes:
            raise OSError("disk gone")

    with pytest.raises(OSError):
        store.put_stream(Boom())  # type: ignore[arg-type]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_concurrent_puts_of_same_content(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    data = b"%PDF" + bytes(range(256)) * 4000
    out: list[str] = []
    threads = [threading.Thread(target=lambda: out.append(store.put_bytes(data))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 1 and store.path(out[0]).read_bytes() == data
    assert store.delete(out[0]) and not store.exists(out[0]) and not store.delete(out[0])


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "x.png"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two" and [p.name for p in tmp_path.iterdir()] == ["x.png"]
