"""Improvement points: the director records them; next year's overview shows each one next to
how its figure changed."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from analysis.description import group_table
from surveys.extensions import db
from surveys.models import Group, ImprovementPoint, School, SchoolYear
from surveys.services.analysis_data import find_wave, wave_data
from surveys.services.demo import build_demo
from tests.results.conftest import PREVIOUS, YEAR, login


def test_a_point_from_last_year_shows_how_its_figure_changed(app: Flask) -> None:
    with app.app_context():
        build_demo(schools=1, years=2, seed=2026)
        school = db.session.scalar(select(School))
        years = {y.name: y for y in db.session.scalars(select(SchoolYear))}
        last_six = db.session.scalar(select(Group).where(
            Group.school_year_id == years[PREVIOUS].id, Group.name == "Groep 6"))
        ids = (years[PREVIOUS].id, years[YEAR].id, last_six.id)
        then = group_table(wave_data(school, years[PREVIOUS], find_wave(years[PREVIOUS], None)),
                           "veiligheid")
        now_data = wave_data(school, years[YEAR], find_wave(years[YEAR], None))
        now = group_table(now_data, "veiligheid")
        expected_then = next(r.estimate for r in then.rows if r.label == "Groep 6")
        expected_same = next(r.estimate for r in now.rows if r.label == "Groep 6")
        expected_cohort = next(r.estimate for r in now.rows if r.label == "Groep 7")
    previous_id, year_id, group_id = ids
    client = login(app.test_client(), "directeur")
    response = client.post(f"/results/improvements?year={previous_id}", data={
        "title": "Pauzes op het plein met vaste pleinwacht", "description": "", "owner": "Team",
        "status": "lopend", "group_id": str(group_id), "construct": "veiligheid",
        "flag_rule": ""})
    assert response.status_code == 302
    with app.app_context():
        point = db.session.scalar(select(ImprovementPoint))
        assert (point.school_year_id, point.group_id, point.construct) == (
            previous_id, group_id, "veiligheid")
    # a bad group (another year's) is refused and nothing is saved
    refused = client.post(f"/results/improvements?year={year_id}", data={
        "title": "x", "status": "gepland", "group_id": str(group_id), "construct": "",
        "flag_rule": ""})
    assert refused.status_code == 200
    with app.app_context():
        assert db.session.query(ImprovementPoint).count() == 1
    page = client.get(f"/results/school?year={year_id}&lang=en").get_data(as_text=True)
    assert "Pauzes op het plein met vaste pleinwacht" in page
    row = page.split('data-point="')[1]
    assert f"{expected_then:.2f}" in row and f"{expected_same:.2f}" in row
    assert f"{expected_cohort:.2f}" in page.split("the same pupils, a year on")[1][:400]
    # the teacher of the group cannot record points
    teacher = login(app.test_client(), "eva")
    assert teacher.post(f"/results/improvements?year={year_id}",
                        data={"title": "x"}).status_code == 403
