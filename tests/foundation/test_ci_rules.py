"""The test suite's own rules: PostgreSQL variants skip locally and fail where CI requires them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests/foundation/test_database.py::test_engine_is_the_requested_one"


def run_pytest(env_changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "pytest", TARGET, "-p", "no:xdist", "-rs", "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize("required", ["0", "1"])
def test_postgres_variant_without_a_url(required: str) -> None:
    result = run_pytest({"TEST_DATABASE_URL": None, "KLASKLIMAAT_REQUIRE_POSTGRES": required})
    if required == "1":
        assert result.returncode == 1, result.stdout
        assert "KLASKLIMAAT_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set" in result.stdout
        assert "1 passed" in result.stdout  # the SQLite variant still ran
    else:
        assert result.returncode == 0, result.stdout
        assert "set TEST_DATABASE_URL to run it" in result.stdout
        assert "1 passed, 1 skipped" in result.stdout


def test_unreachable_postgres_fails_where_required() -> None:
    result = run_pytest({
        "TEST_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
        "KLASKLIMAAT_REQUIRE_POSTGRES": "1",
    })
    assert result.returncode == 1
    assert "is unreachable" in result.stdout
