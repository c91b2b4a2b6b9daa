"""The schema: migrations match the models, and the schema itself keeps pupils anonymous."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, Time, create_engine, inspect

import surveys.models  # noqa: F401
from surveys.extensions import db
from surveys.migrate import head_revision, upgrade
from tests.conftest import ENGINES, new_database


@pytest.mark.parametrize("engine_name", ENGINES)
def test_migrating_an_empty_database_yields_exactly_the_models(
    engine_name: str, tmp_path: Path
) -> None:
    url, drop = new_database(engine_name, tmp_path)
    engine = create_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert context.get_current_revision() == head_revision()
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        assert set(inspect(engine).get_table_names()) == set(db.metadata.tables) | {
            "alembic_version"
        }
        # Downgrading to nothing and back works too, so a bad migration can be undone.
        from alembic import command

        from surveys.migrate import alembic_config

        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert "responses" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
        drop()  # type: ignore[operator]


# --- DESIGN §4 P1-P3 in the schema itself -------------------------------------------------


def columns(table: str) -> dict[str, object]:
    return {c.name: c for c in db.metadata.tables[table].columns}


def test_a_response_holds_only_id_wave_group_grade_and_date() -> None:
    assert set(columns("responses")) == {"id", "wave_id", "group_id", "grade", "submitted_on"}


@pytest.mark.parametrize(
    "table",
    [
        "responses",
        "answers",
        "construct_scores",
        "submission_receipts",
        "one_time_codes",
        "conversation_requests",
    ],
)
def test_pupil_tables_hold_no_time_of_day(table: str) -> None:
    for name, column in columns(table).items():
        assert not isinstance(column.type, DateTime | Time), f"{table}.{name} holds a time"


@pytest.mark.parametrize(
    "table",
    ["responses", "answers", "construct_scores", "submission_receipts", "conversation_requests"],
)
def test_pupil_tables_hold_no_device_address_or_code(table: str) -> None:
    forbidden = (
        "ip",
        "addr",
        "agent",
        "device",
        "code",
        "session",
        "token",
        "created_at",
        "time",
        "seq",
        "order",
    )
    for name in columns(table):
        for word in forbidden:
            assert word not in name.split("_"), f"{table}.{name} looks like {word!r}"


def test_response_ids_are_random_uuids_not_a_sequence() -> None:
    column = db.metadata.tables["responses"].c.id
    assert column.primary_key
    assert column.autoincrement is not True
    assert column.type.python_type.__name__ == "UUID"
    assert column.default is not None and column.default.arg.__name__ == "uuid4"


@pytest.mark.parametrize("table", ["answers", "construct_scores"])
def test_answers_and_scores_have_no_sequential_key(table: str) -> None:
    pk = [c.name for c in db.metadata.tables[table].primary_key.columns]
    assert "id" not in pk
    assert "response_id" in pk


@pytest.mark.parametrize(
    "table", ["submission_receipts", "one_time_codes", "conversation_requests", "class_sessions"]
)
def test_nothing_next_to_a_response_points_at_it(table: str) -> None:
    """Receipts, codes, sessions and conversation requests cannot be tied to a response."""
    for fk in db.metadata.tables[table].foreign_keys:
        assert fk.column.table.name not in {"responses", "answers", "construct_scores"}


def test_no_table_points_at_the_pupil_tables_except_their_own_parts() -> None:
    for table in db.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == "responses":
                assert table.name in {"answers", "construct_scores"}


def test_one_time_codes_are_hashes_with_a_used_flag() -> None:
    assert set(columns("one_time_codes")) == {"id", "wave_id", "group_id", "code_hash", "used"}


@pytest.mark.parametrize(
    "table", ["responses", "answers", "construct_scores", "submission_receipts",
              "conversation_requests"],
)
def test_sqlite_keeps_no_hidden_arrival_order(table: str, tmp_path: Path) -> None:
    """An ordinary SQLite table numbers its rows as they arrive (rowid); these have none."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    url, drop = new_database("sqlite", tmp_path)
    engine = create_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as conn, pytest.raises(OperationalError, match="rowid"):
            conn.execute(text(f"SELECT rowid FROM {table}"))
        assert db.metadata.tables[table].dialect_options["sqlite"]["with_rowid"] is False
    finally:
        engine.dispose()
        drop()  # type: ignore[operator]
