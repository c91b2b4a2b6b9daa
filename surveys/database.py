"""Engine set-up for both databases and the write-transaction rule for SQLite.

SQLite is the embedded default: write-ahead logging so readers never block the writer,
``synchronous=FULL`` so a committed answer survives a power cut, a busy timeout so concurrent
tablets wait instead of failing, and ``BEGIN IMMEDIATE`` for write transactions so that two
writers never both read and then fail to upgrade their lock. This follows SQLAlchemy's
documented pysqlite recipe ("Serializable isolation / Savepoints / Transactional DDL"): the
driver's own transaction handling is switched off and SQLAlchemy emits BEGIN itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from surveys.extensions import db

#: Execution option that marks a connection's next transaction as a write transaction.
WRITE_OPTION = "klasklimaat_write"


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Install the SQLite pragmas and BEGIN handling on ``engine`` (no-op for PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (the recipe's first half).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # The recipe's second half, choosing IMMEDIATE when the caller announced a write.
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def begin_write() -> None:
    """Start the session's write transaction (``BEGIN IMMEDIATE`` on SQLite).

    Call it at the start of a use case that writes, before it reads what it will change. A
    read-only transaction that is already open (loading the logged-in user, say) is ended first;
    pending unflushed changes at that point are a programming error.
    """
    session = db.session()  # the request's own Session behind the scoped proxy
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unsaved changes in the session")
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})
