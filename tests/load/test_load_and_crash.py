"""Short versions of the load and crash runs (issue 7, items 4, 5 and 7), on both engines.

Each starts its own gunicorn on 127.0.0.1 against a fresh database, as ``make soak`` does
with the full sizes (1,000 pupils; 50 kills): here 50 pupils walking the whole questionnaire
and three SIGKILLs in the middle of a submission load. Nothing acknowledged may be lost,
nothing stored twice or in part, and no request may fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.crash import crash_at
from benchmarks.pupils import load_at
from tests.conftest import ENGINES, new_database

pytestmark = pytest.mark.xdist_group("load")


@pytest.fixture(params=ENGINES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path):
    url, drop = new_database(request.param, tmp_path)
    yield url
    drop()  # type: ignore[operator]


def test_fifty_pupils_at_once_lose_nothing(empty_database: str) -> None:
    result = load_at(empty_database, pupils=50, ramp=5, think=(0.0, 0.05), limit=240)
    assert result["errors"] == 0, result["error_examples"]
    assert result["server_errors_logged"] == []
    assert result["acknowledged"] == 50 and result["finished"] == 50
    stored = result["stored"]
    assert stored["responses"] == stored["receipts"] == 50
    assert stored["partial"] == 0 and stored["orphan_rows"] == 0
    assert set(result["statuses"]) <= {"200", "303"}
    assert result["ok"]


def test_three_sigkills_during_submissions_lose_and_double_nothing(empty_database: str) -> None:
    result = crash_at(empty_database, kills=3, window=(0.5, 1.2))
    assert result["cut_off_requests"] > 0, "the kills never hit a request in flight"
    assert result["submissions"] > 0
    assert result["receipts_present"] == result["submissions"]
    assert result["stored"]["responses"] == result["stored"]["receipts"] == result["submissions"]
    assert result["stored"]["partial"] == 0 and result["stored"]["orphan_rows"] == 0
    assert result["ok"]
