"""The director organises the school: years, groups, the new-year step, the groups CSV."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient

from surveys.extensions import db
from surveys.models import AuditEvent, Group, SchoolYear
from tests.staff.conftest import World, login


def director(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.director)
    return client


def test_a_director_creates_a_year_and_a_group_with_teachers(app: Flask, world: World) -> None:
    client = director(app, world)
    response = client.post("/director/years/new", data={"name": "2027-2028"})
    assert response.status_code == 302
    with app.app_context():
        year = db.session.query(SchoolYear).filter_by(name="2027-2028").one()
        year_id = year.id
    again = client.post("/director/years/new", data={"name": "2027-2028"})
    assert "schooljaar 2027-2028 bestaat al" in again.get_data(as_text=True)
    with app.app_context():
        teacher_id = db.session.get(Group, world.group).teachers[0].id
    response = client.post(f"/director/years/{year_id}/groups/new", data={
        "name": "Groep 6", "grades": ["6"], "size": "24", "teachers": [str(teacher_id)],
        "previous_group_id": str(world.group)})
    assert response.status_code == 302
    with app.app_context():
        group = db.session.query(Group).filter_by(school_year_id=year_id).one()
        assert group.grades == [6] and group.size == 24
        assert [t.id for t in group.teachers] == [teacher_id]
        assert group.previous_group_id == world.group
        assert db.session.query(AuditEvent).filter_by(action="group_created").count() == 1
    page = client.get(f"/director/years/{year_id}").get_data(as_text=True)
    assert "Groep 6" in page and "juf Sanne" in page


def test_a_group_of_another_school_cannot_be_a_previous_group_or_edited(
    app: Flask, world: World
) -> None:
    client = director(app, world)
    assert client.get(f"/director/groups/{world.b_group}").status_code == 404
    response = client.post(f"/director/years/{world.year}/groups/new", data={
        "name": "Groep 7", "grades": ["7"], "size": "20", "previous_group_id": str(world.b_group)})
    assert response.status_code == 200  # not a valid choice: refused, nothing stored
    with app.app_context():
        assert db.session.query(Group).filter_by(name="Groep 7").count() == 0


def test_the_new_school_year_moves_every_group_up_a_grade(app: Flask, world: World) -> None:
    client = director(app, world)
    page = client.get(f"/director/years/{world.year}/next").get_data(as_text=True)
    assert 'value="Groep 6"' in page and 'value="Groep 7"' in page
    with app.app_context():
        sources = sorted(g.id for g in db.session.get(SchoolYear, world.year).groups)
    data = {
        "groups-0-source_id": str(sources[0]), "groups-0-include": "y",
        "groups-0-name": "Groep 6", "groups-0-grades": "6", "groups-0-size": "26",
        "groups-1-source_id": str(sources[1]), "groups-1-include": "y",
        "groups-1-name": "Groep 6", "groups-1-grades": "7", "groups-1-size": "24",
    }
    clash = client.post(f"/director/years/{world.year}/next", data=data)
    assert "twee groepen zouden Groep 6 heten" in clash.get_data(as_text=True)
    data["groups-1-name"] = "Groep 7"
    response = client.post(f"/director/years/{world.year}/next", data=data)
    assert response.status_code == 302
    with app.app_context():
        new_year = db.session.query(SchoolYear).filter_by(name="2027-2028").one()
        moved = {g.name: (g.grades, g.size, g.previous_group_id) for g in new_year.groups}
        assert moved == {"Groep 6": ([6], 26, sources[0]), "Groep 7": ([7], 24, sources[1])}
    # The step cannot run twice.
    again = client.post(f"/director/years/{world.year}/next", data=data)
    assert "heeft al groepen" in again.get_data(as_text=True)


def upload(client: FlaskClient, url: str, text: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"file": (io.BytesIO(text.encode()), "groepen.csv")},
                       content_type="multipart/form-data")


def test_the_groups_csv_from_the_web_page_reports_row_and_column_in_dutch(
    app: Flask, world: World
) -> None:
    client = director(app, world)
    bad = ("school_year;group;grades;size;teachers;previous_group\n"
           "2027-2028;Groep 6;6;25;;\n"
           "2027-2028;Groep 7;9;25;;\n"
           "2027-2028;Groep 8;8;veel;;\n")
    response = upload(client, "/director/import/groups", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Het bestand is niet geïmporteerd. Er is niets veranderd." in page
    assert "<td>3</td><td>grades</td><td>&#39;9&#39; is geen groep van 1 tot en met 8</td>" in page
    assert "<td>4</td><td>size</td><td>&#39;veel&#39; is geen geheel getal</td>" in page
    with app.app_context():
        assert db.session.query(SchoolYear).filter_by(name="2027-2028").count() == 0
    english = client.get("/director/import/groups?lang=en")
    assert english.status_code == 200
    page = upload(client, "/director/import/groups", "school_year,group\n").get_data(as_text=True)
    assert "missing column(s) grades, size, teachers, previous_group" in page
    good = ("school_year,group,grades,size,teachers,previous_group\n"
            "2027-2028,Groep 6,6,25,nieuw@linde.nl,Groep 5\n")
    assert upload(client, "/director/import/groups?lang=nl", good).status_code == 302
    with app.app_context():
        group = db.session.query(Group).filter_by(name="Groep 6").join(SchoolYear).filter(
            SchoolYear.name == "2027-2028").one()
        assert group.previous_group_id == world.group
        assert group.teachers[0].email == "nieuw@linde.nl"


def test_a_teacher_cannot_reach_the_organisation_pages(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, world.teacher)
    for url in ("/director/", "/director/years", f"/director/years/{world.year}",
                f"/director/groups/{world.group}", "/director/import/groups"):
        assert client.get(url).status_code == 403, url
