"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is found through ``TEST_DATABASE_URL``; without it the PostgreSQL variants are
skipped with a reason, unless ``KLASKLIMAAT_REQUIRE_POSTGRES=1`` (as in CI), where they fail.
Each test session migrates one database per engine (a private schema on PostgreSQL, a file on
SQLite) and every test starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from surveys import create_app
from surveys.extensions import db

ENGINES = ("sqlite", "postgresql")


def postgres_base_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("KLASKLIMAAT_REQUIRE_POSTGRES") == "1":
            pytest.fail("KLASKLIMAAT_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL variant skipped: set TEST_DATABASE_URL to run it")
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def new_database(engine: str, tmp_dir: Path) -> tuple[str, object]:
    """An empty database of ``engine``: its URL and a function that removes it."""
    if engine == "sqlite":
        path = tmp_dir / f"kk-{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{path}", lambda: None
    base = postgres_base_url()
    assert base is not None
    schema = f"kk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is down or unreachable
        admin.dispose()
        if os.environ.get("KLASKLIMAAT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at {make_url(base).host} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A migrated database of each engine, shared by the tests of one session."""
    url, drop = new_database(request.param, tmp_path_factory.mktemp("db"))
    app = create_app(base_config(url))
    with app.app_context():
        from surveys.migrate import upgrade

        upgrade(db.engine)
        db.engine.dispose()
    yield url
    drop()  # type: ignore[operator]


def base_config(url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "ENVIRONMENT": "testing",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": True,
    }


def empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f'DELETE FROM "{table}"'))
    db.session.commit()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on a clean database (no app context pushed: tests push their own)."""
    application = create_app(base_config(database_url))
    application.instance_path = str(tmp_path)
    yield application
    with application.app_context():
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for tests that call services directly."""
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(scope="session", params=ENGINES)
def demo_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A read-only app on a database holding the demo school (seed 2026), built once per engine
    and test session. Tests that use it must not write to it."""
    url, drop = new_database(request.param, tmp_path_factory.mktemp("demo"))
    application = create_app(base_config(url))
    with application.app_context():
        from surveys.migrate import upgrade
        from surveys.services.demo import build_demo

        upgrade(db.engine)
        build_demo(schools=1, years=3, seed=2026)
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()
    drop()  # type: ignore[operator]


# The browser harness's fixtures, registered once for the whole suite: a second registration in
# a sub-folder's conftest would start a second Playwright in the same worker, which fails.
from tests.browser.harness import browser, live_server  # noqa: E402, F401
