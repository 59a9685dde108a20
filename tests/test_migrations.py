from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from meetings.migrate import upgrade
from meetings.models import Base
from tests.conftest import reset_postgres

EXPECTED_TABLES = {"units", "bridges", "users", "unit_admins", "meetings", "participants"}


def _check_empty_database_migrates(url: str) -> None:
    upgrade(url)
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert tables >= EXPECTED_TABLES
        assert "alembic_version" in tables
        with engine.connect() as conn:
            # The migrations produce exactly what the models declare.
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        upgrade(url)  # a second run is a no-op
    finally:
        engine.dispose()


def test_migrations_on_empty_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _check_empty_database_migrates(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() in {"wal", "delete"}
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_migrations_on_empty_postgresql() -> None:
    url = os.environ["TEST_DATABASE_URL"]
    reset_postgres(url)
    _check_empty_database_migrates(url)


def test_sqlite_runs_in_wal_mode(app: object) -> None:
    from meetings.db import db

    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert db.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
