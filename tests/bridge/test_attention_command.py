"""The bridge from the database to ``analysis`` and the ``attention`` command on the demo."""

from __future__ import annotations

import json

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import ConstructScore, Group, Incident, Response, School, SurveyWave
from surveys.services.analysis_data import wave_data
from surveys.services.demo import school_year_names

YEAR = school_year_names(1)[0]


@pytest.fixture
def demo(demo_app: Flask) -> Flask:
    return demo_app


@pytest.fixture
def runner(demo_app: Flask) -> FlaskCliRunner:
    return demo_app.test_cli_runner()


def test_attention_names_the_planted_groups_and_leaves_the_small_one_out(
    demo: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(
        args=["attention", "--school", "vlinderboom", "--year", YEAR, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["school"], report["school_year"], report["k"]) == (
        "Basisschool De Vlinderboom", YEAR, 5)
    groups = {g["group"]: g for g in report["groups"]}
    rules = {name: {f["rule"] for f in g.get("flags", [])} for name, g in groups.items()}
    assert {"safety_low", "bullying_high"} <= rules["Groep 6"]
    assert "incidents_high" in rules["Groep 4"]
    assert "safety_decline" in rules["Groep 7"]
    assert "severe_incident" in rules["Groep 5"]
    assert [w["rule"] for w in groups["Groep 5"]["warnings"]] == ["low_response"]
    assert groups["Groep 8"] == {"group": "Groep 8", "suppressed": True}
    # Most groups are fine and are not listed at all.
    assert "Groep 3" not in groups and "Groep 7/8" not in groups
    for group in report["groups"]:
        for flag in group.get("flags", []):
            assert flag["text"].startswith("In ") and group["group"] in flag["text"]


def test_attention_sentences_a_director_understands(demo: Flask, runner: FlaskCliRunner) -> None:
    text = runner.invoke(args=["attention", "--school", "vlinderboom", "--year", YEAR]).output
    assert "Groep 8: minder dan 5 leerlingen deden mee; geen cijfers." in text
    assert "gepest worden; in de rest van de school is dat" in text
    english = runner.invoke(
        args=["attention", "--school", "vlinderboom", "--year", YEAR, "--lang", "en"]).output
    assert "fewer than 5 pupils took part; no figures." in english


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "nergens", "--year", YEAR], "no school with slug 'nergens'"),
        (["--school", "vlinderboom", "--year", "1999-2000"], "has no school year 1999-2000"),
        (["--school", "vlinderboom", "--year", YEAR, "--wave", "Voorjaar"], "no wave 'Voorjaar'"),
    ],
)
def test_attention_refuses_unknown_input_in_one_line(
    demo: Flask, runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(args=["attention", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_wave_data_matches_sql_counts(demo: Flask) -> None:
    """The bridge hands analysis exactly the respondents, scores and incidents stored."""
    with demo.app_context():
        school = db.session.scalars(select(School)).one()
        year = school.school_years[-1]
        wave = db.session.scalars(select(SurveyWave).where(
            SurveyWave.school_year_id == year.id)).one()
        data = wave_data(school, year, wave)
        for group in db.session.scalars(select(Group).where(Group.school_year_id == year.id)):
            got = data.group(group.name)
            n = db.session.scalar(select(func.count()).select_from(Response).where(
                Response.group_id == group.id, Response.wave_id == wave.id))
            assert got.n == n
            mean = db.session.scalar(
                select(func.avg(ConstructScore.common))
                .join(Response, Response.id == ConstructScore.response_id)
                .where(Response.group_id == group.id, ConstructScore.construct == "veiligheid",
                       ConstructScore.part == 0))
            if n:
                assert np.nanmean(got.scores["veiligheid"]) == pytest.approx(mean)
            incidents = db.session.scalar(select(func.count()).select_from(Incident).where(
                Incident.group_id == group.id))
            assert got.incident_total == incidents
        assert data.previous is not None and data.previous.school_year != data.school_year
        assert data.previous.previous is None
