"""Analysis at scale (issue 7): the bulk demo builder, the board's attention lists read together,
a constant number of queries however many schools, and a worker that stays small.

Timings are measured by ``benchmarks/analysis_scale.py``, never here.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select

import instruments
from surveys.extensions import db
from surveys.models import (
    Answer,
    ConstructScore,
    Group,
    InstrumentVersion,
    Response,
    School,
    SchoolYear,
)
from surveys.services.analysis_data import (
    AnalysisInputError,
    attention_for,
    attention_lists,
    load_histories,
    load_history,
)
from surveys.services.demo import build_demo, school_year_names
from surveys.services.organisation import create_school, find_year, get_school
from surveys.services.responses import score_rows, validate

YEAR = school_year_names(1)[0]


def test_the_demo_school_is_the_one_every_pupil_submitting_used_to_give(ctx: Flask) -> None:
    """Seed 2026 gives, answer for answer, the demo school that ``submit_response`` per pupil
    built before the bulk writer (figures taken from that implementation): the planted
    patterns and every test that reads the demo school stay true."""
    build_demo(schools=1, years=3, seed=2026)
    per_year = db.session.execute(
        select(SchoolYear.name, func.count(func.distinct(Response.id)), func.count(Answer.value),
               func.sum(Answer.value))
        .join(Group, Group.school_year_id == SchoolYear.id)
        .join(Response, Response.group_id == Group.id)
        .join(Answer, Answer.response_id == Response.id)
        .group_by(SchoolYear.name).order_by(SchoolYear.name)).all()
    assert [tuple(r[1:]) for r in per_year] == [
        (147, 4273, 10836), (158, 4499, 11424), (133, 3771, 9343)]
    scores = db.session.execute(
        select(SchoolYear.name, func.count(ConstructScore.common), func.sum(ConstructScore.common))
        .join(Group, Group.school_year_id == SchoolYear.id)
        .join(Response, Response.group_id == Group.id)
        .join(ConstructScore, ConstructScore.response_id == Response.id)
        .group_by(SchoolYear.name).order_by(SchoolYear.name)).all()
    assert [(n, round(total, 6)) for _, n, total in scores] == [
        (1293, 3713.5), (1386, 4059.316667), (1166, 3353.05)]


def test_a_synthetic_board_holds_what_submission_would_have_stored(ctx: Flask) -> None:
    """Every stored score is what ``score_rows`` (submission's scoring) makes of the stored
    answers, and every response's answers pass submission's own checks."""
    build_demo(schools=3, years=2, seed=5)
    versions = {v.id: instruments.get(v.instrument_id, v.version)
                for v in db.session.scalars(select(InstrumentVersion))}
    answers: dict[object, dict[tuple[int, int], dict[str, int | None]]] = defaultdict(dict)
    for response_id, version_id, part, key, value in db.session.execute(
            select(Answer.response_id, Answer.instrument_version_id, Answer.part, Answer.item_key,
                   Answer.value)):
        answers[response_id].setdefault((version_id, part), {})[key] = value
    stored = defaultdict(dict)
    for s in db.session.scalars(select(ConstructScore)):
        stored[s.response_id][(s.instrument_version_id, s.part, s.construct)] = (
            s.value, s.common, s.n_items, s.n_answered)
    responses = db.session.scalars(select(Response)).all()
    assert len(responses) > 400 and set(answers) == set(stored) == {r.id for r in responses}
    for response in responses:
        expected = {}
        for (version_id, part), values in answers[response.id].items():
            for construct, *figures in score_rows(versions[version_id], values):
                expected[(version_id, part, construct)] = tuple(figures)
        assert stored[response.id] == expected
    groups = {g.id: g for g in db.session.scalars(select(Group))}
    from surveys.models import SurveyWave
    from surveys.services.responses import AnswerIn

    for response in responses[:: max(1, len(responses) // 60)]:
        wave = db.session.get(SurveyWave, response.wave_id)
        given = [AnswerIn(versions[v].id, versions[v].version, key, value, part)
                 for (v, part), values in answers[response.id].items()
                 for key, value in values.items()]
        validate(wave=wave, group=groups[response.group_id], grade=response.grade,
                 answers=given)


def test_the_same_seed_gives_the_same_board(app: Flask) -> None:
    def fingerprint() -> list[tuple]:
        with app.app_context():
            build_demo(schools=3, years=2, seed=9)
            rows = db.session.execute(
                select(School.slug, Group.name, Answer.item_key, func.count(Answer.value),
                       func.sum(Answer.value))
                .join(SchoolYear, SchoolYear.school_id == School.id)
                .join(Group, Group.school_year_id == SchoolYear.id)
                .join(Response, Response.group_id == Group.id)
                .join(Answer, Answer.response_id == Response.id)
                .group_by(School.slug, Group.name, Answer.item_key)
                .order_by(School.slug, Group.name, Answer.item_key)).all()
            from tests.conftest import empty_all_tables

            empty_all_tables()
            return [tuple(r) for r in rows]

    assert fingerprint() == fingerprint()


def test_a_boards_attention_lists_are_each_schools_own(ctx: Flask) -> None:
    build_demo(schools=4, years=2, seed=3)
    schools = list(db.session.scalars(select(School).order_by(School.slug)))
    together = attention_lists(schools, YEAR)
    assert sorted(together) == sorted(s.slug for s in schools)
    for school in schools:
        assert together[school.slug].to_json_dict("en") == attention_for(
            school, YEAR).to_json_dict("en")
    # the planted school is found in the board as on its own
    flags = {g["group"]: {f["rule"] for f in g.get("flags", [])}
             for g in together["vlinderboom"].to_json_dict()["groups"]}
    assert {"safety_low", "bullying_high"} <= flags["Groep 6"]


def test_a_school_without_the_year_is_left_out_of_the_board_or_named(ctx: Flask) -> None:
    build_demo(schools=2, years=1, seed=3)
    empty = create_school("zonder-jaren", "Nieuwe school", board_id=None)
    schools = [get_school("vlinderboom"), empty, get_school("school-002")]
    assert sorted(attention_lists(schools, YEAR)) == ["school-002", "vlinderboom"]
    with pytest.raises(AnalysisInputError, match="zonder-jaren has no school year"):
        attention_lists(schools, YEAR, missing="raise")
    with pytest.raises(AnalysisInputError, match="no wave 'Voorjaar'"):
        attention_for(get_school("vlinderboom"), YEAR, "Voorjaar")


def test_reading_a_board_takes_as_many_queries_as_reading_one_school(ctx: Flask) -> None:
    """Dashboards aggregate in SQL (DESIGN §8): the number of queries does not grow with the
    number of schools or school years read."""
    build_demo(schools=5, years=3, seed=4)
    statements: list[str] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    schools = list(db.session.scalars(select(School).order_by(School.id)))
    targets = []
    for school in schools:
        year = find_year(school, YEAR)
        targets.append((school, year, year.waves[0]))  # type: ignore[union-attr]
    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        one = len(statements)
        load_history(*targets[0])
        one = len(statements) - one
        before = len(statements)
        histories = load_histories(targets)
        many = len(statements) - before
        before = len(statements)
        attention_lists(schools, YEAR)
        board = len(statements) - before
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert one == many == 4
    assert board == 4
    assert [len(h) for h in histories] == [3] * 5
    assert histories[0][-1].previous is not None


def test_a_worker_never_loads_scipy_stats() -> None:
    """scipy.stats alone costs a worker about 45 MB of its 200; the statistics use
    scipy.special, so nothing the application imports pulls scipy.stats in."""
    code = (
        "import sys\n"
        "from surveys import create_app\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'x', "
        "'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "import analysis.attention, analysis.comparisons, analysis.description, analysis.plots\n"
        "import analysis.reliability, analysis.trends, surveys.services.results\n"
        "import surveys.services.report, surveys.services.exports, surveys.charts\n"
        "assert 'scipy.stats' not in sys.modules, 'scipy.stats was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0, done.stderr[-2000:]
