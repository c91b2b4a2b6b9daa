"""Both engines for real: SQLite's pragmas and write locking, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from flask import Flask
from sqlalchemy import event, text

from surveys.database import begin_write
from surveys.extensions import db


def test_engine_is_the_requested_one(ctx: Flask, database_url: str) -> None:
    dialect = db.engine.dialect
    if database_url.startswith("sqlite"):
        assert dialect.name == "sqlite"
    else:
        assert (dialect.name, dialect.driver) == ("postgresql", "psycopg")
        assert db.session.execute(text("SELECT 1")).scalar() == 1


def sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas do not apply to PostgreSQL")


def test_sqlite_runs_with_wal_full_sync_busy_timeout_and_foreign_keys(
    ctx: Flask, database_url: str
) -> None:
    sqlite_only(database_url)
    pragma = lambda name: db.session.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("busy_timeout") == ctx.config["SQLITE_BUSY_TIMEOUT_MS"] >= 5000
    assert pragma("foreign_keys") == 1


def test_sqlite_write_transactions_begin_immediate(ctx: Flask, database_url: str) -> None:
    """A write transaction holds the write lock from its first statement on, so a second
    writer waits (or, without a timeout, is refused) instead of both reading and then failing."""
    sqlite_only(database_url)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    begin_write()
    db.session.execute(text("SELECT 1"))
    path = db.engine.url.database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        db.session.commit()
        assert statements[0] == "BEGIN IMMEDIATE"
        other.execute("BEGIN IMMEDIATE")  # free again after commit
        other.execute("ROLLBACK")
    finally:
        other.close()
        event.remove(db.engine, "before_cursor_execute", record)


def test_sqlite_reads_begin_deferred_and_do_not_block_writers(
    ctx: Flask, database_url: str
) -> None:
    sqlite_only(database_url)
    db.session.execute(text("SELECT 1"))  # a read transaction
    other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # a writer elsewhere is not blocked by our read
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_begin_write_refuses_unsaved_changes(ctx: Flask) -> None:
    from surveys.models import Board

    db.session.add(Board(name="x"))
    with pytest.raises(RuntimeError, match="unsaved"):
        begin_write()


def test_concurrent_writers_wait_for_each_other(app: Flask, database_url: str) -> None:
    """Eight threads each add rows in write transactions; none fails, none is lost."""
    from surveys.models import Board

    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            with app.app_context():
                for i in range(5):
                    begin_write()
                    db.session.add(Board(name=f"b{n}-{i}"))
                    db.session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM boards")) == 40
