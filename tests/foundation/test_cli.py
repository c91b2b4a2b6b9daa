"""The command line: set-up commands, the demo school, instrument checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import (
    Answer,
    ClassSession,
    Group,
    Incident,
    Response,
    School,
    SurveyWave,
    User,
)

SHIPPED = Path(__file__).resolve().parents[2] / "instruments" / "definitions"


def test_every_command_has_help(runner: FlaskCliRunner) -> None:
    commands = [
        "init-db",
        "demo",
        "create-school",
        "create-user",
        "import-groups",
        "import-responses",
        "import-incidents",
    ]
    for command in commands:
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, command
    result = runner.invoke(args=["instruments", "check", "--help"])
    assert result.exit_code == 0


def test_create_school_and_users(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["create-school", "de-linde", "OBS De Linde"]).exit_code == 0
    again = runner.invoke(args=["create-school", "de-linde", "Nog een"])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = runner.invoke(args=["create-school", "De Linde!", "x"])
    assert bad.exit_code == 1 and "lowercase letters" in bad.output
    ok = runner.invoke(
        args=[
            "create-user",
            "--email",
            "dir@linde.example",
            "--name",
            "Mw. Ak",
            "--role",
            "director",
            "--school",
            "de-linde",
            "--password",
            "een lang wachtwoord",
        ]
    )
    assert ok.exit_code == 0, ok.output
    short = runner.invoke(
        args=[
            "create-user",
            "--email",
            "t@linde.example",
            "--name",
            "T",
            "--role",
            "teacher",
            "--school",
            "de-linde",
            "--password",
            "kort",
        ]
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    homeless = runner.invoke(
        args=[
            "create-user",
            "--email",
            "t@linde.example",
            "--name",
            "T",
            "--role",
            "teacher",
            "--password",
            "een lang wachtwoord",
        ]
    )
    assert homeless.exit_code == 1 and "give --school" in homeless.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalars(select(School.name)).all() == ["OBS De Linde"]


def test_instruments_check_passes_on_the_shipped_files(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["instruments", "check"])
    assert result.exit_code == 0, result.output
    assert "4 files" in result.output or "4 instrument" in result.output


def test_instruments_check_fails_on_a_broken_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "veiligheid-5-8.v1.toml"
    broken.write_text(
        (SHIPPED / "veiligheid-5-8.v1.toml")
        .read_text()
        .replace('scale = "eens4"', 'scale = "eens5"', 1)
    )
    result = runner.invoke(args=["instruments", "check", str(broken)])
    assert result.exit_code == 1
    assert "veiligheid-5-8.v1.toml" in result.output and "eens5" in result.output


@pytest.fixture
def demo(app: Flask, runner: FlaskCliRunner) -> Flask:
    result = runner.invoke(args=["demo", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "klasklimaat-demo" in result.output
    assert "Building" not in result.output  # no progress bar when output is not a terminal
    return app


def test_demo_school_has_what_the_issue_asks_for(demo: Flask) -> None:
    with demo.app_context():
        school = db.session.scalars(select(School)).one()
        assert [y.name for y in school.school_years][-1] == "2026-2027"
        assert len(school.school_years) == 3
        latest = school.school_years[-1]
        groups = {g.name: g for g in latest.groups}
        assert any(len(g.grades) > 1 and min(g.grades) >= 3 for g in groups.values())
        assert any(len(g.teachers) == 2 for g in groups.values())
        assert set(range(1, 9)) <= {x for g in groups.values() for x in g.grades}
        n = dict(
            db.session.execute(
                select(Group.name, func.count(Response.id))
                .join(Response)
                .where(Group.school_year_id == latest.id)
                .group_by(Group.name)
            ).all()
        )
        assert n["Groep 8"] == 4  # fewer than k respondents
        rates = [n[name] / groups[name].size for name in n if name != "Groep 8"]
        assert max(rates) - min(rates) > 0.15  # response rates vary
        categories = db.session.scalars(select(Incident.category).distinct()).all()
        assert len(categories) >= 5
        per_group = dict(
            db.session.execute(
                select(Group.name, func.count(Incident.id))
                .join(Incident, Incident.group_id == Group.id)
                .where(Group.school_year_id == latest.id)
                .group_by(Group.name)
            ).all()
        )
        assert per_group["Groep 4"] == max(per_group.values()) >= 9
        roles = set(db.session.scalars(select(User.role)).all())
        assert roles == {"admin", "director", "teacher", "coordinator"}
        assert db.session.scalar(select(func.count()).select_from(SurveyWave)) == 3
        assert db.session.scalar(select(func.count()).select_from(ClassSession)) == 0


def test_demo_with_the_same_seed_gives_the_same_data(app: Flask, runner: FlaskCliRunner) -> None:
    def fingerprint() -> list[tuple[str, str, int]]:
        with app.app_context():
            rows = db.session.execute(
                select(Group.name, Answer.item_key, func.sum(Answer.value))
                .join(Response, Response.group_id == Group.id)
                .join(Answer, Answer.response_id == Response.id)
                .group_by(Group.id, Group.name, Answer.item_key)
                .order_by(Group.id, Answer.item_key)
            ).all()
            return [tuple(r) for r in rows]

    assert runner.invoke(args=["demo", "--seed", "11"]).exit_code == 0
    first = fingerprint()
    with app.app_context():
        from tests.conftest import empty_all_tables

        empty_all_tables()
    assert runner.invoke(args=["demo", "--seed", "11"]).exit_code == 0
    assert fingerprint() == first
    again = runner.invoke(args=["demo", "--seed", "11"])
    assert again.exit_code == 1 and "already exists" in again.output
    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0 and "already has a school" in quiet.output
    assert "directeur@vlinderboom.example" in quiet.output  # make run always shows the logins


def test_demo_builds_a_synthetic_board(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "--schools", "2", "--years", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 2
        assert db.session.scalar(select(func.count()).select_from(SurveyWave)) == 2
