"""Survey waves: the director creates, opens and closes them; privacy never weakens (P7)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveys.extensions import db
from surveys.models import Group, SurveyWave
from surveys.services import waves
from surveys.services.responses import submit_response
from tests.foundation import factories as f
from tests.staff.conftest import World, login


def director(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.director)
    return client


def wave_form(world: World, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "school_year_id": str(world.year), "name": "Voorjaar", "starts_on": "2027-03-01",
        "ends_on": "2027-03-31", "k": "5",
        "assign": ["5:veiligheid-5-8:1", "6:veiligheid-5-8:1", "5:leraar-5-8:1"],
    }
    form.update(changes)
    return form


def test_a_director_creates_opens_and_closes_a_wave(app: Flask, world: World) -> None:
    client = director(app, world)
    page = client.get("/director/waves/new").get_data(as_text=True)
    assert 'value="5:veiligheid-5-8:1"' in page and "checked" in page
    response = client.post("/director/waves/new", data=wave_form(world, one_time_codes="y"))
    assert response.status_code == 302
    with app.app_context():
        wave = db.session.query(SurveyWave).filter_by(name="Voorjaar").one()
        assert wave.status == "draft" and wave.one_time_codes and wave.teacher_feedback
        assert waves.assignments_of(wave) == {(5, "veiligheid-5-8", 1), (6, "veiligheid-5-8", 1),
                                              (5, "leraar-5-8", 1)}
        wave_id = wave.id
    # Only one wave is open at a time: open the fixture's wave, then this one is refused.
    assert client.post(f"/director/waves/{world.wave}/open").status_code == 302
    page = client.post(f"/director/waves/{wave_id}/open", follow_redirects=True)
    assert "sluit eerst afname Najaar" in page.get_data(as_text=True)
    client.post(f"/director/waves/{world.wave}/close")
    client.post(f"/director/waves/{wave_id}/open")
    with app.app_context():
        assert db.session.get(SurveyWave, wave_id).status == "open"
        assert db.session.get(SurveyWave, world.wave).status == "closed"
    client.post(f"/director/waves/{wave_id}/close")
    with app.app_context():
        assert db.session.get(SurveyWave, wave_id).status == "closed"


@pytest.mark.parametrize(("changes", "message"), [
    ({"k": "4"}, "k"),
    ({"starts_on": "2027-09-01", "ends_on": "2027-09-30"}, "de periode moet binnen schooljaar"),
    ({"ends_on": "2027-02-01"}, "de afname eindigt voordat hij begint"),
    ({"assign": ["5:veiligheid-3-4:1"]}, "is niet bedoeld voor groep 5"),
    ({"assign": []}, "kies minstens één vragenlijst"),
])
def test_bad_wave_settings_are_refused_with_a_reason(
    app: Flask, world: World, changes: dict[str, object], message: str
) -> None:
    client = director(app, world)
    page = client.post("/director/waves/new", data=wave_form(world, **changes))
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(SurveyWave).filter_by(name="Voorjaar").count() == 0


def test_once_a_wave_has_responses_its_privacy_can_only_get_stricter(
    app: Flask, world: World
) -> None:
    client = director(app, world)
    client.post("/director/waves/new", data=wave_form(world, one_time_codes="y", k="7"))
    with app.app_context():
        wave = db.session.query(SurveyWave).filter_by(name="Voorjaar").one()
        wave_id = wave.id
        # Before any response, the director may still loosen what they chose.
        assert client.post(f"/director/waves/{wave_id}",
                           data=wave_form(world, k="6", one_time_codes="y")).status_code == 302
        submit_response(wave=db.session.get(SurveyWave, wave_id),
                        group=db.session.get(Group, world.group), grade=5,
                        answers=[a for a in f.full_answers(5) if a.part == 0
                                 and a.instrument_id == "veiligheid-5-8"],
                        submitted_on=dt.date(2027, 3, 2))
        db.session.commit()
    for changes, message in [
        ({"k": "5", "one_time_codes": "y"}, "k kan niet lager dan 6"),
        ({"k": "6"}, "eenmalige codes kunnen niet meer uit"),
        ({"k": "6", "one_time_codes": "y", "assign": ["5:veiligheid-5-8:1"]},
         "de vragenlijsten liggen vast"),
    ]:
        page = client.post(f"/director/waves/{wave_id}", data=wave_form(world, **changes))
        assert message in page.get_data(as_text=True)
        with app.app_context():
            wave = db.session.get(SurveyWave, wave_id)
            assert (wave.k, wave.one_time_codes, len(wave.instruments)) == (6, True, 3)
    # Stricter is allowed, and so is a new name.
    ok = client.post(f"/director/waves/{wave_id}",
                     data=wave_form(world, k="8", one_time_codes="y", name="Lente"))
    assert ok.status_code == 302
    with app.app_context():
        wave = db.session.get(SurveyWave, wave_id)
        assert (wave.name, wave.k) == ("Lente", 8)
        # The service refuses the same thing without the web page in between.
        with pytest.raises(waves.WaveError, match="cannot go below 8"):
            waves.update_wave(wave, waves.WaveSettings(
                name="Lente", starts_on=wave.starts_on, ends_on=wave.ends_on, k=5,
                one_time_codes=True, assignments=waves.assignments_of(wave)))
        db.session.rollback()


def test_waves_of_another_school_are_missing_and_teachers_are_refused(
    app: Flask, world: World
) -> None:
    client = director(app, world)
    assert client.get(f"/director/waves/{world.b_wave}").status_code == 404
    assert client.post(f"/director/waves/{world.b_wave}/close").status_code == 404
    teacher = app.test_client()
    login(teacher, world.teacher)
    assert teacher.post(f"/director/waves/{world.wave}/open").status_code == 403
    with app.app_context():
        assert db.session.get(SurveyWave, world.wave).status == "draft"
        assert db.session.get(SurveyWave, world.b_wave).status == "open"
