"""Incident registration: teachers for their own groups, the director for all, with an audit
log of every change, a filterable list and the CSV upload."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient

from surveys.extensions import db
from surveys.models import AuditEvent, Incident
from tests.staff.conftest import World, login


def as_(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def form(group_id: int, **changes: str) -> dict[str, str]:
    data = {"occurred_on": "2026-10-07", "group_id": str(group_id), "category": "fysiek_geweld",
            "location": "plein", "handled_by": "leraar", "parents_informed": "yes",
            "follow_up": "open", "description": "Geschopt tijdens het voetballen."}
    data.update(changes)
    return data


def test_the_form_speaks_the_schools_terms_and_warns_against_names(
    app: Flask, world: World
) -> None:
    page = as_(app, world.teacher).get("/incidents/new").get_data(as_text=True)
    for words in ("fysiek geweld", "intimidatie en/of bedreiging via internet, sms, e-mail of "
                  "social media", "(religieus) extremisme", "schoolplein", "gymzaal",
                  "onderweg van of naar school", "politie", "Ouders geïnformeerd",
                  "Schrijf geen namen van leerlingen of ouders op."):
        assert words in page, words
    assert page.count('name="category"') == 11
    # A teacher can choose only their own group; the director every group or none.
    assert "Groep 5" in page and "Groep 6" not in page
    director_page = as_(app, world.director).get("/incidents/new").get_data(as_text=True)
    assert "Groep 6" in director_page and "schoolbreed" in director_page


def test_a_teacher_registers_for_their_own_group_only(app: Flask, world: World) -> None:
    client = as_(app, world.teacher)
    assert client.post("/incidents/new", data=form(world.group)).status_code == 302
    assert client.post("/incidents/new", data=form(world.other_group)).status_code == 200
    assert client.post("/incidents/new", data=form(world.b_group)).status_code == 200
    assert client.post("/incidents/new", data=form(0)).status_code == 200
    with app.app_context():
        new = db.session.query(Incident).filter_by(category="fysiek_geweld").all()
        assert [(i.group_id, i.location, i.parents_informed) for i in new] == [
            (world.group, "plein", True)]


def test_the_director_registers_school_wide_and_bad_input_changes_nothing(
    app: Flask, world: World
) -> None:
    client = as_(app, world.director)
    assert client.post("/incidents/new", data=form(0, parents_informed="")).status_code == 302
    future = client.post("/incidents/new", data=form(world.group, occurred_on="2099-01-01"))
    assert "schooljaar 2098-2099 bestaat nog niet" in future.get_data(as_text=True)
    long = client.post("/incidents/new", data=form(world.group, description="x" * 2001))
    assert long.status_code == 200
    with app.app_context():
        rows = db.session.query(Incident).filter_by(category="fysiek_geweld").all()
        assert [(i.group_id, i.parents_informed) for i in rows] == [(None, None)]


def test_edits_are_kept_in_the_audit_log_without_the_description(
    app: Flask, world: World
) -> None:
    client = as_(app, world.teacher)
    response = client.post(f"/incidents/{world.incident}", data=form(
        world.group, category="pesten", follow_up="afgerond", handled_by="directeur",
        description="Nieuwe tekst"))
    assert response.status_code == 302
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="incident_changed").one()
        assert event.object_id == str(world.incident) and event.user.email == world.teacher
        assert "follow_up: open → afgerond" in event.detail
        assert "handled_by: leraar → directeur" in event.detail
        assert "description" in event.detail and "Nieuwe tekst" not in event.detail
        assert "Uitgescholden" not in event.detail
    page = client.get(f"/incidents/{world.incident}").get_data(as_text=True)
    assert "Geschiedenis" in page and "incident gewijzigd" in page and "juf Sanne" in page
    log = as_(app, world.director).get("/director/log").get_data(as_text=True)
    assert "incident gewijzigd" in log and "juf Sanne" in log


def test_nobody_edits_an_incident_they_may_not_see(app: Flask, world: World) -> None:
    teacher = as_(app, world.teacher)
    assert teacher.get(f"/incidents/{world.other_incident}").status_code == 403
    assert teacher.post(f"/incidents/{world.other_incident}",
                        data=form(world.group)).status_code == 403
    assert teacher.get(f"/incidents/{world.b_incident}").status_code == 404
    coordinator = as_(app, world.coordinator)
    assert coordinator.get(f"/incidents/{world.incident}").status_code == 200  # reads
    assert coordinator.post(f"/incidents/{world.incident}",
                            data=form(world.group)).status_code == 403  # never edits
    with app.app_context():
        assert db.session.get(Incident, world.other_incident).category == "pesten"
        assert db.session.query(AuditEvent).count() == 0


def test_the_list_filters_and_shows_a_teacher_only_their_groups(
    app: Flask, world: World
) -> None:
    director = as_(app, world.director)
    director.post("/incidents/new", data=form(world.other_group, occurred_on="2026-11-20",
                                              category="diefstal", follow_up="lopend"))
    page = director.get("/incidents/").get_data(as_text=True)
    assert page.count("<tr>") - 1 == 3  # three incidents in this school, none of the other
    page = director.get("/incidents/?category=diefstal").get_data(as_text=True)
    assert "diefstal" in page and page.count("<tr>") - 1 == 1
    page = director.get(f"/incidents/?group={world.group}&follow_up=open").get_data(as_text=True)
    assert page.count("<tr>") - 1 == 1
    page = director.get("/incidents/?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert page.count("<tr>") - 1 == 1
    teacher_page = as_(app, world.teacher).get("/incidents/").get_data(as_text=True)
    assert teacher_page.count("<tr>") - 1 == 1
    # A teacher's filter on another group's id shows nothing of it.
    other = as_(app, world.teacher).get(f"/incidents/?group={world.other_group}")
    assert "Geen incidenten gevonden." in other.get_data(as_text=True)


def test_incidents_csv_from_the_web_page(app: Flask, world: World) -> None:
    client = as_(app, world.director)
    bad = ("date,group,category,handled_by,description\n"
           "2026-10-14,Groep 5,pesten,leraar,\n"
           "2026-10-15,Groep 9,pesten,leraar,\n"
           "14-10-2026,Groep 5,ruzie,juf,\n")
    page = client.post("/incidents/import", data={"file": (io.BytesIO(bad.encode()), "i.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "<td>3</td><td>group</td><td>geen groep &#39;Groep 9&#39; in 2026-2027</td>" in page
    assert "<td>4</td><td>date</td>" in page
    with app.app_context():
        assert db.session.query(Incident).count() == 3
    good = ("date;group;category;handled_by;description\n"
            "2026-10-14;Groep 5;pesten;leraar;\n2026-10-16;;vernieling;directeur;Ruit\n")
    response = client.post("/incidents/import",
                           data={"file": (io.BytesIO(good.encode()), "i.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(Incident).count() == 5
        assert db.session.query(AuditEvent).filter_by(action="incidents_imported").count() == 1
    teacher = as_(app, world.teacher)
    assert teacher.get("/incidents/import").status_code == 403
