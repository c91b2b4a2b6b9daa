"""Alembic environment: migrates the database of the Flask app (or a connection handed in)."""

from __future__ import annotations

from alembic import context

import surveys.models  # noqa: F401  (registers every table)
from surveys.extensions import db

config = context.config
target_metadata = db.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Run as `alembic` from the command line: use the app's configured database.
    from surveys import create_app

    app = create_app()
    with app.app_context(), db.engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run init-db instead.")
run_migrations_online()
