"""School settings, the retention purge (P6) and the coordinator's inbox."""

from __future__ import annotations

import datetime as dt
import statistics

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import (
    Answer,
    ConstructScore,
    ConversationRequest,
    GroupSummary,
    Incident,
    Response,
    School,
)
from surveys.services.purge import purge_school
from surveys.services.responses import submit_response
from tests.foundation import factories as f
from tests.staff.conftest import World, login


def as_(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


SETTINGS = {"name": "De Linde", "vertrouwenspersoon_name": "juf Marloes",
            "vertrouwenspersoon_contact": "Kamer naast de gymzaal", "k": "6",
            "retention_years": "3", "director_sees_teacher_feedback": "y"}


def test_the_director_edits_settings_but_cannot_grant_himself_feedback_access(
    app: Flask, world: World
) -> None:
    client = as_(app, world.director)
    page = client.get("/director/settings").get_data(as_text=True)
    assert "Leerlingen zien deze naam" in page
    assert client.post("/director/settings", data=SETTINGS).status_code == 302
    with app.app_context():
        settings = db.session.get(School, world.school).settings
        assert (settings.vertrouwenspersoon_name, settings.k, settings.retention_years) == (
            "juf Marloes", 6, 3)
        assert settings.director_sees_teacher_feedback is False  # default stays: off
    refused = client.post("/director/settings", data={**SETTINGS, "k": "4"})
    assert refused.status_code == 200
    with app.app_context():
        assert db.session.get(School, world.school).settings.k == 6
    admin = as_(app, world.admin)
    assert admin.post(f"/admin/schools/{world.school}/settings", data=SETTINGS).status_code == 302
    with app.app_context():
        assert db.session.get(School, world.school).settings.director_sees_teacher_feedback
    # Another board's administrator does not even see the school.
    other = as_(app, world.b_admin)
    assert other.get(f"/admin/schools/{world.school}/settings").status_code == 404


def test_the_vertrouwenspersoon_text_is_escaped(app: Flask, world: World) -> None:
    client = as_(app, world.director)
    client.post("/director/settings", data={**SETTINGS,
                                            "vertrouwenspersoon_name": "<b onclick=x>Marloes"})
    page = client.get("/director/settings").get_data(as_text=True)
    assert "<b onclick=x>" not in page and "&lt;b onclick=x&gt;Marloes" in page


def make_response(wave, group, day: dt.date, value: int) -> None:  # type: ignore[no-untyped-def]
    answers = [a for a in f.full_answers(5, value=value) if a.part == 0]
    submit_response(wave=wave, group=group, grade=5, answers=answers, submitted_on=day)


def test_purge_removes_old_raw_data_and_keeps_the_aggregates(app: Flask, world: World) -> None:
    with app.app_context():
        school = db.session.get(School, world.school)
        old_group = f.group(school, "Groep 5", (5,), year="2019-2020")
        old_wave = f.wave(school, year="2019-2020")
        recent_wave = f.wave(school, year="2026-2027", name="Recent")
        recent_group = old_group.school_year.school.school_years[-1].groups[0]
        for value in (1, 2, 3, 4, 4, 3):
            make_response(old_wave, old_group, dt.date(2019, 10, 10), value)
        make_response(recent_wave, recent_group, dt.date(2026, 10, 10), 3)
        db.session.add_all([
            Incident(school_year=old_group.school_year, group=old_group,
                     occurred_on=dt.date(2019, 12, 1), category="pesten", handled_by="leraar",
                     description="oud"),
            ConversationRequest(school_id=school.id, first_name="Oud", created_on=dt.date(2019,
                                10, 10), handled=True),
        ])
        db.session.commit()
        expected = db.session.execute(
            select(ConstructScore.construct, func.count(ConstructScore.common),
                   func.avg(ConstructScore.common))
            .join(Response).where(Response.wave_id == old_wave.id,
                                  ConstructScore.common.is_not(None))
            .group_by(ConstructScore.construct)).all()
        safety = sorted(s.common for s in db.session.scalars(
            select(ConstructScore).join(Response).where(
                Response.wave_id == old_wave.id, ConstructScore.construct == "veiligheid")))
        old_wave_id, old_group_id = old_wave.id, old_group.id
    runner: FlaskCliRunner = app.test_cli_runner()
    result = runner.invoke(args=["purge", "--school", "de-linde", "--today", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert "6 responses from 1 wave(s) removed" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response).where(
            Response.wave_id == old_wave_id)) == 0
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1  # recent
        assert db.session.scalar(select(func.count()).select_from(Answer)) > 0  # recent's
        kept = {s.construct: s for s in db.session.scalars(select(GroupSummary).where(
            GroupSummary.wave_id == old_wave_id, GroupSummary.group_id == old_group_id))}
        assert {c for c, _n, _m in expected} == set(kept)
        for construct, n, mean in expected:
            assert kept[construct].n == n
            assert abs(kept[construct].mean - mean) < 1e-9
        assert abs(kept["veiligheid"].sd - statistics.stdev(safety)) < 1e-9
        assert kept["gepest"].n_positive is not None
        descriptions = dict(db.session.execute(select(Incident.occurred_on,
                                                      Incident.description)).all())
        assert descriptions[dt.date(2019, 12, 1)] is None  # purged, the incident stays
        assert descriptions[dt.date(2026, 10, 5)] == "Uitgescholden op het plein"
        assert db.session.scalar(select(func.count()).select_from(ConversationRequest)) == 2
        # A second run finds nothing more to do.
        again = purge_school(db.session.get(School, world.school), dt.date(2026, 11, 30))
        assert (again.responses, again.summaries, again.descriptions) == (0, 0, 0)
    assert runner.invoke(args=["purge", "--school", "nope"]).exit_code != 0


def test_only_the_coordinator_reads_and_handles_the_inbox(app: Flask, world: World) -> None:
    coordinator = as_(app, world.coordinator)
    page = coordinator.get("/coordinator/").get_data(as_text=True)
    assert "Noor" in page and "Daan" not in page  # the other school's request stays there
    for email in (world.director, world.teacher, world.admin):
        assert as_(app, email).get("/coordinator/").status_code == 403
        assert as_(app, email).post(
            f"/coordinator/requests/{world.request}/handled").status_code == 403
    assert coordinator.post(f"/coordinator/requests/{world.b_request}/handled").status_code == 404
    assert coordinator.post(f"/coordinator/requests/{world.request}/handled").status_code == 302
    with app.app_context():
        import uuid

        item = db.session.get(ConversationRequest, uuid.UUID(world.request))
        assert item.handled and item.handled_on is not None
        other = db.session.get(ConversationRequest, uuid.UUID(world.b_request))
        assert not other.handled
    page = coordinator.get("/coordinator/").get_data(as_text=True)
    assert "afgehandeld op" in page
